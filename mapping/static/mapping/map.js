/* The project map: perimeter, communes, clustered contributions, and placing a new one.
 * Configuration comes from a json_script element; user text only ever goes in textContent. */
(function () {
  "use strict";
  var configElement = document.getElementById("map-config");
  if (!configElement || !window.L) return;
  var config = JSON.parse(configElement.textContent);
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (s) { return s; };
  var lang = document.documentElement.lang || "fr";
  var themeColours = {}, themeNames = {}, kindLabels = {};
  config.themes.forEach(function (th) { themeColours[th.slug] = th.colour; themeNames[th.slug] = th.name; });
  var kindGlyphs = {};
  config.kinds.forEach(function (k) { kindLabels[k.value] = k.label; kindGlyphs[k.value] = k.glyph; });

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function $(id) { return document.getElementById(id); }
  function say(id, text) { var node = $(id); if (node) node.textContent = text || ""; }

  document.querySelectorAll(".swatch[data-colour]").forEach(function (s) { s.style.background = s.getAttribute("data-colour"); });

  // After this browser has sent a contribution, map reads skip the HTTP cache once so the new
  // pin shows at once.
  var fresh = false;
  function getJSON(url) {
    var options = { headers: { "Accept-Language": lang, Accept: "application/json" }, credentials: "same-origin" };
    if (fresh) { options.cache = "no-cache"; }
    return fetch(url, options)
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { ok: response.ok, status: response.status, body: body };
        });
      });
  }

  // ---------------------------------------------------------------- the map
  var mapElement = $("map");
  var b = config.bbox;
  var map = L.map(mapElement, { keyboard: true, zoomControl: false, minZoom: config.zoom.min, maxZoom: config.zoom.max });
  // Leaflet's own control speaks English: the same control, with the page's words.
  L.control.zoom({ zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out") }).addTo(map);
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  map.attributionControl.setPrefix(false);

  // The basemap (mapping/basemap.js): a tile service when the operator set one, else one this
  // server serves; a line under the map says which. Pins and perimeter draw whatever happens.
  if (window.siteBasemap) {
    window.siteBasemap.attach(map, config.basemap, { after: mapElement.closest(".map-wrap") || mapElement });
  } else {
    mapElement.classList.add("no-basemap");
  }

  // The perimeter: outlined, with the world outside greyed out.
  getJSON(config.urls.perimeter).then(function (r) {
    if (!r.ok || !r.body.geometry) return;
    var geometry = r.body.geometry;
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    var world = [[-89, -179], [-89, 179], [89, 179], [89, -179]];
    var holes = polygons.map(function (polygon) {
      return polygon[0].map(function (c) { return [c[1], c[0]]; });
    });
    L.polygon([world].concat(holes), { stroke: false, fillColor: "#333", fillOpacity: 0.35, interactive: false }).addTo(map);
    L.geoJSON(r.body, { style: { color: "#1b1b1b", weight: 3, fill: false }, interactive: false }).addTo(map);
  });

  // Communes, on demand.
  var communes = null;
  var communesBox = $("show-communes");
  if (communesBox) {
    communesBox.addEventListener("change", function () {
      if (!communesBox.checked) { if (communes) map.removeLayer(communes); return; }
      if (communes) { communes.addTo(map); return; }
      getJSON(config.urls.communes).then(function (r) {
        if (!r.ok) return;
        communes = L.geoJSON(r.body, {
          style: { color: "#5b2a86", weight: 1.5, dashArray: "4 4", fill: false },
          // A text node: names come from imported files and are never read as HTML.
          onEachFeature: function (feature, layer) { layer.bindTooltip(document.createTextNode(feature.properties.name), { sticky: true }); },
        });
        if (communesBox.checked) communes.addTo(map);
        // Out of the Tab order, as on the contribution page (Leaflet 1.9.3 puts them in).
        communes.eachLayer(function (l) { var path = l.getElement && l.getElement(); if (path) path.setAttribute("tabindex", "-1"); });
      });
    });
  }

  // ---------------------------------------------------------------- contributions
  var contributions = L.layerGroup().addTo(map);
  var filterForm = $("filters");
  var requestNumber = 0;

  function filterParams() {
    var params = [];
    if (!filterForm) return params;
    ["kind", "theme", "status", "commune"].forEach(function (name) {
      var field = filterForm.elements[name];
      if (field && field.value) params.push(name + "=" + encodeURIComponent(field.value));
    });
    return params;
  }

  function pinIcon(kind, theme) {
    var box = el("div", { "class": "pin " + kind });
    box.style.background = themeColours[theme] || "#1f6feb";
    box.appendChild(el("span", { "aria-hidden": "true" }, kindGlyphs[kind] || "•"));
    return L.divIcon({ className: "", html: box, iconSize: [26, 26], iconAnchor: [13, 26], popupAnchor: [0, -24] });
  }

  function clusterIcon(count) {
    var size = count < 10 ? 30 : count < 100 ? 38 : count < 1000 ? 46 : 54;
    var box = el("div", { "class": "cluster" }, count >= 10000 ? Math.round(count / 1000) + "k" : String(count));
    box.style.width = box.style.height = size + "px";
    return L.divIcon({ className: "", html: box, iconSize: [size, size] });
  }

  function pageUrl(id) { return config.urls.contributionPage.replace("00000000-0000-0000-0000-000000000000", id); }

  function popupFor(id, title) {
    var box = el("div", { "class": "popup" });
    box.appendChild(el("h3", {}, title));
    var body = el("div", {}, gettext("Loading…"));
    box.appendChild(body);
    getJSON(config.urls.contributions + id + "/").then(function (r) {
      body.textContent = "";
      if (!r.ok) { body.textContent = gettext("This contribution cannot be shown."); return; }
      var p = r.body.properties;
      body.appendChild(el("p", {}, [kindLabels[p.kind] || p.kind, themeNames[p.theme] || p.theme, p.commune_name].filter(Boolean).join(" · ")));
      if (p.description) body.appendChild(el("p", {}, p.description.length > 200 ? p.description.slice(0, 200) + "…" : p.description));
      body.appendChild(el("p", {}, interpolate(gettext("%(votes)s votes, %(comments)s comments"), { votes: p.vote_count, comments: p.comment_count }, true)));
      if (p.answer) body.appendChild(el("p", {}, gettext("Answered by the planning services.")));
      var link = el("a", { href: pageUrl(id) }, gettext("Open the contribution"));
      body.appendChild(el("p")).appendChild(link);
    });
    return box;
  }

  function drawFeature(feature) {
    var props = feature.properties;
    var geometry = feature.geometry;
    if (props.cluster) {
      var c = geometry.coordinates;
      var marker = L.marker([c[1], c[0]], {
        icon: clusterIcon(props.count),
        keyboard: true,
        title: interpolate(gettext("%(count)s contributions here; zoom in"), { count: props.count }, true),
      });
      marker.on("click", function () {
        var e = props.extent;
        if (e && (e[0] !== e[2] || e[1] !== e[3])) map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { padding: [20, 20] });
        else map.setView([c[1], c[0]], Math.min(map.getZoom() + 2, 19));
      });
      return marker;
    }
    var layer;
    if (geometry.type === "Point") {
      layer = L.marker([geometry.coordinates[1], geometry.coordinates[0]], {
        icon: pinIcon(props.kind, props.theme), keyboard: true, title: props.title,
      });
    } else {
      layer = L.geoJSON(geometry, { style: { color: themeColours[props.theme] || "#1f6feb", weight: 4, fillOpacity: 0.25 } });
    }
    layer.bindPopup(function () { return popupFor(props.id, props.title); });
    return layer;
  }

  function refresh() {
    var bounds = map.getBounds();
    var bbox = [
      Math.max(-180, bounds.getWest()), Math.max(-85, bounds.getSouth()),
      Math.min(180, bounds.getEast()), Math.min(85, bounds.getNorth()),
    ].map(function (v) { return v.toFixed(6); }).join(",");
    var url = config.urls.clusters + "?" + ["bbox=" + bbox, "zoom=" + map.getZoom()].concat(filterParams()).join("&");
    var mine = ++requestNumber;
    getJSON(url).then(function (r) {
      if (mine !== requestNumber || !r.ok) return;
      contributions.clearLayers();
      r.body.features.forEach(function (feature) { contributions.addLayer(drawFeature(feature)); });
      if (!mapElement.hasAttribute("data-loaded") && window.performance && performance.mark) {
        performance.mark("contributions-drawn");
      }
      mapElement.setAttribute("data-loaded", "true");
      say("map-status", interpolate(gettext("%(count)s contributions in this view."), { count: r.body.numberMatched }, true));
    }).catch(function () {
      say("map-status", gettext("The contributions cannot be loaded right now."));
    });
  }
  // A contribution's own page shows that contribution alone, not the project's others.
  if (!config.focus) {
    map.on("moveend", refresh);
    refresh();
  }

  if (filterForm) {
    filterForm.addEventListener("change", function () {
      var link = $("list-link");
      if (link) link.href = config.urls.list + "?" + filterParams().join("&");
      refresh();
    });
  }

  window.projectMap = { map: map, refresh: refresh, config: config };
  if (config.focus) { showFocus(config.focus); return; }

  function showFocus(focus) {
    var layer = focus.geometry.type === "Point"
      ? L.marker([focus.geometry.coordinates[1], focus.geometry.coordinates[0]], { icon: pinIcon(focus.kind, focus.theme), keyboard: false })
      : L.geoJSON(focus.geometry, { style: { color: themeColours[focus.theme] || "#1f6feb", weight: 5 } });
    layer.addTo(map);
    // The commune boundaries give the place its context, with or without a basemap.
    getJSON(config.urls.communes).then(function (r) {
      if (!r.ok) return;
      var outlines = L.geoJSON(r.body, {
        style: { color: "#5b2a86", weight: 1.5, dashArray: "4 4", fill: false },
        onEachFeature: function (feature, l) { l.bindTooltip(document.createTextNode(feature.properties.name), { sticky: true }); },
      }).addTo(map);
      // Leaflet 1.9.3 (django-leaflet's) puts paths with a tooltip in the Tab order: a hundred
      // outlines would stand between the keyboard and the page's forms.
      outlines.eachLayer(function (l) { var path = l.getElement && l.getElement(); if (path) path.setAttribute("tabindex", "-1"); });
    });
    if (focus.geometry.type === "Point") map.setView(layer.getLatLng(), 14);
    else map.fitBounds(layer.getBounds(), { padding: [20, 20] });
  }

  // ---------------------------------------------------------------- placing a contribution
  var form = $("contribution-form");
  if (!form) return;
  var shape = "Point";
  var vertices = [];
  var chosen = null; // the GeoJSON geometry to send
  // A point left where the commune search put it says only "somewhere in this commune":
  // density maps and hotspots must not read it as a place. A tap or a drag makes it exact.
  var chosenPrecision = "exact";
  var draft = L.layerGroup().addTo(map);

  function shapeName() {
    return { Point: gettext("point"), LineString: gettext("line"), Polygon: gettext("area") }[shape];
  }

  function clearLocation(message) {
    chosen = null; vertices = []; draft.clearLayers();
    say("location-status", message || gettext("No place chosen yet."));
  }

  function refuse(body) {
    say("location-error", body.detail || gettext("This place cannot be used."));
  }

  function checkPoint(latlng) {
    say("location-error", "");
    var url = config.urls.checkLocation + "?lon=" + latlng.lng.toFixed(6) + "&lat=" + latlng.lat.toFixed(6);
    return getJSON(url).then(function (r) {
      if (!r.ok) { refuse(r.body); return null; }
      return r.body;
    }).catch(function () {
      // Offline: accept the place for now; the server checks it again when the contribution is sent.
      return { accepted: true, commune: null, unchecked: true };
    });
  }

  function setPoint(latlng, precision) {
    return checkPoint(latlng).then(function (answer) {
      if (!answer) { clearLocation(); return; }
      chosenPrecision = precision || "exact";
      draft.clearLayers();
      var marker = L.marker(latlng, {
        draggable: true, keyboard: true, title: gettext("Your contribution"),
        icon: L.divIcon({ className: "", html: el("div", { "class": "new-pin" }), iconSize: [30, 30] }),
      });
      marker.on("dragend", function () { setPoint(marker.getLatLng()); });
      draft.addLayer(marker);
      chosen = { type: "Point", coordinates: [+latlng.lng.toFixed(7), +latlng.lat.toFixed(7)] };
      say("location-status", answer.commune
        ? interpolate(gettext("Place chosen in %(commune)s."), { commune: answer.commune.name }, true)
        : gettext("Place chosen."));
    });
  }

  function addVertex(latlng) {
    return checkPoint(latlng).then(function (answer) {
      if (!answer) return;
      vertices.push(latlng);
      drawVertices();
    });
  }

  function drawVertices() {
    draft.clearLayers();
    vertices.forEach(function (v) { draft.addLayer(L.circleMarker(v, { radius: 5, color: "#1b1b1b", fillColor: "#f2a900", fillOpacity: 1 })); });
    var coords = vertices.map(function (v) { return [+v.lng.toFixed(7), +v.lat.toFixed(7)]; });
    var needed = shape === "LineString" ? 2 : 3;
    if (vertices.length >= 2) {
      draft.addLayer(shape === "LineString" ? L.polyline(vertices, { color: "#f2a900", weight: 5 }) : L.polygon(vertices, { color: "#f2a900", weight: 3 }));
    }
    if (vertices.length >= needed) {
      chosen = shape === "LineString"
        ? { type: "LineString", coordinates: coords }
        : { type: "Polygon", coordinates: [coords.concat([coords[0]])] };
    } else {
      chosen = null;
    }
    say("location-status", interpolate(gettext("%(n)s points placed for the %(shape)s; at least %(needed)s are needed."),
      { n: vertices.length, shape: shapeName(), needed: needed }, true));
  }

  function place(latlng, precision) { return shape === "Point" ? setPoint(latlng, precision) : addVertex(latlng); }

  map.on("click", function (event) { place(event.latlng); });
  $("place-centre").addEventListener("click", function () { place(map.getCenter()); });
  $("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { say("location-error", gettext("This browser cannot give your location.")); return; }
    say("location-status", gettext("Looking for your location…"));
    navigator.geolocation.getCurrentPosition(function (position) {
      var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
      map.setView(latlng, Math.max(map.getZoom(), 16));
      place(latlng);
    }, function () {
      say("location-status", "");
      say("location-error", gettext("Your location is not available; place the pin on the map instead."));
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
  form.querySelectorAll("input[name=shape]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      shape = radio.value;
      $("draw-buttons").hidden = shape === "Point";
      $("place-centre").textContent = shape === "Point" ? gettext("Place at the centre of the map") : gettext("Add a point at the centre of the map");
      clearLocation();
    });
  });
  $("draw-undo").addEventListener("click", function () { vertices.pop(); drawVertices(); });
  $("draw-clear").addEventListener("click", function () { clearLocation(); });

  // Finding a commune by name.
  function search() {
    var text = $("place-search").value.trim();
    var results = $("place-results");
    results.textContent = "";
    if (!text) return;
    getJSON(config.urls.places + "?q=" + encodeURIComponent(text)).then(function (r) {
      if (!r.ok || !r.body.results.length) { results.appendChild(el("li", {}, gettext("No commune of this project has that name."))); return; }
      r.body.results.forEach(function (p) {
        // The name it was found by, beside the official one: "Nice (Nizza)".
        var label = p.also ? interpolate(gettext("%(name)s (%(also)s)"), { name: p.name, also: p.also }, true) : p.name;
        var button = el("button", { type: "button", "class": "secondary" }, label);
        button.addEventListener("click", function () {
          map.fitBounds([[p.bbox[1], p.bbox[0]], [p.bbox[3], p.bbox[2]]]);
          results.textContent = "";
          place(L.latLng(p.lat, p.lon), "commune");
        });
        results.appendChild(el("li")).appendChild(button);
      });
    });
  }
  $("place-search-button").addEventListener("click", search);
  $("place-search").addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); search(); } });

  // Observations say whether they are positive or negative.
  function syncSentiment() {
    var kind = form.elements.kind.value;
    $("field-sentiment").hidden = kind !== "observation";
  }
  form.querySelectorAll("input[name=kind]").forEach(function (r) { r.addEventListener("change", syncSentiment); });
  syncSentiment();

  // ---------------------------------------------------------------- sending
  var FIELDS = ["title", "description", "photos", "email", "consent"];

  function clearErrors() {
    FIELDS.forEach(function (name) {
      say("error-" + name, "");
      var field = $("field-" + name);
      if (field) field.removeAttribute("aria-invalid");
    });
    say("form-errors", "");
  }

  function fieldError(name, message) {
    say("error-" + name, message);
    var field = $("field-" + name);
    if (field) field.setAttribute("aria-invalid", "true");
    return field;
  }

  function showErrors(summary, firstField) {
    var box = $("form-errors");
    box.textContent = summary;
    (firstField || box).focus();
  }

  function localCheck() {
    var first = null;
    function fail(name, message) { var f = fieldError(name, message); first = first || f; }
    if (!form.elements.title.value.trim()) fail("title", gettext("Give your contribution a title."));
    if (!$("field-consent").checked) fail("consent", gettext("Tick the box to agree before sending."));
    if ($("field-photos").files.length > config.maxPhotos) {
      fail("photos", interpolate(ngettext("At most %s photo.", "At most %s photos.", config.maxPhotos), [config.maxPhotos]));
    }
    var email = $("field-email");
    if (email.value && !email.checkValidity()) fail("email", gettext("Enter a valid email address."));
    if (!chosen) {
      say("location-error", shape === "Point" ? gettext("Choose a place on the map first.") : gettext("Draw the line or area on the map first."));
      first = first || $("place-centre");
    }
    return first;
  }

  function buildSubmission() {
    var properties = {
      kind: form.elements.kind.value,
      theme: form.elements.theme.value,
      title: form.elements.title.value.trim(),
      description: form.elements.description.value.trim(),
      email: form.elements.email.value.trim(),
      consent: $("field-consent").checked,
      location_precision: chosen && chosen.type === "Point" ? chosenPrecision : "exact",
    };
    if (properties.kind === "observation" && form.elements.sentiment.value) properties.sentiment = form.elements.sentiment.value;
    // Optional profile answers: sent only when chosen.
    if (form.elements.age_bracket && form.elements.age_bracket.value) properties.age_bracket = form.elements.age_bracket.value;
    if (form.elements.residence && form.elements.residence.value) properties.residence = form.elements.residence.value;
    return {
      key: window.Outbox.newKey(),
      feature: JSON.stringify({ type: "Feature", geometry: chosen, properties: properties }),
      photos: Array.prototype.slice.call($("field-photos").files, 0, config.maxPhotos),
      title: properties.title,
      language: lang,
      savedAt: new Date().toISOString(),
    };
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Resolves to {sent: true, body} or {sent: false, body, status} (refused), rejects when the
  // network failed or timed out (the submission then waits in the outbox).
  function send(item) {
    var data = new FormData();
    data.append("feature", item.feature);
    item.photos.forEach(function (photo) { data.append("photos", photo, photo.name || "photo.jpg"); });
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, 30000);
    return fetch(config.urls.contributions, {
      method: "POST", body: data, credentials: "same-origin", signal: controller && controller.signal,
      headers: { "Idempotency-Key": item.key, "X-CSRFToken": csrfToken(), "Accept-Language": item.language || lang, Accept: "application/geo+json, application/json" },
    }).then(function (response) {
      if (timer) clearTimeout(timer);
      if (response.status >= 500 || response.status === 408 || response.status === 429) throw new Error("retry");
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { sent: response.ok, status: response.status, body: body };
      });
    });
  }

  function succeeded(body) {
    var result = $("form-result");
    result.textContent = "";
    var box = el("div", { "class": "success" });
    box.appendChild(el("p", {}, gettext("Thank you! Your contribution is received.")));
    var id = body && (body.id || (body.properties && body.properties.id));
    if (id) box.appendChild(el("p")).appendChild(el("a", { href: pageUrl(id) }, gettext("See your contribution")));
    result.appendChild(box);
  }

  function refused(body) {
    var detail = body.detail || gettext("The contribution could not be sent.");
    var first = null;
    var fields = (body.fields) || {};
    Object.keys(fields).forEach(function (name) {
      var messages = fields[name];
      var f = fieldError(name, Array.isArray(messages) ? messages.join(" ") : String(messages));
      first = first || f;
    });
    if (body.code === "outside_perimeter" || /geometry|line|area|perimeter/.test(body.code || "")) say("location-error", detail);
    if (body.photo) first = first || fieldError("photos", detail);
    showErrors(detail, first);
  }

  function resetForm() {
    form.elements.title.value = ""; form.elements.description.value = "";
    $("field-photos").value = ""; $("field-consent").checked = false;
    clearLocation();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    $("form-result").textContent = "";
    var first = localCheck();
    if (first) { showErrors(gettext("Some information is missing; see the messages next to the fields."), first); return; }
    var item = buildSubmission();
    var button = $("submit");
    button.disabled = true;
    function done() { button.disabled = false; }
    if (!navigator.onLine) { queue(item).then(done); return; }
    send(item).then(function (outcome) {
      done();
      if (outcome.sent) { succeeded(outcome.body); resetForm(); fresh = true; refresh(); } else refused(outcome.body);
    }, function () { queue(item).then(done); });
  });

  // ---------------------------------------------------------------- waiting for the network
  function queue(item) {
    return window.Outbox.put(item).then(function () { resetForm(); return showOutbox(); });
  }

  function showOutbox() {
    return window.Outbox.all().then(function (items) {
      var box = $("outbox");
      box.textContent = "";
      box.hidden = !items.length;
      if (!items.length) return;
      box.appendChild(el("p", {}, interpolate(gettext("%(n)s contribution(s) waiting for the network. They are kept on this device and sent automatically when the connection returns."), { n: items.length }, true)));
      var list = el("ul");
      items.forEach(function (item) { list.appendChild(el("li", {}, item.title)); });
      box.appendChild(list);
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    window.Outbox.all().then(function (items) {
      return items.reduce(function (previous, item) {
        return previous.then(function () {
          return send(item).then(function (outcome) {
            if (outcome.sent) succeeded(outcome.body); else refused(outcome.body);
            return window.Outbox.remove(item.key);
          }, function () { /* still offline: keep it */ });
        });
      }, Promise.resolve());
    }).then(function () { flushing = false; fresh = true; refresh(); return showOutbox(); }, function () { flushing = false; });
  }
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  showOutbox().then(flush);
})();
