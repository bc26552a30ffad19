/* Results ("you said, we did") on the map: a layer of its own (a square sign with a tick,
 * dashed outlines for lines and areas), a legend entry that also shows or hides it, and a
 * popup with the title, status and progress linking to the result's page. On a result's own
 * page, only that result, framed. */
import { el, getJSON, i18n } from "./dom.js";

const { gettext, interpolate } = i18n;
const COLOUR = "#8a3b00";
const STYLE = { color: COLOUR, weight: 4, dashArray: "8 4", fillColor: COLOUR, fillOpacity: 0.12 };

function resultIcon() {
  const box = el("div", { class: "result-marker", "aria-hidden": "true" }, "✓");
  Object.assign(box.style, {
    width: "22px", height: "22px", lineHeight: "22px", textAlign: "center", fontWeight: "bold",
    color: "#fff", background: COLOUR, border: "2px solid #fff", boxShadow: "0 0 0 1px " + COLOUR,
  });
  return L.divIcon({ className: "", html: box, iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12] });
}

function popup(properties) {
  const box = el("div", { class: "popup result-popup" });
  const heading = el("h3");
  heading.appendChild(el("a", { href: properties.url, lang: properties.language }, properties.title));
  box.appendChild(heading);
  const words = { status: properties.status_label, progress: properties.progress };
  box.appendChild(el("p", {}, interpolate(gettext("Result: %(status)s, progress %(progress)s percent"), words, true)));
  const bar = el("progress", { max: "100", value: String(properties.progress) }, properties.progress + "%");
  bar.setAttribute("aria-label", gettext("Progress"));
  box.appendChild(bar);
  return box;
}

function layerOf(geojson, withPopups) {
  return L.geoJSON(geojson, {
    style: STYLE,
    pointToLayer: (feature, latlng) => L.marker(latlng, {
      icon: resultIcon(), title: feature.properties ? feature.properties.title : "", alt: gettext("Result"),
      // Out of the Tab order, as the contributions' pins are (view.js): one stop each would
      // come before the form; the list page links every result.
      keyboard: false,
    }),
    onEachFeature: (feature, layer) => { if (withPopups) layer.bindPopup(() => popup(feature.properties)); },
  });
}

function legend(map, layer, count) {
  const control = L.control({ position: "bottomleft" });
  control.onAdd = () => {
    const box = el("div", { class: "results-legend leaflet-bar" });
    Object.assign(box.style, { background: "#fff", padding: "4px 8px" });
    const label = el("label", { class: "inline" });
    const box2 = el("input", { type: "checkbox", id: "show-results" });
    box2.checked = true;
    box2.addEventListener("change", () => (box2.checked ? layer.addTo(map) : layer.remove()));
    const sign = el("span", { "aria-hidden": "true" }, " ✓ ");
    Object.assign(sign.style, { color: "#fff", background: COLOUR, padding: "0 3px", margin: "0 4px" });
    label.appendChild(box2);
    label.appendChild(sign);
    label.appendChild(document.createTextNode(
      interpolate(i18n.ngettext("%s result: what was done", "%s results: what was done", count), [count])));
    box.appendChild(label);
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  control.addTo(map);
}

// The project map: every result with a place, as a layer with its legend.
export function setupResults(view, config) {
  const url = config.urls.contributions.replace(/contributions\/?$/, "results.geojson");
  getJSON(url).then((r) => {
    if (!r.ok || !r.body.features || !r.body.features.length) return;
    const layer = layerOf(r.body, true).addTo(view.map);
    legend(view.map, layer, r.body.features.length);
  });
}

// A result's page: its place, framed.
export function showResult(view, result) {
  // Drawn (or nothing to draw): the page is ready, as the project map says once it has drawn.
  view.mapElement.setAttribute("data-loaded", "true");
  if (!result.geometry) return;
  const layer = layerOf(result.geometry, false).addTo(view.map);
  const bounds = layer.getBounds();
  if (!bounds.isValid()) return;
  if (bounds.getNorthEast().equals(bounds.getSouthWest())) view.map.setView(bounds.getCenter(), 14);
  else view.map.fitBounds(bounds, { padding: [20, 20], maxZoom: 14 });
}
