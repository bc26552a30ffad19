// The partner projects' forms: a refused form puts the focus on its list of errors; the
// place map (django-leaflet's widget, which draws points, lines and areas) follows the size
// its column takes.
"use strict";
(() => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  window.addEventListener("map:init", (event) => {
    const map = event.detail.map;
    if ("ResizeObserver" in window) {
      new ResizeObserver(() => map.invalidateSize()).observe(map.getContainer());
    }
  });
})();
