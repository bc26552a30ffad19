/* Partner projects (the projects the partners put to the residents' vote) on the map: a layer
 * of their own, apart from the residents' contributions (a diamond with a star, dotted
 * outlines for lines and areas), a legend entry that also shows or hides it, and a popup
 * with the "proposed by the partners" badge, the theme, the partner and a link to the
 * project's page, where residents vote. On a partner project's own page, only that project,
 * framed. */
import { el, getJSON, i18n } from "./dom.js";

const { gettext, interpolate } = i18n;
const COLOUR = "#ad1457";
const STYLE = { color: COLOUR, weight: 4, dashArray: "2 6", fillColor: COLOUR, fillOpacity: 0.15 };

function partnerIcon() {
  // A square turned into a diamond: unlike the contributions' pins and the results' squares.
  const box = el("div", { class: "partner-marker", "aria-hidden": "true" });
  Object.assign(box.style, {
    width: "20px", height: "20px", background: COLOUR, border: "2px solid #fff",
    boxShadow: "0 0 0 1px " + COLOUR, transform: "rotate(45deg)", display: "flex",
    alignItems: "center", justifyContent: "center",
  });
  const star = el("span", {}, "★");
  Object.assign(star.style, { color: "#fff", transform: "rotate(-45deg)", fontSize: "13px", lineHeight: "1" });
  box.appendChild(star);
  return L.divIcon({ className: "", html: box, iconSize: [28, 28], iconAnchor: [14, 14], popupAnchor: [0, -14] });
}

function badge() {
  const mark = el("span", { class: "badge partner-badge" }, gettext("Proposed by the partners"));
  Object.assign(mark.style, { background: COLOUR, color: "#fff" });
  return mark;
}

function popup(properties) {
  const box = el("div", { class: "popup partner-popup" });
  box.appendChild(badge());
  const heading = el("h3");
  heading.appendChild(el("a", { href: properties.url, lang: properties.language }, properties.title));
  box.appendChild(heading);
  const facts = [properties.theme && properties.theme.name, properties.partner && properties.partner.name];
  const line = facts.filter(Boolean).join(" · ");
  if (line) box.appendChild(el("p", {}, line));
  if (properties.vote && properties.vote.state === "open") {
    const para = el("p");
    para.appendChild(el("a", { href: properties.url + "#vote" }, gettext("Give your vote")));
    box.appendChild(para);
  }
  return box;
}

function layerOf(geojson, withPopups) {
  return L.geoJSON(geojson, {
    style: STYLE,
    pointToLayer: (feature, latlng) => L.marker(latlng, {
      icon: partnerIcon(), title: feature.properties ? feature.properties.title : "",
      alt: gettext("Project proposed by the partners"),
      // Out of the Tab order, as the contributions' pins are (view.js): the list page and the
      // project's own page link every partner project.
      keyboard: false,
    }),
    onEachFeature: (feature, layer) => { if (withPopups) layer.bindPopup(() => popup(feature.properties)); },
  });
}

function legend(map, layer, count) {
  const control = L.control({ position: "bottomleft" });
  control.onAdd = () => {
    const box = el("div", { class: "partner-legend leaflet-bar" });
    Object.assign(box.style, { background: "#fff", padding: "4px 8px" });
    const label = el("label", { class: "inline" });
    const toggle = el("input", { type: "checkbox", id: "show-partner-projects" });
    toggle.checked = true;
    toggle.addEventListener("change", () => (toggle.checked ? layer.addTo(map) : layer.remove()));
    const sign = el("span", { "aria-hidden": "true" }, " ◆ ");
    Object.assign(sign.style, { color: COLOUR, margin: "0 4px" });
    label.appendChild(toggle);
    label.appendChild(sign);
    label.appendChild(document.createTextNode(interpolate(
      i18n.ngettext("%s project proposed by the partners", "%s projects proposed by the partners", count), [count])));
    box.appendChild(label);
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  control.addTo(map);
}

// The project map: every published partner project, as a layer with its legend.
export function setupPartnerProjects(view, config) {
  const url = config.urls.contributions.replace(/contributions\/?$/, "partner-projects/");
  getJSON(url).then((r) => {
    if (!r.ok || !r.body.features || !r.body.features.length) return;
    const layer = layerOf(r.body, true).addTo(view.map);
    legend(view.map, layer, r.body.features.length);
  });
}

// A partner project's page: its place, framed.
export function showPartnerProject(view, partnerProject) {
  view.mapElement.setAttribute("data-loaded", "true");
  if (!partnerProject.geometry) return;
  const layer = layerOf(partnerProject.geometry, false).addTo(view.map);
  const bounds = layer.getBounds();
  if (!bounds.isValid()) return;
  if (bounds.getNorthEast().equals(bounds.getSouthWest())) view.map.setView(bounds.getCenter(), 12);
  // Zoomed out enough to show the communes around it (the basemap names them).
  else view.map.fitBounds(bounds, { padding: [40, 40], maxZoom: 12 });
}
