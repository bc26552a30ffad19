/* The map itself: perimeter, communes, the contributions (updated in place: only what changed,
 * so an open popup survives pans, zooms and refreshes), and the keyboard: the map is one Tab
 * stop, Enter goes to the contributions shown and the arrow keys go from one to the next. */
import { $, el, getJSON, i18n, say } from "./dom.js";
import { diff, keyOf } from "./markers.js";

const { gettext, ngettext } = i18n;

export function createView(config, format) {
  const mapElement = $("map");
  const b = config.bbox;
  const perimeterBounds = L.latLngBounds([[b[1], b[0]], [b[3], b[2]]]);
  const map = L.map(mapElement, {
    keyboard: true, zoomControl: false, minZoom: config.zoom.min, maxZoom: config.zoom.max,
    // The map stays by its perimeter: a margin of half its size around it, no further.
    maxBounds: perimeterBounds.pad(0.5), maxBoundsViscosity: 1,
  });
  // Leaflet's own control speaks English: the same control, with the page's words.
  L.control.zoom({ zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out") }).addTo(map);
  mapElement.querySelectorAll(".leaflet-control-zoom a").forEach((a) => a.setAttribute("aria-label", a.title));
  map.fitBounds(perimeterBounds);
  map.setMinZoom(Math.max(config.zoom.min, map.getZoom() - 1));
  map.attributionControl.setPrefix(false);

  // The basemap (basemap.js): a tile service when the operator set one, else one this server
  // serves; a line under the map says which. Pins and perimeter draw whatever happens.
  if (window.siteBasemap) {
    window.siteBasemap.attach(map, config.basemap, { after: mapElement.closest(".map-wrap") || mapElement });
  } else {
    mapElement.classList.add("no-basemap");
  }

  const themeColours = {}, themeNames = {}, kindLabels = {}, kindGlyphs = {};
  config.themes.forEach((th) => { themeColours[th.slug] = th.colour; themeNames[th.slug] = th.name; });
  config.kinds.forEach((k) => { kindLabels[k.value] = k.label; kindGlyphs[k.value] = k.glyph; });

  // The perimeter: outlined, with the world outside greyed out.
  getJSON(config.urls.perimeter).then((r) => {
    if (!r.ok || !r.body.geometry) return;
    const geometry = r.body.geometry;
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    const world = [[-89, -179], [-89, 179], [89, 179], [89, -179]];
    const holes = polygons.map((polygon) => polygon[0].map((c) => [c[1], c[0]]));
    L.polygon([world].concat(holes), { stroke: false, fillColor: "#333", fillOpacity: 0.35, interactive: false }).addTo(map);
    L.geoJSON(r.body, { style: { color: "#1b1b1b", weight: 3, fill: false }, interactive: false }).addTo(map);
  });

  function communeOutlines(body) {
    const outlines = L.geoJSON(body, {
      style: { color: "#5b2a86", weight: 1.5, dashArray: "4 4", fill: false },
      // A text node: names come from imported files and are never read as HTML.
      onEachFeature: (feature, layer) => layer.bindTooltip(document.createTextNode(feature.properties.name), { sticky: true }),
    });
    // Leaflet 1.9.3 puts paths with a tooltip in the Tab order: out of it.
    outlines.on("add", () => outlines.eachLayer((l) => { const path = l.getElement && l.getElement(); if (path) path.setAttribute("tabindex", "-1"); }));
    return outlines;
  }
  let communes = null;
  const communesBox = $("show-communes");
  if (communesBox) {
    communesBox.addEventListener("change", () => {
      if (!communesBox.checked) { if (communes) map.removeLayer(communes); return; }
      if (communes) { communes.addTo(map); return; }
      getJSON(config.urls.communes).then((r) => {
        if (!r.ok) return;
        communes = communeOutlines(r.body);
        if (communesBox.checked) communes.addTo(map);
      });
    });
  }

  // ------------------------------------------------------------ contributions
  const group = L.layerGroup().addTo(map);
  const shown = new Map(); // key -> layer
  let latest = new Set();
  const filterForm = $("filters");
  let requestNumber = 0;

  function filterParams() {
    const params = [];
    if (!filterForm) return params;
    ["kind", "theme", "status", "commune"].forEach((name) => {
      const field = filterForm.elements[name];
      if (field && field.value) params.push(name + "=" + encodeURIComponent(field.value));
    });
    return params;
  }

  function pinIcon(kind, theme) {
    const box = el("div", { class: "pin " + kind });
    box.style.background = themeColours[theme] || "#1f6feb";
    box.appendChild(el("span", { "aria-hidden": "true" }, kindGlyphs[kind] || "•"));
    return L.divIcon({ className: "", html: box, iconSize: [26, 26], iconAnchor: [13, 26], popupAnchor: [0, -24] });
  }

  function clusterIcon(count) {
    const size = count < 10 ? 30 : count < 100 ? 38 : count < 1000 ? 46 : 54;
    const label = count >= 10000 ? format.number(count / 1000) + "k" : format.number(count);
    const box = el("div", { class: "cluster", "aria-hidden": "true" }, label);
    box.style.width = box.style.height = size + "px";
    return L.divIcon({ className: "", html: box, iconSize: [size, size] });
  }

  const pageUrl = (id) => config.urls.contributionPage.replace("00000000-0000-0000-0000-000000000000", id);

  function popupFor(id, title, layer) {
    const box = el("div", { class: "popup" });
    box.appendChild(el("h3", {}, title));
    const body = el("div", {}, gettext("Loading…"));
    box.appendChild(body);
    getJSON(config.urls.contributions + id + "/").then((r) => {
      body.textContent = "";
      if (!r.ok) { body.textContent = gettext("This contribution cannot be shown."); return; }
      const p = r.body.properties;
      body.appendChild(el("p", {}, [kindLabels[p.kind] || p.kind, themeNames[p.theme] || p.theme, p.commune_name].filter(Boolean).join(" · ")));
      if (p.description) body.appendChild(el("p", {}, p.description.length > 200 ? p.description.slice(0, 200) + "…" : p.description));
      body.appendChild(el("p", {}, format.counted(ngettext("%(count)s vote", "%(count)s votes", p.vote_count), p.vote_count) + ", "
        + format.counted(ngettext("%(count)s comment", "%(count)s comments", p.comment_count), p.comment_count)));
      if (p.answer) body.appendChild(el("p", {}, gettext("Answered by the planning services.")));
      body.appendChild(el("p")).appendChild(el("a", { href: pageUrl(id) }, gettext("Open the contribution")));
      // Grown with its content: placed and panned into view again.
      if (layer && layer.isPopupOpen()) layer.getPopup().update();
    });
    return box;
  }

  // Markers are reached from the map with the keyboard, not with Tab (see below).
  function speakable(layer, label) {
    layer.on("add", () => {
      const icon = layer.getElement && layer.getElement();
      if (!icon) return;
      icon.setAttribute("tabindex", "-1");
      icon.setAttribute("role", "button");
      icon.setAttribute("aria-label", label);
      icon.classList.add("map-item");
    });
    return layer;
  }

  function drawFeature(feature) {
    const props = feature.properties;
    const geometry = feature.geometry;
    if (props.cluster) {
      const c = geometry.coordinates;
      const sentence = format.counted(ngettext("%(count)s contribution, zoom in to see it", "%(count)s contributions, zoom in to see them", props.count), props.count);
      const marker = L.marker([c[1], c[0]], { icon: clusterIcon(props.count), keyboard: false, title: sentence });
      marker.on("click", () => {
        const e = props.extent;
        if (e && (e[0] !== e[2] || e[1] !== e[3])) map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { padding: [20, 20] });
        else map.setView([c[1], c[0]], Math.min(map.getZoom() + 2, config.zoom.max));
      });
      return speakable(marker, sentence);
    }
    let layer;
    if (geometry.type === "Point") {
      layer = speakable(L.marker([geometry.coordinates[1], geometry.coordinates[0]], {
        icon: pinIcon(props.kind, props.theme), keyboard: false, title: props.title,
      }), props.title);
    } else {
      layer = L.geoJSON(geometry, { style: { color: themeColours[props.theme] || "#1f6feb", weight: 4, fillOpacity: 0.25 } });
      layer.on("add", () => layer.eachLayer((l) => { const path = l.getElement && l.getElement(); if (path) path.setAttribute("tabindex", "-1"); }));
    }
    // The content is made once per opening (an element, not a function, so that update() after
    // it has loaded keeps it rather than making it again).
    layer.bindPopup(gettext("Loading…"), { autoPanPadding: [16, 16] });
    layer.on("popupopen", (event) => event.popup.setContent(popupFor(props.id, props.title, layer)));
    return layer;
  }

  function popupOpen(key) { const layer = shown.get(key); return Boolean(layer && layer.isPopupOpen && layer.isPopupOpen()); }

  function update(features) {
    const change = diff(Array.from(shown.keys()), features, popupOpen);
    latest = new Set(features.map(keyOf));
    change.remove.forEach((key) => { group.removeLayer(shown.get(key)); shown.delete(key); });
    change.add.forEach((feature) => {
      const key = keyOf(feature);
      const layer = drawFeature(feature);
      // Kept while its popup was open: gone once it closes, if the map no longer has it.
      layer.on("popupclose", () => { if (!latest.has(key) && shown.get(key) === layer) { group.removeLayer(layer); shown.delete(key); } });
      shown.set(key, layer);
      group.addLayer(layer);
    });
  }

  function refresh() {
    const bounds = map.getBounds();
    const bbox = [
      Math.max(-180, bounds.getWest()), Math.max(-85, bounds.getSouth()),
      Math.min(180, bounds.getEast()), Math.min(85, bounds.getNorth()),
    ].map((v) => v.toFixed(6)).join(",");
    const url = config.urls.clusters + "?" + ["bbox=" + bbox, "zoom=" + map.getZoom()].concat(filterParams()).join("&");
    const mine = ++requestNumber;
    return getJSON(url).then((r) => {
      if (mine !== requestNumber || !r.ok) return;
      update(r.body.features);
      if (!mapElement.hasAttribute("data-loaded") && window.performance && performance.mark) performance.mark("contributions-drawn");
      mapElement.setAttribute("data-loaded", "true");
      say("map-status", format.counted(ngettext("%(count)s contribution in this view.", "%(count)s contributions in this view.", r.body.numberMatched), r.body.numberMatched));
    }).catch(() => say("map-status", gettext("The contributions cannot be loaded right now.")));
  }

  if (filterForm) {
    filterForm.addEventListener("change", (event) => {
      const link = $("list-link");
      if (link) link.href = config.urls.list + "?" + filterParams().join("&");
      // Choosing a commune shows it: the map fits the commune's box (page data), and the
      // refresh that follows the move brings its contributions.
      const chosen = event.target.name === "commune" && event.target.value
        ? (config.communes || []).find((c) => c.code === event.target.value)
        : null;
      if (chosen) {
        const [x0, y0, x1, y1] = chosen.bbox;
        map.fitBounds([[y0, x0], [y1, x1]], { padding: [12, 12] });
      }
      refresh();
    });
  }

  // ------------------------------------------------------------ keyboard
  // Arrow keys on the map move it (Leaflet); Enter goes to the contribution nearest the
  // centre, then the arrow keys go to the nearest one in that direction, Enter opens it and
  // Escape goes back to the map.
  const DIRECTIONS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  function items() {
    return Array.from(mapElement.querySelectorAll(".map-item")).map((icon) => {
      const r = icon.getBoundingClientRect();
      return { icon, x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
  }
  function nearest(from, direction) {
    let best = null, bestScore = Infinity;
    items().forEach((item) => {
      if (item.icon === from.icon) return;
      const dx = item.x - from.x, dy = item.y - from.y;
      if (direction) {
        const along = dx * direction[0] + dy * direction[1];
        if (along <= 0) return;
        const across = Math.abs(dx * direction[1]) + Math.abs(dy * direction[0]);
        const score = along + 2 * across;
        if (score < bestScore) { best = item; bestScore = score; }
      } else {
        const score = dx * dx + dy * dy;
        if (score < bestScore) { best = item; bestScore = score; }
      }
    });
    return best;
  }
  mapElement.addEventListener("keydown", (event) => {
    const onItem = event.target.classList && event.target.classList.contains("map-item");
    if (event.target === mapElement && event.key === "Enter") {
      const r = mapElement.getBoundingClientRect();
      const first = nearest({ icon: null, x: r.left + r.width / 2, y: r.top + r.height / 2 }, null);
      if (first) { event.preventDefault(); first.icon.focus(); }
      else say("map-status", gettext("No contribution is shown here; move or zoom out the map."));
      return;
    }
    if (!onItem) return;
    if (DIRECTIONS[event.key]) {
      event.preventDefault();
      const r = event.target.getBoundingClientRect();
      const next = nearest({ icon: event.target, x: r.left + r.width / 2, y: r.top + r.height / 2 }, DIRECTIONS[event.key]);
      if (next) next.icon.focus();
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      event.target.click();
    } else if (event.key === "Escape") {
      mapElement.focus();
    }
  });

  // ------------------------------------------------------------ a place marked by a message
  const marks = L.layerGroup().addTo(map);
  function markPlace(lonlat) {
    marks.clearLayers();
    if (!lonlat) return;
    L.circleMarker([lonlat[1], lonlat[0]], { radius: 14, color: "#b00020", weight: 3, fill: false, interactive: false, className: "error-mark" }).addTo(marks);
  }

  function showFocus(focus) {
    const layer = focus.geometry.type === "Point"
      ? L.marker([focus.geometry.coordinates[1], focus.geometry.coordinates[0]], { icon: pinIcon(focus.kind, focus.theme), keyboard: false })
      : L.geoJSON(focus.geometry, { style: { color: themeColours[focus.theme] || "#1f6feb", weight: 5 } });
    layer.addTo(map);
    // The commune boundaries give the place its context, with or without a basemap.
    getJSON(config.urls.communes).then((r) => { if (r.ok) communeOutlines(r.body).addTo(map); });
    if (focus.geometry.type === "Point") map.setView(layer.getLatLng(), 14);
    else map.fitBounds(layer.getBounds(), { padding: [20, 20] });
  }

  return { map, refresh, markPlace, showFocus, perimeterBounds, mapElement };
}
