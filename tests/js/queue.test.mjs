import test from "node:test";
import assert from "node:assert/strict";
import { draftOf, flushItems, outcomeOf, refusals, refusedItem, waiting } from "../../mapping/static/mapping/modules/queue.js";
import { diff, keyOf } from "../../mapping/static/mapping/modules/markers.js";

const item = (key, title, geometry = { type: "Point", coordinates: [7.26, 43.7] }) => ({
  key, title, language: "fr",
  feature: JSON.stringify({ type: "Feature", geometry, properties: { kind: "report", theme: "health", title, description: "Texte " + title, email: "a@b.c", location_precision: "exact" } }),
  photos: [],
});

test("what an answer means for a waiting contribution", () => {
  assert.equal(outcomeOf(201), "sent");
  assert.equal(outcomeOf(200), "sent");
  assert.equal(outcomeOf(422), "refused");
  assert.equal(outcomeOf(400), "refused");
  assert.equal(outcomeOf(413), "refused");
  assert.equal(outcomeOf(503), "retry");
  assert.equal(outcomeOf(429), "retry");
  assert.equal(outcomeOf(408), "retry");
});

test("a refused item keeps everything typed, and its reason", () => {
  const refused = refusedItem(item("k1", "Banc"), { code: "outside_perimeter", detail: "loin" }, "Ce lieu est loin.");
  const draft = draftOf(refused);
  assert.equal(draft.title, "Banc");
  assert.equal(draft.description, "Texte Banc");
  assert.equal(draft.email, "a@b.c");
  assert.equal(draft.kind, "report");
  assert.deepEqual(draft.geometry, { type: "Point", coordinates: [7.26, 43.7] });
  assert.equal(draft.reason, "Ce lieu est loin.");
  assert.deepEqual(waiting([refused, item("k2", "x")]).map((i) => i.key), ["k2"]);
  assert.deepEqual(refusals([refused, item("k2", "x")]).map((i) => i.key), ["k1"]);
});

test("flushing: sent ones go, refused ones become drafts, unreachable ones wait", async () => {
  const items = [item("a", "sent"), item("b", "refused"), item("c", "offline"), refusedItem(item("d", "old draft"), {}, "r")];
  const answers = { a: { status: 201, body: { id: 1 } }, b: { status: 422, body: { code: "line_too_long" } } };
  const calls = [], sent = [], refused = [];
  await flushItems(items, async (i) => {
    calls.push(i.key);
    if (i.key === "c") throw new Error("offline");
    return answers[i.key];
  }, { sent: (i) => sent.push(i.key), refused: (i, body) => refused.push([i.key, body.code]) });
  assert.deepEqual(calls, ["a", "b", "c"]); // a draft is never sent again by itself
  assert.deepEqual(sent, ["a"]);
  assert.deepEqual(refused, [["b", "line_too_long"]]);
});

test("markers: only what changed is added or removed; an open popup's stays", () => {
  const pin = (id, title = "t") => ({ type: "Feature", geometry: { type: "Point", coordinates: [1, 2] }, properties: { id, kind: "report", theme: "x", title } });
  const cluster = { type: "Feature", geometry: { type: "Point", coordinates: [3, 4] }, properties: { cluster: true, count: 12 } };
  const shown = [keyOf(pin(1)), keyOf(pin(2)), keyOf(cluster)];
  const change = diff(shown, [pin(1), pin(3), cluster]);
  assert.deepEqual(change.add.map((f) => f.properties.id), [3]);
  assert.deepEqual(change.remove, [keyOf(pin(2))]);
  assert.deepEqual(diff(shown, [], (key) => key === keyOf(pin(2))).remove, [keyOf(pin(1)), keyOf(cluster)]);
  // A renamed contribution is drawn again.
  assert.equal(diff([keyOf(pin(1))], [pin(1, "new")]).add.length, 1);
});
