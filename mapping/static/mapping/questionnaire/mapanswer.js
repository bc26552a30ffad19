/* A map question: its own Leaflet map (the site's basemap, the perimeter, the zoom range of
 * LEAFLET_CONFIG), on which the resident places points or draws lines and areas point by point
 * (a tap, or "at the centre of the map" from the keyboard, as the contribution form does),
 * each answer with an optional comment. Limits are checked as the drawing grows (count,
 * length, area, inside the perimeter through the server's check-location); the server decides. */
import { el, getJSON, i18n } from "../modules/dom.js";
import { explain } from "../modules/messages.js";
import { judgeShape } from "../modules/measure.js";
import { GEOMETRY } from "./logic.js";

const { gettext, interpolate, ngettext } = i18n;
const round = (v) => +v.toFixed(7);

let perimeter = null; // one request for every map of the page
function perimeterOf(url) {
  if (!perimeter) perimeter = getJSON(url).catch(() => ({ ok: false }));
  return perimeter;
}

export function createMapQuestion({ question, box, config, format, texts, onChange }) {
  const code = question.code;
  const shape = GEOMETRY[question.kind];
  const limits = { maxLineM: question.max_length_m ?? null, maxAreaM2: question.max_area_m2 ?? null };
  const maxCount = question.max_count || 1;
  let answers = [];
  let vertices = [];
  let map = null, drawn = null, draft = null;

  const id = (name) => "q-" + code + "-" + name;
  const wrap = el("div", { class: "map-wrap" });
  const mapElement = el("div", { id: id("map"), class: "map q-map", tabindex: "0", "aria-label": texts.mapLabel, "aria-describedby": id("keys") });
  const message = el("p", { id: id("message"), class: "map-message", role: "status", "aria-live": "polite", hidden: "" });
  wrap.append(mapElement, el("div", { class: "crosshair", "aria-hidden": "true" }), message);
  const keys = el("p", { id: id("keys"), class: "visually-hidden" }, gettext("Arrow keys move the map, plus and minus zoom. The button under the map places a point where the cross is, at the centre of the map."));
  const buttons = el("div", { class: "where-buttons" });
  const centre = el("button", { type: "button", class: "secondary", id: id("centre") },
    shape === "Point" ? gettext("Place at the centre of the map") : gettext("Add a point at the centre of the map"));
  buttons.appendChild(centre);
  const finish = el("button", { type: "button", id: id("finish"), hidden: "" }, shape === "LineString" ? gettext("Finish this line") : gettext("Finish this area"));
  const undo = el("button", { type: "button", class: "secondary", id: id("undo"), hidden: "" }, gettext("Remove the last point"));
  const restart = el("button", { type: "button", class: "secondary", id: id("restart"), hidden: "" }, gettext("Start again"));
  if (shape !== "Point") buttons.append(finish, undo, restart);
  // Said once, by the message on the map (role=status); kept under the buttons to read again.
  const status = el("p", { id: id("status"), class: "visually-hidden" });
  const list = el("ul", { id: id("answers"), class: "map-answers" });
  box.append(wrap, keys, buttons, status, list);

  function say(text, tone) {
    message.textContent = text || "";
    message.className = "map-message" + (tone ? " " + tone : "");
    message.hidden = !text;
    if (tone !== "error") status.textContent = text || "";
  }

  function countText() {
    if (maxCount === 1) return "";
    return interpolate(ngettext("%(count)s of at most %(max)s placed.", "%(count)s of at most %(max)s placed.", maxCount),
      { count: format.number(answers.length), max: format.number(maxCount) }, true);
  }

  function ensureMap() {
    if (map) { map.invalidateSize(); return map; }
    const b = config.bbox;
    const bounds = L.latLngBounds([[b[1], b[0]], [b[3], b[2]]]);
    map = L.map(mapElement, {
      keyboard: true, zoomControl: false, minZoom: config.zoom.min, maxZoom: config.zoom.max,
      maxBounds: bounds.pad(0.5), maxBoundsViscosity: 1,
    });
    L.control.zoom({ zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out") }).addTo(map);
    mapElement.querySelectorAll(".leaflet-control-zoom a").forEach((a) => a.setAttribute("aria-label", a.title));
    map.fitBounds(bounds);
    map.attributionControl.setPrefix(false);
    if (window.siteBasemap) window.siteBasemap.attach(map, config.basemap, { after: wrap });
    else mapElement.classList.add("no-basemap");
    perimeterOf(config.urls.perimeter).then((r) => {
      if (!r.ok || !r.body.geometry) return;
      L.geoJSON(r.body, { style: { color: "#1b1b1b", weight: 3, fill: false }, interactive: false }).addTo(map);
    });
    drawn = L.layerGroup().addTo(map);
    draft = L.layerGroup().addTo(map);
    map.on("click", (event) => place(event.latlng));
    mapElement.dataset.ready = "true";
    redraw();
    return map;
  }

  // The server's word on a place (the contribution form's check): null when accepted.
  function refusalAt(latlng) {
    if (question.inside_perimeter === false) return Promise.resolve(null);
    const url = config.urls.checkLocation + "?lon=" + latlng.lng.toFixed(6) + "&lat=" + latlng.lat.toFixed(6);
    return getJSON(url).then((r) => (r.ok ? null : r.body)).catch(() => null); // offline: checked when sent
  }
  const sentence = (body) => body.detail || explain(body, { i18n, format, limits }).text;

  function full() {
    if (answers.length < maxCount) return false;
    say(format.counted(ngettext("This question takes at most %(count)s answer: remove one first.", "This question takes at most %(count)s answers: remove one first.", maxCount), maxCount), "error");
    return true;
  }

  function place(latlng) {
    if (shape === "Point" && maxCount > 1 && full()) return Promise.resolve(false);
    if (shape !== "Point" && !vertices.length && full()) return Promise.resolve(false);
    return refusalAt(latlng).then((refused) => {
      if (refused) { say(sentence(refused), "error"); texts.showError(code, sentence(refused)); return false; }
      texts.showError(code, "");
      const position = [round(latlng.lng), round(latlng.lat)];
      if (shape === "Point") {
        const geometry = { type: "Point", coordinates: position };
        if (maxCount === 1 && answers.length) answers[0] = { geometry, comment: answers[0].comment };
        else answers.push({ geometry, comment: "" });
        changed();
        say((gettext("Point placed.") + " " + countText()).trim());
        return true;
      }
      const next = vertices.concat([position]);
      const judged = judgeShape(shape, next, limits);
      if (!judged.ok) {
        say(shape === "LineString"
          ? interpolate(gettext("This point would make the line %(length)s long; this question accepts at most %(max)s."), { length: format.distance(judged.length), max: format.distance(judged.max) }, true)
          : interpolate(gettext("This point would make the area %(area)s; this question accepts at most %(max)s."), { area: format.area(judged.area), max: format.area(judged.max) }, true), "error");
        return false;
      }
      vertices = next;
      drawDraft();
      return true;
    });
  }

  function measure(positions) {
    const judged = judgeShape(shape, positions, limits);
    return shape === "LineString" ? format.distance(judged.length) : format.area(judged.area);
  }

  function drawDraft() {
    if (!draft) return;
    draft.clearLayers();
    const latlngs = vertices.map((c) => [c[1], c[0]]);
    latlngs.forEach((v) => draft.addLayer(L.circleMarker(v, { radius: 5, color: "#1b1b1b", fillColor: "#f2a900", fillOpacity: 1 })));
    if (latlngs.length >= 2) draft.addLayer(shape === "LineString" ? L.polyline(latlngs, { color: "#f2a900", weight: 5 }) : L.polygon(latlngs, { color: "#f2a900", weight: 3 }));
    const needed = shape === "LineString" ? 2 : 3;
    finish.hidden = vertices.length < needed;
    undo.hidden = restart.hidden = !vertices.length;
    const parts = [format.counted(ngettext("%(count)s point placed", "%(count)s points placed", vertices.length), vertices.length)];
    if (vertices.length >= 2) parts.push(measure(vertices));
    if (vertices.length < needed) {
      parts.push(shape === "LineString"
        ? format.counted(ngettext("A line needs at least %(count)s point.", "A line needs at least %(count)s points.", needed), needed)
        : format.counted(ngettext("An area needs at least %(count)s point.", "An area needs at least %(count)s points.", needed), needed));
    }
    say(vertices.length ? parts.join(" · ") : "");
  }

  function finishShape() {
    if (shape === "Polygon") {
      const judged = judgeShape(shape, vertices, limits);
      if (judged.crossing) { say(gettext("The outline of the area crosses itself: move or remove a point so that it does not."), "error"); return; }
    }
    const geometry = shape === "LineString"
      ? { type: "LineString", coordinates: vertices.slice() }
      : { type: "Polygon", coordinates: [vertices.concat([vertices[0]])] };
    const length = measure(vertices);
    answers.push({ geometry, comment: "" });
    vertices = [];
    drawDraft();
    changed();
    say(((shape === "LineString" ? interpolate(gettext("Line finished: %(length)s."), { length }, true) : interpolate(gettext("Area finished: %(area)s."), { area: length }, true)) + " " + countText()).trim());
  }

  const latlngsOf = (g) => (g.type === "Point" ? [[g.coordinates[1], g.coordinates[0]]] : (g.type === "Polygon" ? g.coordinates[0] : g.coordinates).map((c) => [c[1], c[0]]));

  function redraw() {
    if (drawn) {
      drawn.clearLayers();
      answers.forEach((a, index) => {
        const g = a.geometry;
        const label = String(index + 1);
        const layer = g.type === "Point"
          ? L.marker(latlngsOf(g)[0], { keyboard: false, icon: L.divIcon({ className: "", html: el("div", { class: "new-pin" }, label), iconSize: [30, 30] }) })
          : g.type === "LineString" ? L.polyline(latlngsOf(g), { color: "#5b2a86", weight: 5 }) : L.polygon(latlngsOf(g), { color: "#5b2a86", weight: 3 });
        drawn.addLayer(layer);
      });
    }
    list.textContent = "";
    answers.forEach((a, index) => {
      const item = el("li", { class: "map-answer" });
      const name = shape === "Point" ? interpolate(gettext("Point %(n)s"), { n: index + 1 }, true)
        : shape === "LineString" ? interpolate(gettext("Line %(n)s: %(length)s"), { n: index + 1, length: measure(a.geometry.coordinates) }, true)
          : interpolate(gettext("Area %(n)s: %(area)s"), { n: index + 1, area: measure(a.geometry.coordinates[0].slice(0, -1)) }, true);
      item.appendChild(el("p", { class: "map-answer-name" }, name));
      const commentId = id("comment-" + index);
      item.appendChild(el("label", { for: commentId }, interpolate(gettext("Comment on %(name)s (optional)"), { name: name.split(":")[0] }, true)));
      const comment = el("textarea", { id: commentId, maxlength: String(texts.commentMax), rows: "2" });
      comment.value = a.comment || "";
      comment.addEventListener("input", () => { answers[index].comment = comment.value; onChange(code, answers.slice()); });
      item.appendChild(comment);
      const remove = el("button", { type: "button", class: "secondary", id: id("remove-" + index) }, interpolate(gettext("Remove %(name)s"), { name: name.split(":")[0] }, true));
      remove.addEventListener("click", () => {
        answers.splice(index, 1); changed();
        say((gettext("Removed.") + " " + countText()).trim());
        centre.focus();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  function changed() { redraw(); onChange(code, answers.slice()); }

  centre.addEventListener("click", () => { ensureMap(); place(map.getCenter()); });
  finish.addEventListener("click", finishShape);
  undo.addEventListener("click", () => { vertices.pop(); drawDraft(); });
  restart.addEventListener("click", () => { vertices = []; drawDraft(); });

  return {
    code,
    show() { ensureMap(); },
    load(value) { answers = Array.isArray(value) ? value.map((a) => ({ geometry: a.geometry, comment: a.comment || "" })) : []; redraw(); },
    // A refusal from the server, on the map too when it names a place.
    problem(text) {
      if (text) say(text, "error");
      ensureMap();
      if (!answers.length) return;
      const bounds = L.latLngBounds(answers.flatMap((a) => latlngsOf(a.geometry)));
      map.fitBounds(bounds.pad(0.5), { maxZoom: 13, animate: false });
    },
    // A line or area drawn far enough but not finished is kept when the resident moves on.
    commit() { if (vertices.length >= (shape === "LineString" ? 2 : 3) && (shape !== "Polygon" || !judgeShape(shape, vertices, limits).crossing)) finishShape(); },
    first: () => centre,
    get map() { return map; },
  };
}
