import test from "node:test";
import assert from "node:assert/strict";
import { isVisible, payloadOf, problemOf, questionOfRefusal, questionsOf, readDraft, screensOf, visibleQuestions, writeDraft } from "../../mapping/static/mapping/questionnaire/logic.js";

const definition = {
  pages: [
    { position: 0, questions: [
      { code: "bus", kind: "single_choice", required: true, choices: [{ value: "daily" }, { value: "never" }] },
      { code: "why", kind: "multi_choice", condition: { question: "bus", values: ["never"] } },
      { code: "because", kind: "short_text", condition: { question: "why", values: ["slow"] } },
      { code: "age", kind: "number", number_min: 0, number_max: 120 },
    ] },
    { position: 1, questions: [
      { code: "unsafe", kind: "map_point", min_count: 1, max_count: 2, required: true },
      { code: "mood", kind: "scale", scale_min: 1, scale_max: 5 },
    ] },
  ],
};
const questions = questionsOf(definition);
const codes = (list) => list.map((q) => q.code);
const point = { geometry: { type: "Point", coordinates: [7.7, 43.8] }, comment: " près du pont " };

test("questions in order, with their page", () => {
  assert.deepEqual(codes(questions), ["bus", "why", "because", "age", "unsafe", "mood"]);
  assert.deepEqual(questions.map((q) => q.pageIndex), [0, 0, 0, 0, 1, 1]);
});

test("conditions: shown only for the chosen values, and only if the earlier one is shown", () => {
  assert.deepEqual(codes(visibleQuestions(questions, {})), ["bus", "age", "unsafe", "mood"]);
  assert.deepEqual(codes(visibleQuestions(questions, { bus: "never" })), ["bus", "why", "age", "unsafe", "mood"]);
  assert.deepEqual(codes(visibleQuestions(questions, { bus: "never", why: ["slow"] })), ["bus", "why", "because", "age", "unsafe", "mood"]);
  // The earlier answer changed: the chain below it goes.
  assert.deepEqual(codes(visibleQuestions(questions, { bus: "daily", why: ["slow"] })), ["bus", "age", "unsafe", "mood"]);
  const byCode = Object.fromEntries(questions.map((q) => [q.code, q]));
  assert.equal(isVisible(byCode.because, { bus: "never", why: ["far"] }, byCode), false);
});

test("problems found before sending", () => {
  const [bus, , , age, unsafe, mood] = questions;
  assert.deepEqual(problemOf(bus, ""), { code: "required" });
  assert.equal(problemOf(bus, "daily"), null);
  assert.equal(problemOf(age, null), null);
  assert.equal(problemOf(age, "abc").code, "not_a_number");
  assert.equal(problemOf(age, "121").code, "number_too_large");
  assert.equal(problemOf(age, "-1").code, "number_too_small");
  assert.equal(problemOf(mood, 6).code, "out_of_scale");
  assert.equal(problemOf(unsafe, []).code, "required");
  assert.equal(problemOf(unsafe, [point, point, point]).code, "too_many");
});

test("screens: one question on a phone, a page on a wider screen, all for staff", () => {
  const visible = visibleQuestions(questions, {});
  assert.deepEqual(screensOf(visible, "one"), [["bus"], ["age"], ["unsafe"], ["mood"]]);
  assert.deepEqual(screensOf(visible, "page"), [["bus", "age"], ["unsafe", "mood"]]);
  assert.deepEqual(screensOf(visible, "all"), [["bus", "age", "unsafe", "mood"]]);
});

test("what is sent: shown and answered questions only, numbers as numbers, comments trimmed", () => {
  const sent = payloadOf(questions, { bus: "daily", why: ["slow"], age: "42", unsafe: [point], mood: null });
  assert.deepEqual(sent, { bus: "daily", age: 42, unsafe: [{ geometry: point.geometry, comment: "près du pont" }] });
});

test("the question a refusal names", () => {
  assert.equal(questionOfRefusal({ code: "outside_perimeter", question: "unsafe" }, questions), "unsafe");
  assert.equal(questionOfRefusal({ fields: { "answers.age": ["x"] } }, questions), "age");
  assert.equal(questionOfRefusal({ code: "questionnaire_closed" }, questions), null);
});

test("the draft on the device", () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
  assert.equal(readDraft(storage, "d"), null);
  assert.ok(writeDraft(storage, "d", { clientKey: "k-123456", answers: { bus: "daily" } }));
  const draft = readDraft(storage, "d");
  assert.equal(draft.clientKey, "k-123456");
  assert.deepEqual(draft.answers, { bus: "daily" });
  store.set("d", "{not json");
  assert.equal(readDraft(storage, "d"), null);
  const full = { getItem: () => null, setItem: () => { throw new Error("QuotaExceededError"); } };
  assert.equal(writeDraft(full, "d", { clientKey: "k" }), false);
});
