import test from "node:test";
import assert from "node:assert/strict";
import { explain } from "../../mapping/static/mapping/modules/messages.js";
import { makeFormat } from "../../mapping/static/mapping/modules/format.js";
import { i18n, catalogue } from "./i18n.mjs";

const limits = { maxLineM: 2000, maxAreaM2: 500000 };

test("the engine's words never reach people; the place is kept", () => {
  const format = makeFormat("en", i18n);
  const body = { code: "invalid_geometry", detail: "The geometry is not valid (Self-intersection[7.54 44.15]): an area's outline must not cross itself." };
  const message = explain(body, { i18n, format, limits });
  assert.doesNotMatch(message.text, /Self-intersection|\[/);
  assert.deepEqual(message.place, [7.54, 44.15]);
  assert.equal(message.geometry, true);
});

test("the engine's words are not shown even when the sentence is not yet translated", () => {
  const format = makeFormat("it", i18n);
  const body = { code: "invalid_geometry", detail: "La geometria non è valida (Self-intersection[7.54 44.15])" };
  assert.doesNotMatch(explain(body, { i18n, format, limits }).text, /Self-intersection/);
});

test("outside the perimeter: the distance in the page's units and numbers", () => {
  const frI18n = catalogue({ "This place is outside the %(perimeter)s perimeter, %(distance)s away from it.": "Ce lieu est en dehors du périmètre %(perimeter)s, à %(distance)s de celui-ci." });
  const fr = makeFormat("fr", frI18n);
  const body = { code: "outside_perimeter", detail: "…8 629 m…", distance_m: 8629.4, perimeter: "PITER ALPIMED" };
  const text = explain(body, { i18n: frI18n, format: fr, limits }).text;
  assert.match(text, /^Ce lieu est en dehors du périmètre PITER ALPIMED, à 8,6\s*km de celui-ci\.$/);
});

test("an untranslated sentence gives way to the server's, already in the page's language", () => {
  const format = makeFormat("fr", i18n);
  const body = { code: "outside_perimeter", detail: "Ce lieu est en dehors du périmètre X, à 8 629 m de celui-ci.", distance_m: 8629.4, perimeter: "X" };
  assert.equal(explain(body, { i18n, format, limits }).text, body.detail);
});

test("limits are said with the project's figures", () => {
  const format = makeFormat("en", i18n);
  assert.match(explain({ code: "line_too_long", detail: "x" }, { i18n, format, limits }).text, /at most 2 km/);
  assert.match(explain({ code: "area_too_large", detail: "x" }, { i18n, format, limits }).text, /at most 50 ha/);
});

test("other refusals keep the server's sentence", () => {
  const format = makeFormat("en", i18n);
  const message = explain({ code: "unknown_theme", detail: "No such theme." }, { i18n, format, limits });
  assert.equal(message.text, "No such theme.");
  assert.equal(message.geometry, false);
});
