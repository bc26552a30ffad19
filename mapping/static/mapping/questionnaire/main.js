/* Answering a questionnaire, from the definition the page hands over (json_script, so it keeps
 * working once loaded, network or not): one question per screen on a phone, a page of questions
 * on a wider screen, all of them for staff entry; conditions applied as the person answers;
 * progress said and shown; the draft saved on the device at every change (it survives a
 * closed tab); the answers sent through the outbox (sending.js). Modules: logic (pure rules),
 * render (a question's elements), mapanswer (a map question), sending. */
import { $, i18n } from "../modules/dom.js";
import { makeFormat } from "../modules/format.js";
import { explain } from "../modules/messages.js";
import { NARROW } from "../modules/steps.js";
import { isAnswered, payloadOf, problemOf, questionOfRefusal, questionsOf, readDraft, screensOf, visibleQuestions, writeDraft } from "./logic.js";
import { problemText, renderQuestion } from "./render.js";
import { setupSending } from "./sending.js";

const { gettext, interpolate } = i18n;
const configElement = $("questionnaire-config");
if (configElement) start(JSON.parse(configElement.textContent));

function start(config) {
  const lang = config.language || document.documentElement.lang || "fr";
  const format = makeFormat(lang, i18n);
  const staff = config.mode === "staff";
  const storage = window.localStorage;
  const questions = questionsOf(config.definition);
  const form = $("questionnaire-form");
  const holder = $("q-questions");
  const live = (text) => { const box = $("q-status"); box.textContent = ""; box.textContent = text || ""; };

  // The draft: answers, the screen reached and the idempotency key, made once per draft.
  let draft = staff ? null : readDraft(storage, config.draftKey);
  const restored = Boolean(draft && Object.keys(draft.answers || {}).length);
  if (!draft) draft = { clientKey: config.clientKey || window.Outbox.newKey(), answers: Object.assign({}, config.initialAnswers || {}), at: null };
  const answers = draft.answers;
  const save = () => { if (!staff) writeDraft(storage, config.draftKey, draft); };

  const texts = {
    mapLabel: gettext("Map: move it to the place, then tap it or use the button under it."),
    shortMax: config.limits.short, longMax: config.limits.long, commentMax: config.limits.comment,
    showError,
  };
  const blocks = {};
  questions.forEach((question, index) => {
    const block = renderQuestion({ question, number: index + 1, config: config.map, format, texts, onChange: changed });
    block.section.hidden = true;
    holder.appendChild(block.section);
    blocks[question.code] = block;
    if (answers[question.code] !== undefined) block.widget.load(answers[question.code]);
  });

  const media = window.matchMedia ? window.matchMedia(NARROW) : null;
  const mode = () => (staff ? "all" : media && media.matches ? "one" : "page");
  let visible = [], screens = [], current = 0;

  function layout() {
    const keep = screens[current] && screens[current][0];
    visible = visibleQuestions(questions, answers);
    screens = screensOf(visible, mode());
    const again = screens.findIndex((s) => s.indexOf(keep) >= 0);
    if (again >= 0) current = again;
    current = Math.max(0, Math.min(current, screens.length - 1));
    show();
  }

  // "Question 3 of 9", said and drawn (the bar's aria values say the same).
  function progressOf(codes) {
    const first = visible.findIndex((q) => q.code === codes[0]) + 1;
    const last = first + codes.length - 1;
    const total = visible.length;
    const text = codes.length > 1
      ? interpolate(gettext("Questions %(first)s to %(last)s of %(total)s"), { first: format.number(first), last: format.number(last), total: format.number(total) }, true)
      : interpolate(gettext("Question %(number)s of %(total)s"), { number: format.number(first), total: format.number(total) }, true);
    $("q-progress-text").textContent = text;
    const bar = $("q-progress-bar");
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(last));
    bar.setAttribute("aria-valuetext", text);
    bar.firstElementChild.style.width = (total ? Math.round((100 * last) / total) : 0) + "%";
    $("q-progress").hidden = false;
  }

  function show() {
    const codes = screens[current] || [];
    questions.forEach((q) => { blocks[q.code].section.hidden = codes.indexOf(q.code) < 0; });
    visible.forEach((q, index) => { blocks[q.code].heading.querySelector(".question-number").textContent = format.number(index + 1) + ". "; });
    codes.forEach((code) => { if (blocks[code].widget.show) blocks[code].widget.show(); });
    if (!staff) progressOf(codes);
    const end = current >= screens.length - 1;
    $("q-back").hidden = current === 0 || staff;
    $("q-next").hidden = end;
    $("q-send").hidden = !end;
  }

  function changed(code, value) {
    answers[code] = value;
    draft.at = screens[current] ? screens[current][0] : null;
    if (blocks[code].error.textContent && !problemOf(blocks[code].question, value)) showError(code, "");
    save();
    layout();
  }

  function showError(code, text) {
    const block = blocks[code];
    if (!block) return;
    block.error.textContent = text || "";
    block.section.classList.toggle("has-error", Boolean(text));
    const field = $("q-" + code + "-field");
    if (field) { if (text) field.setAttribute("aria-invalid", "true"); else field.removeAttribute("aria-invalid"); }
  }

  // The questions of the given codes checked; the first with a problem, or null.
  function check(codes) {
    let first = null;
    codes.forEach((code) => {
      const block = blocks[code];
      if (block.widget.commit) block.widget.commit();
      const problem = problemOf(block.question, answers[code]);
      showError(code, problem ? problemText(problem, format) : "");
      if (problem && !first) first = code;
    });
    return first;
  }

  // A problem's question shown, its message read and focused.
  function point(code, text) {
    const index = screens.findIndex((s) => s.indexOf(code) >= 0);
    if (index >= 0 && index !== current) { current = index; show(); }
    if (text) showError(code, text);
    $("q-errors").textContent = gettext("Some answers need your attention; see the message next to the question.");
    blocks[code].error.focus();
  }

  function go(index) {
    $("q-restored").hidden = true;
    current = index; draft.at = screens[current][0]; save(); show();
    $("q-errors").textContent = "";
    blocks[screens[current][0]].heading.focus();
    window.scrollTo(0, $("q-progress").offsetTop);
  }
  $("q-back").addEventListener("click", () => go(current - 1));
  $("q-next").addEventListener("click", () => {
    const first = check(screens[current]);
    if (first) { point(first); return; }
    go(current + 1);
  });

  function thanks() {
    form.hidden = true; $("q-progress").hidden = true; $("q-restored").hidden = true;
    const box = $("q-thanks");
    box.hidden = false;
    box.focus();
  }

  function refusedNow(body) {
    draft.sending = false; save();
    $("q-send").disabled = false;
    live("");
    const code = questionOfRefusal(body, questions);
    const text = body.detail || explain(body, { i18n, format, limits: {} }).text;
    if (code && blocks[code]) {
      point(code, text);
      if (blocks[code].widget.problem) blocks[code].widget.problem(text); // shown first: sized
    } else {
      const box = $("q-errors");
      box.textContent = text;
      box.focus();
    }
  }

  const sending = staff ? null : setupSending({
    draftKey: config.draftKey, storage,
    sent: () => thanks(),
    refused: refusedNow,
    waitingNow: () => {
      $("q-send").disabled = false;
      live(gettext("No network: your answers are kept on this device and will be sent automatically when the connection returns."));
    },
  });

  form.addEventListener("submit", (event) => {
    const codes = visible.map((q) => q.code);
    const first = check(codes);
    if (first) { event.preventDefault(); point(first); return; }
    const sent = payloadOf(questions, answers);
    if (staff) { $("q-answers").value = JSON.stringify(sent); return; } // the staff form posts
    event.preventDefault();
    if (current < screens.length - 1) { go(current + 1); return; }
    $("q-send").disabled = true;
    draft.sending = true; save();
    live(gettext("Sending your answers…"));
    sending.queue({
      key: draft.clientKey, url: config.urls.responses, language: lang,
      body: JSON.stringify({ client_key: draft.clientKey, language: lang, answers: sent }),
    }).catch(() => { $("q-send").disabled = false; });
  });

  if (media && media.addEventListener) media.addEventListener("change", layout);
  layout();
  if (draft.at) { const index = screens.findIndex((s) => s.indexOf(draft.at) >= 0); if (index >= 0) { current = index; show(); } }
  if (restored) {
    const notice = $("q-restored");
    notice.hidden = false;
    notice.textContent = gettext("Your earlier answers, kept on this device, are back. Go on where you left off.");
  }
  if (staff) {
    Object.keys(config.errors || {}).forEach((code) => showError(code, config.errors[code]));
    const wrong = Object.keys(config.errors || {}).find((code) => blocks[code]);
    if (wrong) blocks[wrong].error.focus();
  }
  if (sending) {
    sending.pending().then((items) => {
      if (items.length) live(gettext("Your answers are waiting for the network; they will be sent automatically when the connection returns."));
      return sending.flush();
    });
  }
  form.dataset.ready = "true";
  window.questionnairePage = { blocks, answers, draft, isAnswered, flush: () => sending && sending.flush() };
}
