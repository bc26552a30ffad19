// The coverage map of the partners' projects: the perimeter's communes coloured covered or
// not, the published projects drawn over them (points, lines, areas). The communes are the
// map: no tile server is needed. Its data come from the page (#coverage-data); the same
// facts are in the tables below the map.
"use strict";
(() => {
  const element = document.getElementById("coverage-map");
  const source = document.getElementById("coverage-data");
  if (!element || !source || !window.L) return;
  const data = JSON.parse(source.textContent);
  const covered = new Set(data.covered);
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false, keyboard: true, zoomControl: false });
  // Leaflet's zoom buttons speak English: the page's words instead.
  L.control.zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut }).addTo(map);
  const communes = L.geoJSON(data.communes, {
    style: (feature) => {
      const isCovered = covered.has(feature.properties.code);
      return {
        color: "#444",
        weight: 0.6,
        fillColor: isCovered ? "#2e7d32" : "#f4b400",
        fillOpacity: isCovered ? 0.45 : 0.35,
      };
    },
    onEachFeature: (feature, layer) => {
      const state = covered.has(feature.properties.code)
        ? data.labels.covered
        : data.labels.uncovered;
      layer.bindTooltip(`${feature.properties.name}: ${state}`, { sticky: true });
    },
  }).addTo(map);
  L.geoJSON(data.projects, {
    style: { color: "#5b2a86", weight: 4, fillColor: "#5b2a86", fillOpacity: 0.3 },
    pointToLayer: (_feature, latlng) =>
      L.circleMarker(latlng, {
        radius: 7,
        color: "#fff",
        weight: 2,
        fillColor: "#5b2a86",
        fillOpacity: 1,
      }),
    onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties.title),
  }).addTo(map);
  const bounds = communes.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
  else map.setView([44, 7.5], 8);
  if ("ResizeObserver" in window) {
    new ResizeObserver(() => map.invalidateSize()).observe(element);
  }
})();
