/* A questionnaire's rules on the device: its questions in order, which ones show (conditions),
 * what an answer must hold before it is sent, the screens (one question on a phone, a page of
 * questions on a wider screen, all of them for staff entry) and what is sent. Pure: no DOM,
 * no Leaflet; the server checks everything again and decides. */

export const MAP_KINDS = ["map_point", "map_line", "map_area"];
export const GEOMETRY = { map_point: "Point", map_line: "LineString", map_area: "Polygon" };
export const isMap = (question) => MAP_KINDS.indexOf(question.kind) >= 0;

// The questions of a definition, in answering order, each with the index of its page. The
// definition holds pages of questions, or a flat list of questions naming their page.
export function questionsOf(definition) {
  const list = [];
  if (Array.isArray(definition.pages) && definition.pages.some((p) => Array.isArray(p.questions))) {
    definition.pages.forEach((page, index) => (page.questions || []).forEach((q) => list.push(Object.assign({}, q, { pageIndex: index }))));
  } else {
    const pages = (definition.pages || []).map((p) => p.id !== undefined ? p.id : p.position);
    (definition.questions || []).forEach((q) => {
      const index = pages.indexOf(q.page);
      list.push(Object.assign({}, q, { pageIndex: index < 0 ? 0 : index }));
    });
  }
  return list;
}

function chosenValues(value) {
  if (Array.isArray(value)) return value.map(String);
  if (value === undefined || value === null || value === "") return [];
  return [String(value)];
}

// Shown when it has no condition, or when the earlier question it depends on is shown and
// answered with one of the condition's values.
export function isVisible(question, answers, byCode, depth = 0) {
  const condition = question.condition;
  if (!condition || !condition.question || depth > 50) return true;
  const earlier = byCode[condition.question];
  if (!earlier || !isVisible(earlier, answers, byCode, depth + 1)) return false;
  const wanted = (condition.values || []).map(String);
  return chosenValues(answers[condition.question]).some((v) => wanted.indexOf(v) >= 0);
}

export function visibleQuestions(questions, answers) {
  const byCode = {};
  questions.forEach((q) => { byCode[q.code] = q; });
  return questions.filter((q) => isVisible(q, answers, byCode));
}

export function isAnswered(question, value) {
  if (value === undefined || value === null) return false;
  if (isMap(question) || question.kind === "multi_choice") return Array.isArray(value) && value.length > 0;
  if (typeof value === "string") return value.trim() !== "";
  return true;
}

// What is wrong with an answer before it is sent: {code, values} or null. The page turns the
// code into a sentence (messages in the page's language).
export function problemOf(question, value) {
  if (!isAnswered(question, value)) return question.required ? { code: "required" } : null;
  if (question.kind === "number") {
    const n = Number(value);
    if (!Number.isFinite(n)) return { code: "not_a_number" };
    if (question.number_min != null && n < question.number_min) return { code: "number_too_small", values: { min: question.number_min } };
    if (question.number_max != null && n > question.number_max) return { code: "number_too_large", values: { max: question.number_max } };
  }
  if (question.kind === "scale") {
    const n = Number(value);
    if (!Number.isInteger(n) || n < question.scale_min || n > question.scale_max) return { code: "out_of_scale" };
  }
  if (isMap(question)) {
    const count = value.length;
    if (question.min_count && count < question.min_count) return { code: "too_few", values: { count: question.min_count } };
    if (question.max_count && count > question.max_count) return { code: "too_many", values: { count: question.max_count } };
  }
  return null;
}

// The screens, each a list of question codes: on a phone one visible question per screen, on
// a wider screen the visible questions of a page, for staff entry all of them.
export function screensOf(visible, mode) {
  if (mode === "all") return visible.length ? [visible.map((q) => q.code)] : [];
  if (mode === "one") return visible.map((q) => [q.code]);
  const screens = [];
  let page = null;
  visible.forEach((q) => {
    if (q.pageIndex !== page) { screens.push([]); page = q.pageIndex; }
    screens[screens.length - 1].push(q.code);
  });
  return screens;
}

// The answers sent: only those of questions shown and answered, map answers as GeoJSON with
// their comment (trimmed), numbers as numbers.
export function payloadOf(questions, answers) {
  const sent = {};
  visibleQuestions(questions, answers).forEach((q) => {
    const value = answers[q.code];
    if (!isAnswered(q, value)) return;
    if (isMap(q)) sent[q.code] = value.map((a) => ({ geometry: a.geometry, comment: (a.comment || "").trim() }));
    else if (q.kind === "number" || q.kind === "scale") sent[q.code] = Number(value);
    else if (typeof value === "string") sent[q.code] = value.trim();
    else sent[q.code] = value;
  });
  return sent;
}

// The question a server's refusal is about: its `question` or the first of its `fields`.
export function questionOfRefusal(body, questions) {
  if (!body) return null;
  const codes = questions.map((q) => q.code);
  const named = [body.question, body.field].concat(Object.keys(body.fields || {}), Object.keys(body.answers || {}));
  for (const name of named) {
    if (!name) continue;
    const code = String(name).replace(/^answers\./, "").split(/[.[]/)[0];
    if (codes.indexOf(code) >= 0) return code;
  }
  return null;
}

// The stored draft: what the resident answered, where they were, and the key that makes the
// sending idempotent (made once per draft).
export function readDraft(storage, key) {
  try {
    const draft = JSON.parse(storage.getItem(key) || "null");
    return draft && typeof draft === "object" && draft.clientKey ? draft : null;
  } catch {
    return null;
  }
}

export function writeDraft(storage, key, draft) {
  try {
    storage.setItem(key, JSON.stringify(Object.assign({}, draft, { savedAt: new Date().toISOString() })));
    return true;
  } catch {
    return false; // storage full or refused: the answers stay in the page
  }
}
