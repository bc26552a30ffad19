// Assisted entry: tapping the perimeter map fills in latitude and longitude.
"use strict";
(() => {
  const svg = document.querySelector("[data-pickmap]");
  const config = document.getElementById("pickmap-config");
  if (!svg || !config) return;
  const { k } = JSON.parse(config.textContent);
  const marker = svg.querySelector("[data-pick-marker]");
  const lat = document.getElementById("id_latitude");
  const lon = document.getElementById("id_longitude");
  const show = () => {
    const y = parseFloat(lat.value);
    const x = parseFloat(lon.value);
    if (Number.isFinite(x) && Number.isFinite(y)) {
      marker.setAttribute("cx", String(x * k));
      marker.setAttribute("cy", String(-y));
      marker.setAttribute("visibility", "visible");
    }
  };
  svg.addEventListener("click", (event) => {
    const point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const inside = point.matrixTransform(svg.getScreenCTM().inverse());
    lon.value = (inside.x / k).toFixed(6);
    lat.value = (-inside.y).toFixed(6);
    show();
  });
  lat.addEventListener("input", show);
  lon.addEventListener("input", show);
  show();
})();
