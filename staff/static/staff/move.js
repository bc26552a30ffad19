// Moving a pin: a tap on django-leaflet's map puts the pin there at once, without picking the
// marker tool first (the widget opens close on the pin as it is). The widget's own field keeps
// the new point as GeoJSON for the form.
"use strict";
(() => {
  const form = document.querySelector(".move-form");
  if (!form) return;
  window.addEventListener("map:init", (event) => {
    const map = event.detail.map;
    map.on("map:loadfield", ({ field }) => {
      map.on("click", (e) => {
        field.onCreated({ layer: L.marker(e.latlng, { keyboard: false }) });
      });
    });
  });
})();
