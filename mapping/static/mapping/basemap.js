/* The basemap of every map on the site, chosen by the server's basemap config
 * (layers/basemap*.py): a tile service when the operator configured one (LEAFLET_CONFIG TILES),
 * falling back to the territory basemap when its tiles fail; else a tile archive this server
 * holds; else the territory basemap this server makes from its own communes. Nothing here
 * reaches a third party unless the operator set a tile service.
 *
 * Maps made by django-leaflet (admin, staff forms) get theirs on its map:init event; the public
 * map calls window.siteBasemap.attach(map, config, options) itself. Under each map, a line says
 * which basemap is shown, and a visually hidden one lists the places named on it, since the
 * names are drawn on a canvas that screen readers cannot read. */
(function () {
  "use strict";
  if (window.siteBasemap) return;  // loaded by both django-leaflet's page and form plugins
  var CONFIG_URL = "/basemap/config.json";
  // Django's catalogue may load after this script: looked up when a text is needed.
  function gettext(s) { return window.gettext ? window.gettext(s) : s; }
  function interpolate(s, a) { return window.interpolate ? window.interpolate(s, a) : s.replace("%s", a[0]); }
  var pm = window.protomapsL;
  var counter = 0;

  function pageLanguage() { return (document.documentElement.lang || "fr").slice(0, 2); }

  var configPromise = null;
  function fetchConfig() {
    if (!configPromise) {
      var url = CONFIG_URL + "?lang=" + encodeURIComponent(pageLanguage());
      configPromise = fetch(url, { headers: { Accept: "application/json", "Accept-Language": pageLanguage() }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; });
    }
    return configPromise;
  }

  // ------------------------------------------------------------------ the territory style
  // A quiet background: the perimeter lightly filled, thin grey commune outlines, stronger
  // outlines for intercommunalities and provinces, commune names with a white halo. Ranks
  // (layers/basemap/territory.py): 1 province, 2 intercommunality, then communes by
  // population, 3 (100,000 and more) to 7; smaller ranks are placed first, so they win
  // collisions, drawn larger, and the smallest places wait for closer zooms, so a phone shows
  // a few readable names rather than a heap.
  var INK = "#2b2b2b", HALO = "#ffffff";
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  function rank(feature) { var r = Number(feature && feature.props.rank); return isNaN(r) ? 9 : r; }
  function shownAt(z, feature) { return rank(feature) <= (z <= 7 ? 5 : z <= 9 ? 6 : 9); }
  function labelFont(z, feature) {
    var r = rank(feature);
    var size = r <= 3 ? 15 : r <= 4 ? 13 : r <= 5 ? 12 : 11;
    if (z >= 12) size += 1;
    return (r <= 4 ? "600 " : "400 ") + size + "px " + FONT;
  }
  function parentFont() { return "italic 500 12px " + FONT; }
  function isParent(feature) { return rank(feature) <= 2; }

  // Wraps a label symbolizer: one label per name close by (a commune's point may come in
  // several tiles), and the name kept with the label so the page can list what is shown.
  function Named(inner) { this.inner = inner; }
  Named.prototype.place = function (layout, geom, feature) {
    var labels = this.inner.place(layout, geom, feature);
    var name = feature.props.name;
    if (!labels || !name) return labels;
    labels.forEach(function (label) {
      label.deduplicationKey = String(name);
      label.deduplicationDistance = 256;
    });
    return labels;
  };

  function territoryRules() {
    var paintRules = [
      { dataLayer: "perimeter", symbolizer: new pm.PolygonSymbolizer({ fill: "#fbfaf5", opacity: 1 }) },
      { dataLayer: "communes", symbolizer: new pm.LineSymbolizer({ color: "#a4a9ad", width: function (z) { return z >= 11 ? 1 : 0.7; } }) },
      { dataLayer: "parents", symbolizer: new pm.LineSymbolizer({ color: "#6d737a", width: function (z) { return z >= 10 ? 2 : 1.4; } }) },
    ];
    var text = { labelProps: ["name"], fill: INK, stroke: HALO, width: 3, maxLineChars: 14 };
    var labelRules = [
      {
        dataLayer: "labels",
        filter: function (z, f) { return !isParent(f) && shownAt(z, f); },
        sort: function (a, b) { return rank({ props: a }) - rank({ props: b }); },
        symbolizer: new Named(new pm.CenteredTextSymbolizer(Object.assign({ font: labelFont }, text))),
      },
      {
        // Provinces only, in grey italics, zoomed far out: closer, they crowd out the communes.
        dataLayer: "labels",
        maxzoom: 7,
        filter: function (z, f) { return rank(f) === 1; },
        symbolizer: new pm.CenteredTextSymbolizer(Object.assign({}, text, { font: parentFont, fill: "#5f6368" })),
      },
    ];
    return { paintRules: paintRules, labelRules: labelRules };
  }

  function territoryLayer(territory) {
    var rules = territoryRules();
    return pm.leafletLayer({
      url: territory.url,
      paintRules: rules.paintRules,
      labelRules: rules.labelRules,
      backgroundColor: "#e8eaec",
      maxDataZoom: territory.maxzoom || 14,
      minZoom: 0,
      maxZoom: 19,
      attribution: territory.attribution || "",
      lang: pageLanguage(),
    });
  }

  function archiveLayer(archive) {
    var options = { attribution: archive.attribution || "", maxNativeZoom: archive.maxzoom, maxZoom: 19 };
    var isPmtiles = archive.format === "pmtiles" && archive.url.indexOf("{z}") < 0;
    if (archive.type === "raster") {
      if (isPmtiles) return window.pmtiles.leafletRasterLayer(new window.pmtiles.PMTiles(archive.url), options);
      return L.tileLayer(archive.url, options);
    }
    if (archive.schema === "territory") {
      return territoryLayer(Object.assign({}, archive, { url: isPmtiles ? new window.pmtiles.PMTiles(archive.url) : archive.url }));
    }
    // Another vector schema (an OpenStreetMap extract): protomaps' own light theme.
    return pm.leafletLayer({
      url: isPmtiles ? new window.pmtiles.PMTiles(archive.url) : archive.url,
      flavor: "light",
      lang: pageLanguage(),
      maxDataZoom: archive.maxzoom || 15,
      attribution: archive.attribution || "",
    });
  }

  // ------------------------------------------------------------------ what the page says
  function notes(map, after) {
    if (map._basemapNotes) return map._basemapNotes;
    var id = "basemap-" + (++counter);
    var line = document.createElement("p");
    line.className = "basemap-note";
    line.id = id + "-note";
    var places = document.createElement("p");
    places.className = "basemap-places";
    places.id = id + "-places";
    var anchor = after || map.getContainer();
    anchor.parentNode.insertBefore(places, anchor.nextSibling);
    anchor.parentNode.insertBefore(line, anchor.nextSibling);
    var container = map.getContainer();
    var described = (container.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    container.setAttribute("aria-describedby", described.concat([line.id, places.id]).join(" "));
    map._basemapNotes = { line: line, places: places };
    return map._basemapNotes;
  }

  function say(map, after, label) { notes(map, after).line.textContent = label || ""; }

  // The names placed in view, most important first, from the layer's label index.
  function listPlaces(map, layer, after) {
    var labelers = layer.labelers;
    var z = layer._tileZoom;
    if (!labelers || z === undefined || !map._loaded) return;
    var index = labelers.getIndex(z);
    var target = notes(map, after).places;
    var names = [];
    if (index) {
      var scale = Math.pow(2, z - map.getZoom());
      var b = map.getPixelBounds();
      var seen = {};
      index.tree.search({ minX: b.min.x * scale, minY: b.min.y * scale, maxX: b.max.x * scale, maxY: b.max.y * scale })
        .forEach(function (item) {
          var name = item.indexedLabel.deduplicationKey;
          if (name && !seen[name]) { seen[name] = true; names.push(name); }
        });
    }
    var text = names.length ? interpolate(gettext("Places named on the map: %s."), [names.join(", ")]) : "";
    target.textContent = text;
    target.setAttribute("data-places", names.join("|"));
  }

  function watchPlaces(map, layer, after) {
    var timer = null;
    function later() { clearTimeout(timer); timer = setTimeout(function () { listPlaces(map, layer, after); }, 150); }
    layer.on("load", later);
    map.on("moveend", later);
    layer.on("remove", function () { map.off("moveend", later); });
  }

  // ------------------------------------------------------------------ attaching a basemap
  function addTerritory(map, config, after, label) {
    var layer = territoryLayer(config.territory);
    layer.addTo(map);
    layer.bringToBack();
    watchPlaces(map, layer, after);
    say(map, after, label);
    map.getContainer().setAttribute("data-basemap", "territory");
    return layer;
  }

  function territoryFallbackLabel(config) {
    return (config.territory && config.territory.label) ||
      gettext("Background map: communes and boundaries drawn by this site, as the tile service cannot be reached.");
  }

  function attachTiles(map, config, after, existing) {
    var layer = existing || L.tileLayer(config.tiles.url, {
      attribution: config.tiles.attribution || "", maxZoom: 19, referrerPolicy: "strict-origin",
    });
    var loaded = 0, failed = false;
    layer.on("tileload", function () { loaded += 1; });
    layer.on("tileerror", function () {
      // No tile at all: the tile service is unreachable here; the territory basemap takes over.
      if (loaded || failed) return;
      failed = true;
      map.removeLayer(layer);
      addTerritory(map, config, after, territoryFallbackLabel(config));
    });
    if (!existing) layer.addTo(map);
    say(map, after, config.label);
    map.getContainer().setAttribute("data-basemap", "tiles");
    return layer;
  }

  function attachWith(map, config, options) {
    options = options || {};
    var after = options.after;
    var existing = null;
    map.eachLayer(function (layer) { if (layer instanceof L.TileLayer && !existing) existing = layer; });
    if (!config || !pm) {
      // No config: whatever django-leaflet set up stays, and the page says nothing false.
      return null;
    }
    if (config.kind === "tiles" && (config.tiles || existing)) return attachTiles(map, config, after, existing);
    if (existing) map.removeLayer(existing);
    if (config.kind === "archive" && config.archive) {
      var layer = archiveLayer(config.archive);
      layer.addTo(map);
      layer.bringToBack();
      if (layer.labelers) watchPlaces(map, layer, after);
      say(map, after, config.label);
      map.getContainer().setAttribute("data-basemap", "archive");
      return layer;
    }
    return addTerritory(map, config, after, config.label);
  }

  // config: the server's basemap config (the public map has it in its page data); without one,
  // it is read from the server.
  function attach(map, config, options) {
    if (config && config.kind) return Promise.resolve(attachWith(map, config, options));
    return fetchConfig().then(function (fetched) { return attachWith(map, fetched, options); });
  }

  window.siteBasemap = { attach: attach };

  // Leaflet's zoom buttons speak English: the page's words instead (the catalogue has them).
  function localiseZoom(map) {
    var control = map.zoomControl;
    if (!control || !control._zoomInButton) return;
    [[control._zoomInButton, gettext("Zoom in")], [control._zoomOutButton, gettext("Zoom out")]].forEach(function (pair) {
      pair[0].title = pair[1];
      pair[0].setAttribute("aria-label", pair[1]);
    });
  }

  window.addEventListener("map:init", function (event) {
    var map = event.detail && event.detail.map;
    if (!map) return;
    localiseZoom(map);
    attach(map, null, {});
  });
})();
