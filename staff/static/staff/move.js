// Moving a pin: a tap on django-leaflet's map puts the pin there at once, without picking the
// marker tool first; the map opens close on the pin as it is. The widget's own field keeps
// the new point as GeoJSON for the form.
"use strict";
(() => {
  const form = document.querySelector(".move-form");
  if (!form) return;
  window.addEventListener("map:init", (event) => {
    const map = event.detail.map;
    map.on("map:loadfield", ({ field }) => {
      const pins = field.drawnItems.getLayers();
      if (pins.length && pins[0].getLatLng) map.setView(pins[0].getLatLng(), 14);
      map.on("click", (e) => {
        field.onCreated({ layer: L.marker(e.latlng, { keyboard: false }) });
      });
    });
  });
})();
