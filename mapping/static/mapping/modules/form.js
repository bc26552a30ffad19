/* The contribution form: checks, sending, and the outbox. A contribution that cannot leave
 * waits on the device (outbox.js) and is sent when the network returns; one the server then
 * refuses comes back into the form as a draft, with the reason, for the resident to fix or
 * discard. Every message names the contribution it is about. */
import { $, el, i18n, lang, markFresh, say } from "./dom.js";
import { explain } from "./messages.js";
import { draftOf, flushItems, refusals, refusedItem, waiting } from "./queue.js";
import { setupSteps } from "./steps.js";

const { gettext, ngettext, interpolate } = i18n;
// The fields each step of the form holds (steps.js shows them one step at a time on a phone).
const STEP_FIELDS = { where: [], what: ["title", "description", "photos"], about: ["email", "consent"], send: [] };
const FIELDS = [].concat(...Object.values(STEP_FIELDS));
const MISSING = () => gettext("Some information is missing; see the messages next to the fields.");

export function setupForm({ config, view, placing, format, limits, form }) {
  const Outbox = window.Outbox;
  let editing = null; // the key of the refused draft now in the form

  // Observations say whether they are positive or negative.
  function syncSentiment() { $("field-sentiment").hidden = form.elements.kind.value !== "observation"; }
  form.querySelectorAll("input[name=kind]").forEach((r) => r.addEventListener("change", syncSentiment));
  syncSentiment();

  function clearErrors(names = FIELDS) {
    names.forEach((name) => {
      say("error-" + name, "");
      const field = $("field-" + name);
      if (field) field.removeAttribute("aria-invalid");
    });
    say("form-errors", "");
  }
  function fieldError(name, message) {
    say("error-" + name, message);
    const field = $("field-" + name);
    if (field) field.setAttribute("aria-invalid", "true");
    return field;
  }
  // A field's message goes once the field is changed: the next check says it again if need be.
  const settled = (event) => {
    const field = event.target;
    const name = field.id && field.id.replace(/^field-/, "");
    if (FIELDS.indexOf(name) < 0 || field.getAttribute("aria-invalid") !== "true") return;
    say("error-" + name, "");
    field.removeAttribute("aria-invalid");
  };
  form.addEventListener("input", settled);
  form.addEventListener("change", settled);

  function showErrors(summary, firstField) {
    const box = $("form-errors");
    box.textContent = summary;
    // On a phone, the step holding the first problem opens first.
    if (firstField) steps.reveal(firstField);
    (firstField || box).focus();
  }

  // The checks of the given steps (all by default): the first field with a problem, or null.
  function localCheck(names = Object.keys(STEP_FIELDS)) {
    let first = null;
    const fail = (name, message) => { const f = fieldError(name, message); first = first || f; };
    const checking = (step) => names.indexOf(step) >= 0;
    if (checking("what")) {
      if (!form.elements.title.value.trim()) fail("title", gettext("Give your contribution a title."));
      if ($("field-photos").files.length > config.maxPhotos) {
        fail("photos", interpolate(ngettext("At most %s photo.", "At most %s photos.", config.maxPhotos), [format.number(config.maxPhotos)]));
      }
    }
    if (checking("about")) {
      const email = $("field-email");
      if (email.value && !email.checkValidity()) fail("email", gettext("Enter a valid email address."));
      if (!$("field-consent").checked) fail("consent", gettext("Tick the box to agree before sending."));
    }
    // The place last: the focus goes to a field to type in first, as it always has.
    if (checking("where")) {
      const where = placing.problem();
      if (where) { placing.error(where.text, where.place); first = first || $("place-centre"); }
    }
    return first;
  }

  // One step checked before the next one opens: the messages next to its fields.
  function checkStep(name) {
    clearErrors(STEP_FIELDS[name] || []);
    const first = localCheck([name]);
    if (first) showErrors(MISSING(), first);
    return !first;
  }
  const steps = setupSteps({ form, check: checkStep, format });
  if (window.projectMap) window.projectMap.steps = steps;

  function newKey() { return Outbox.newKey(); }

  function buildSubmission() {
    const chosen = placing.chosen();
    const properties = {
      kind: form.elements.kind.value,
      theme: form.elements.theme.value,
      title: form.elements.title.value.trim(),
      description: form.elements.description.value.trim(),
      email: form.elements.email.value.trim(),
      consent: $("field-consent").checked,
      location_precision: placing.precision(),
    };
    if (properties.kind === "observation" && form.elements.sentiment.value) properties.sentiment = form.elements.sentiment.value;
    // Optional profile answers: sent only when chosen.
    if (form.elements.age_bracket && form.elements.age_bracket.value) properties.age_bracket = form.elements.age_bracket.value;
    if (form.elements.residence && form.elements.residence.value) properties.residence = form.elements.residence.value;
    return {
      key: newKey(),
      feature: JSON.stringify({ type: "Feature", geometry: chosen, properties }),
      photos: Array.prototype.slice.call($("field-photos").files, 0, config.maxPhotos),
      title: properties.title,
      language: lang,
      savedAt: new Date().toISOString(),
    };
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Resolves to {status, body} when the server answered, rejects when the network failed, timed
  // out or the server asked to come back later (the submission then waits in the outbox).
  function send(item) {
    const data = new FormData();
    data.append("feature", item.feature);
    (item.photos || []).forEach((photo) => data.append("photos", photo, photo.name || "photo.jpg"));
    const controller = window.AbortController ? new AbortController() : null;
    const timer = controller && setTimeout(() => controller.abort(), 30000);
    return fetch(config.urls.contributions, {
      method: "POST", body: data, credentials: "same-origin", signal: controller && controller.signal,
      headers: { "Idempotency-Key": item.key, "X-CSRFToken": csrfToken(), "Accept-Language": item.language || lang, Accept: "application/geo+json, application/json" },
    }).then((response) => {
      if (timer) clearTimeout(timer);
      if (response.status >= 500 || response.status === 408 || response.status === 429) throw new Error("retry");
      return response.json().catch(() => ({})).then((body) => ({ status: response.status, body }));
    });
  }

  const pageUrl = (id) => config.urls.contributionPage.replace("00000000-0000-0000-0000-000000000000", id);

  function succeeded(body, item) {
    const result = $("form-result");
    const box = el("div", { class: "success" });
    box.appendChild(el("p", {}, item
      ? interpolate(gettext("“%(title)s” is received. Thank you!"), { title: item.title }, true)
      : gettext("Thank you! Your contribution is received.")));
    const id = body && (body.id || (body.properties && body.properties.id));
    if (id) box.appendChild(el("p")).appendChild(el("a", { href: pageUrl(id) }, gettext("See your contribution")));
    if (!item) result.textContent = "";
    result.appendChild(box);
  }

  function refusedNow(body) {
    const message = explain(body, { i18n, format, limits });
    let first = null;
    const fields = body.fields || {};
    Object.keys(fields).forEach((name) => {
      const messages = fields[name];
      const f = fieldError(name, Array.isArray(messages) ? messages.join(" ") : String(messages));
      first = first || f;
    });
    if (message.geometry) { placing.error(message.text, message.place); first = first || $("place-centre"); }
    if (body.photo) first = first || fieldError("photos", message.text);
    showErrors(message.text, first);
  }

  function resetForm() {
    form.elements.title.value = ""; form.elements.description.value = "";
    $("field-photos").value = ""; $("field-consent").checked = false;
    placing.clear();
    if (steps.active()) steps.restart({ focus: true });
  }

  function formIsEmpty() { return !form.elements.title.value.trim() && !form.elements.description.value.trim() && !placing.chosen(); }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // On a phone, Enter in a field of an earlier step goes to the next step.
    if (steps.active() && !steps.isLast()) { steps.next(); return; }
    clearErrors();
    $("form-result").textContent = "";
    const first = localCheck();
    if (first) { showErrors(MISSING(), first); return; }
    const item = buildSubmission();
    const button = $("submit");
    button.disabled = true;
    const done = () => { button.disabled = false; };
    // The draft now in the form is replaced by what is sent (or queued) from it.
    const replaced = editing;
    const forget = () => { editing = null; return replaced ? Outbox.remove(replaced) : Promise.resolve(); };
    if (!navigator.onLine) { forget().then(() => queue(item)).then(done); return; }
    send(item).then((answer) => {
      done();
      if (answer.status >= 200 && answer.status < 300) {
        forget().then(showOutbox);
        succeeded(answer.body); resetForm(); markFresh(); view.refresh();
      } else refusedNow(answer.body);
    }, () => forget().then(() => queue(item)).then(done));
  });

  // ------------------------------------------------------------ waiting for the network
  function queue(item) {
    return Outbox.put(item).then(() => { resetForm(); return showOutbox(); });
  }

  function restore(item, { focus = false } = {}) {
    const d = draftOf(item);
    editing = item.key;
    const set = (name, value) => { const f = form.elements[name]; if (f && value) f.value = value; };
    form.elements.title.value = d.title;
    form.elements.description.value = d.description;
    set("email", d.email); set("theme", d.theme); set("age_bracket", d.ageBracket); set("residence", d.residence);
    const kind = form.querySelector("input[name=kind][value=" + (d.kind || "x") + "]");
    if (kind) kind.checked = true;
    const sentiment = form.querySelector("input[name=sentiment][value=" + (d.sentiment || "x") + "]");
    if (sentiment) sentiment.checked = true;
    syncSentiment();
    $("field-consent").checked = false; // agreed again, for what is sent now
    if (d.photos.length && window.DataTransfer) {
      try { const t = new DataTransfer(); d.photos.forEach((p) => t.items.add(p)); $("field-photos").files = t.files; } catch { /* photos stay in the outbox copy */ }
    }
    placing.load(d.geometry, d.precision);
    const message = interpolate(gettext("“%(title)s” was not accepted: %(reason)s It is back in the form: correct it and send it again, or discard it."), { title: d.title, reason: d.reason }, true);
    const box = $("draft-notice");
    box.textContent = "";
    box.hidden = false;
    box.appendChild(el("p", {}, message));
    const discard = el("button", { type: "button", class: "secondary", id: "draft-discard" }, gettext("Discard this draft"));
    discard.addEventListener("click", () => {
      Outbox.remove(item.key).then(() => { editing = null; resetForm(); form.elements.description.value = ""; box.hidden = true; box.textContent = ""; showOutbox(); });
    });
    box.appendChild(discard);
    const message2 = explain(item.refused || {}, { i18n, format, limits });
    if (message2.geometry) placing.error(d.reason, message2.place);
    // On a phone, the draft opens on the step holding the problem.
    const named = Object.keys((item.refused && item.refused.fields) || {}).map((name) => $("field-" + name)).find(Boolean);
    if (message2.geometry || !named) steps.show(message2.geometry ? "where" : "what", { focus });
    else steps.reveal(named, { focus });
  }

  function showOutbox() {
    return Outbox.all().then((items) => {
      const box = $("outbox");
      box.textContent = "";
      const queued = waiting(items);
      const drafts = refusals(items).filter((item) => item.key !== editing);
      box.hidden = !queued.length && !drafts.length;
      if (queued.length) {
        box.appendChild(el("p", {}, format.counted(ngettext("%(count)s contribution is waiting for the network. It is kept on this device and sent automatically when the connection returns.", "%(count)s contributions are waiting for the network. They are kept on this device and sent automatically when the connection returns.", queued.length), queued.length)));
        const list = el("ul");
        queued.forEach((item) => list.appendChild(el("li", {}, item.title)));
        box.appendChild(list);
      }
      if (drafts.length) {
        box.appendChild(el("p", {}, gettext("Not accepted, kept as drafts on this device:")));
        const list = el("ul");
        drafts.forEach((item) => {
          const li = el("li", {}, interpolate(gettext("“%(title)s”: %(reason)s"), { title: item.title, reason: item.refused.reason }, true) + " ");
          const open = el("button", { type: "button", class: "secondary" }, gettext("Put it back in the form"));
          open.addEventListener("click", () => { restore(item, { focus: true }); showOutbox(); });
          li.appendChild(open);
          list.appendChild(li);
        });
        box.appendChild(list);
      }
      return items;
    });
  }

  let flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return Outbox.all().then((items) => flushItems(items, send, {
      sent: (item, body) => { succeeded(body, item); return Outbox.remove(item.key); },
      refused: (item, body) => Outbox.put(refusedItem(item, body, explain(body, { i18n, format, limits }).text)),
    })).then(() => {
      flushing = false; markFresh(); view.refresh();
      return showOutbox();
    }, () => { flushing = false; }).then((items) => {
      // The first refused draft comes back into the form, unless the resident is typing another.
      const drafts = refusals(items || []);
      if (drafts.length && !editing && formIsEmpty()) { restore(drafts[0]); showOutbox(); }
    });
  }
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  showOutbox().then(flush);
}
