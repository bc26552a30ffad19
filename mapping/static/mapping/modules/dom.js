/* Small helpers for the page: elements (user text only ever goes in textContent), the
 * translation catalogue, JSON reads, and the message shown on the map. */

export const i18n = {
  gettext: window.gettext || ((s) => s),
  ngettext: window.ngettext || ((s, p, n) => (n === 1 ? s : p)),
  interpolate: window.interpolate || ((s) => s),
};
export const lang = document.documentElement.lang || "fr";

export function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach((name) => node.setAttribute(name, attrs[name]));
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}
export const $ = (id) => document.getElementById(id);
export function say(id, text) { const node = $(id); if (node) node.textContent = text || ""; }

// After this browser has sent a contribution, map reads skip the HTTP cache once so the new
// pin shows at once.
let fresh = false;
export function markFresh() { fresh = true; }
export function getJSON(url) {
  const options = { headers: { "Accept-Language": lang, Accept: "application/json" }, credentials: "same-origin" };
  if (fresh) options.cache = "no-cache";
  return fetch(url, options).then((response) => response.json().catch(() => ({})).then((body) => ({ ok: response.ok, status: response.status, body })));
}

// The answer to a gesture on the map, where the person is looking: on the map's lower edge,
// announced to screen readers, and scrolled into view if the page had moved away.
export function notify(text, tone) {
  const box = $("map-message");
  if (!box) return;
  box.textContent = text || "";
  box.className = "map-message" + (tone ? " " + tone : "");
  box.hidden = !text;
  if (!text) return;
  const rect = box.getBoundingClientRect();
  if (rect.top < 0 || rect.bottom > window.innerHeight) box.scrollIntoView({ block: "nearest" });
}
