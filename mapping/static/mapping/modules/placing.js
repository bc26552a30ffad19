/* Placing a contribution: a point (tap, centre, location, commune search) or a line or an area
 * drawn point by point, with its live length or area against the project's limit. A refused
 * place never undoes a good one; every answer shows on the map (dom.notify). */
import { $, el, getJSON, i18n, notify, say } from "./dom.js";
import { explain } from "./messages.js";
import { judgeShape } from "./measure.js";

const { gettext, interpolate, ngettext } = i18n;

export function setupPlacing({ config, view, format, limits, form }) {
  const map = view.map;
  let shape = "Point";
  let vertices = [];
  let chosen = null; // the GeoJSON geometry to send
  // A point left where the commune search put it says only "somewhere in this commune":
  // density maps and hotspots must not read it as a place. A tap or a drag makes it exact.
  let precision = "exact";
  const draft = L.layerGroup().addTo(map);
  const round = (v) => +v.toFixed(7);
  const positions = () => vertices.map((v) => [round(v.lng), round(v.lat)]);

  function status(text) { say("location-status", text); say("location-error", ""); notify(text, "ok"); }
  function error(text, place) {
    say("location-error", text);
    notify(text, "error");
    view.markPlace(place || null);
  }

  function clear(message) {
    chosen = null; vertices = []; draft.clearLayers(); view.markPlace(null);
    say("location-status", message || gettext("No place chosen yet."));
    say("location-error", "");
    notify("");
  }

  function refusal(body, kept) {
    const message = explain(body, { i18n, format, limits });
    const text = kept ? message.text + " " + kept : message.text;
    error(text, message.place);
  }

  // The server's word on a place: its answer, or null when refused (said on the map).
  function checkPoint(latlng) {
    const url = config.urls.checkLocation + "?lon=" + latlng.lng.toFixed(6) + "&lat=" + latlng.lat.toFixed(6);
    return getJSON(url).then((r) => {
      if (!r.ok) return { refused: r.body };
      return r.body;
    }).catch(() => ({ accepted: true, commune: null, unchecked: true })); // offline: checked again when sent
  }

  function keptNote() {
    if (!chosen && !vertices.length) return "";
    return shape === "Point" ? gettext("Your earlier place is kept.") : gettext("The points already placed are kept.");
  }

  function drawPoint(latlng) {
    draft.clearLayers();
    const marker = L.marker(latlng, {
      draggable: true, keyboard: true, title: gettext("Your contribution"),
      icon: L.divIcon({ className: "", html: el("div", { class: "new-pin" }), iconSize: [30, 30] }),
    });
    marker.on("dragend", () => setPoint(marker.getLatLng()));
    draft.addLayer(marker);
  }

  function setPoint(latlng, how) {
    const before = chosen && chosen.type === "Point" ? L.latLng(chosen.coordinates[1], chosen.coordinates[0]) : null;
    return checkPoint(latlng).then((answer) => {
      if (answer.refused) {
        refusal(answer.refused, keptNote());
        if (before) drawPoint(before); // a dragged pin goes back where it was accepted
        return false;
      }
      view.markPlace(null);
      precision = how || "exact";
      drawPoint(latlng);
      chosen = { type: "Point", coordinates: [round(latlng.lng), round(latlng.lat)] };
      status(answer.commune
        ? interpolate(gettext("Place chosen in %(commune)s."), { commune: answer.commune.name }, true)
        : gettext("Place chosen."));
      return true;
    });
  }

  function measureText(judged) {
    if (shape === "LineString") {
      return judged.max == null
        ? interpolate(gettext("Line: %(length)s."), { length: format.distance(judged.length) }, true)
        : interpolate(gettext("Line: %(length)s of at most %(max)s."), { length: format.distance(judged.length), max: format.distance(judged.max) }, true);
    }
    return judged.max == null
      ? interpolate(gettext("Area: %(area)s."), { area: format.area(judged.area) }, true)
      : interpolate(gettext("Area: %(area)s of at most %(max)s."), { area: format.area(judged.area), max: format.area(judged.max) }, true);
  }

  function addVertex(latlng) {
    return checkPoint(latlng).then((answer) => {
      if (answer.refused) { refusal(answer.refused, keptNote()); return false; }
      const next = positions().concat([[round(latlng.lng), round(latlng.lat)]]);
      const judged = judgeShape(shape, next, limits);
      if (!judged.ok) {
        // The step that crosses the limit is refused before anything is sent.
        const text = shape === "LineString"
          ? interpolate(gettext("This point would make the line %(length)s long; this project accepts at most %(max)s."), { length: format.distance(judged.length), max: format.distance(judged.max) }, true)
          : interpolate(gettext("This point would make the area %(area)s; this project accepts at most %(max)s."), { area: format.area(judged.area), max: format.area(judged.max) }, true);
        error(text + " " + keptNote());
        return false;
      }
      vertices.push(latlng);
      drawVertices();
      return true;
    });
  }

  function drawVertices() {
    draft.clearLayers();
    view.markPlace(null);
    vertices.forEach((v) => draft.addLayer(L.circleMarker(v, { radius: 5, color: "#1b1b1b", fillColor: "#f2a900", fillOpacity: 1 })));
    const coords = positions();
    const needed = shape === "LineString" ? 2 : 3;
    if (vertices.length >= 2) {
      draft.addLayer(shape === "LineString" ? L.polyline(vertices, { color: "#f2a900", weight: 5 }) : L.polygon(vertices, { color: "#f2a900", weight: 3 }));
    }
    chosen = null;
    if (vertices.length >= needed) {
      chosen = shape === "LineString" ? { type: "LineString", coordinates: coords } : { type: "Polygon", coordinates: [coords.concat([coords[0]])] };
    }
    const count = format.counted(ngettext("%(count)s point placed", "%(count)s points placed", vertices.length), vertices.length);
    const parts = [count];
    if (vertices.length >= 2) parts.push(measureText(judgeShape(shape, coords, limits)));
    if (vertices.length < needed) {
      parts.push(shape === "LineString"
        ? format.counted(ngettext("A line needs at least %(count)s point.", "A line needs at least %(count)s points.", needed), needed)
        : format.counted(ngettext("An area needs at least %(count)s point.", "An area needs at least %(count)s points.", needed), needed));
    }
    const text = parts.join(" · ");
    const crossing = shape === "Polygon" && coords.length >= 4 ? judgeShape(shape, coords, limits).crossing : null;
    if (crossing) error(text + " · " + gettext("The outline of the area crosses itself (marked on the map): move or remove a point so that it does not."), crossing);
    else status(text);
  }

  function place(latlng, how) { return shape === "Point" ? setPoint(latlng, how) : addVertex(latlng); }

  map.on("click", (event) => place(event.latlng));
  $("place-centre").addEventListener("click", () => place(map.getCenter()));
  $("use-location").addEventListener("click", () => {
    if (!navigator.geolocation) { error(gettext("This browser cannot give your location.")); return; }
    status(gettext("Looking for your location…"));
    navigator.geolocation.getCurrentPosition((position) => {
      const latlng = L.latLng(position.coords.latitude, position.coords.longitude);
      checkPoint(latlng).then((answer) => {
        if (answer.refused) {
          // Far away: the map stays on the perimeter and says how far.
          const body = answer.refused;
          const text = body.code === "outside_perimeter" && typeof body.distance_m === "number"
            ? interpolate(gettext("You are %(distance)s away from the %(perimeter)s perimeter: the map stays on it. Tap the map where your contribution is."), { distance: format.distance(body.distance_m), perimeter: body.perimeter || "" }, true)
            : explain(body, { i18n, format, limits }).text;
          error(text + (keptNote() ? " " + keptNote() : ""));
          return;
        }
        map.setView(latlng, Math.max(map.getZoom(), 16));
        place(latlng);
      });
    }, () => error(gettext("Your location is not available; place the pin on the map instead.")), { enableHighAccuracy: true, timeout: 15000 });
  });

  function setShape(value) {
    shape = value;
    $("draw-buttons").hidden = shape === "Point";
    $("place-centre").textContent = shape === "Point" ? gettext("Place at the centre of the map") : gettext("Add a point at the centre of the map");
  }
  form.querySelectorAll("input[name=shape]").forEach((radio) => {
    radio.addEventListener("change", () => { setShape(radio.value); clear(); });
  });
  $("draw-undo").addEventListener("click", () => { vertices.pop(); drawVertices(); });
  $("draw-clear").addEventListener("click", () => clear());

  // Finding a commune by name.
  function search() {
    const text = $("place-search").value.trim();
    const results = $("place-results");
    results.textContent = "";
    if (!text) return;
    getJSON(config.urls.places + "?q=" + encodeURIComponent(text)).then((r) => {
      if (!r.ok || !r.body.results.length) { results.appendChild(el("li", {}, gettext("No commune of this project has that name."))); return; }
      r.body.results.forEach((p) => {
        // The name it was found by, beside the official one: "Nice (Nizza)".
        const label = p.also ? interpolate(gettext("%(name)s (%(also)s)"), { name: p.name, also: p.also }, true) : p.name;
        const button = el("button", { type: "button", class: "secondary" }, label);
        button.addEventListener("click", () => {
          map.fitBounds([[p.bbox[1], p.bbox[0]], [p.bbox[3], p.bbox[2]]]);
          results.textContent = "";
          place(L.latLng(p.lat, p.lon), "commune");
        });
        results.appendChild(el("li")).appendChild(button);
      });
    });
  }
  $("place-search-button").addEventListener("click", search);
  $("place-search").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); search(); } });

  // A draft's geometry, back on the map as it was (not checked again: the server will).
  function load(geometry, how) {
    if (!geometry) { clear(); return; }
    const radio = form.querySelector("input[name=shape][value=" + geometry.type + "]");
    if (radio) radio.checked = true;
    setShape(geometry.type);
    if (geometry.type === "Point") {
      vertices = [];
      const latlng = L.latLng(geometry.coordinates[1], geometry.coordinates[0]);
      drawPoint(latlng);
      chosen = geometry; precision = how || "exact";
      map.setView(latlng, Math.max(map.getZoom(), 14));
      return;
    }
    const coords = geometry.type === "Polygon" ? geometry.coordinates[0].slice(0, -1) : geometry.coordinates;
    vertices = coords.map((c) => L.latLng(c[1], c[0]));
    drawVertices();
    map.fitBounds(L.latLngBounds(vertices), { padding: [30, 30] });
  }

  // Before sending: a place is chosen, and an area's outline does not cross itself.
  // {text, place} or null.
  function problem() {
    if (!chosen) return { text: shape === "Point" ? gettext("Choose a place on the map first.") : gettext("Draw the line or area on the map first.") };
    if (chosen.type === "Polygon") {
      const judged = judgeShape("Polygon", chosen.coordinates[0], limits);
      if (judged.crossing) return { text: gettext("The outline of the area crosses itself (marked on the map): move or remove a point so that it does not."), place: judged.crossing };
    }
    return null;
  }

  return {
    chosen: () => chosen,
    precision: () => (chosen && chosen.type === "Point" ? precision : "exact"),
    clear, load, problem, refusal,
    error,
  };
}
