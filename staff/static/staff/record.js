// Assisted entry: a tap on the place map (django-leaflet's widget) puts the point there at
// once, without picking the marker tool first, and fills in latitude and longitude; typed
// coordinates move the point. The widget's own field keeps the point as GeoJSON.
// The map takes the height its column has (record.css), so it is told when that changes.
// A refused entry puts the focus on the list of errors (the title has it otherwise).
"use strict";
(() => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  const lat = document.getElementById("id_latitude");
  const lon = document.getElementById("id_longitude");
  if (!lat || !lon) return;

  window.addEventListener("map:init", (event) => {
    const map = event.detail.map;
    if ("ResizeObserver" in window) {
      new ResizeObserver(() => map.invalidateSize()).observe(map.getContainer());
    }
    map.on("map:loadfield", ({ field }) => {
      const put = (latlng, fromTyping) => {
        // onCreated is what the marker tool calls: it replaces the point and saves the field.
        field.onCreated({ layer: L.marker(latlng, { keyboard: false }) });
        if (!fromTyping) {
          lat.value = latlng.lat.toFixed(6);
          lon.value = latlng.lng.toFixed(6);
        }
      };
      map.on("click", (e) => put(e.latlng, false));
      const typed = () => {
        const y = parseFloat(lat.value);
        const x = parseFloat(lon.value);
        if (Number.isFinite(x) && Number.isFinite(y)) put(L.latLng(y, x), true);
      };
      lat.addEventListener("change", typed);
      lon.addEventListener("change", typed);
      if (!field.drawnItems.getLayers().length) typed();
    });
  });
})();
