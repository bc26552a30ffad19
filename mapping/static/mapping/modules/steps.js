/* The contribution form as short steps on a phone: where, what, about you, send. One step shows
 * at a time, with Back and Next, a heading that says where the person is ("Step 2 of 4: What")
 * and takes the focus on each change, the chosen place with a way back to the map, and a
 * summary before sending. Fields are only hidden, never emptied: nothing typed is lost.
 * Wider screens (and pages without JavaScript) show the whole form. */
import { $, el, i18n } from "./dom.js";

const { gettext, interpolate } = i18n;
// The house's phone width (map.css): under it, the form goes step by step.
export const NARROW = "(max-width: 39.99em)";

export function setupSteps({ form, check, format }) {
  const steps = Array.prototype.slice.call(form.querySelectorAll(".step[data-step]"));
  const names = {
    where: gettext("Where"), what: gettext("What"), about: gettext("About you"), send: gettext("Send"),
  };
  const order = steps.map((step) => step.dataset.step);
  let current = order[0];
  const media = window.matchMedia ? window.matchMedia(NARROW) : null;
  const active = () => form.classList.contains("stepped");

  // The heading of the step now shown: the focus goes to it on each change.
  const heading = el("h3", { id: "step-heading", class: "step-heading", tabindex: "-1" });
  // The place chosen, on the later steps, with the map one tap away.
  const placeLine = el("p", { class: "step-place", id: "step-place" });
  const placeText = el("span", { id: "step-place-text" });
  const change = el("button", { type: "button", class: "link", id: "change-place" }, gettext("Change the place"));
  placeLine.append(placeText, " ", change);
  const summary = el("dl", { class: "step-summary", id: "step-summary" });
  form.insertBefore(heading, steps[0]);
  form.insertBefore(placeLine, steps[0]);

  const errors = $("form-errors"), result = $("form-result"), submit = $("submit");
  const home = { errors: [errors.parentNode, errors.nextSibling], result: [result.parentNode, result.nextSibling] };

  // Back and Next at the foot of each step; on the last one, Back beside the send button.
  const navs = {};
  steps.forEach((step, index) => {
    const nav = el("div", { class: "step-nav" });
    if (index > 0) {
      const back = el("button", { type: "button", class: "secondary step-back" }, gettext("Back"));
      back.addEventListener("click", () => show(order[index - 1], { focus: true }));
      nav.appendChild(back);
    }
    if (index < steps.length - 1) {
      const next = el("button", { type: "button", class: "step-next", id: "next-" + step.dataset.step }, gettext("Next"));
      next.addEventListener("click", () => goNext());
      nav.appendChild(next);
    }
    if (index === steps.length - 1) step.insertBefore(summary, step.firstChild);
    step.appendChild(nav);
    navs[step.dataset.step] = nav;
  });
  const sendNav = navs[order[order.length - 1]];

  function syncPlace() {
    placeText.textContent = $("location-status").textContent;
    // A place now chosen answers the step's "missing" message.
    if (active() && current === order[0] && !$("location-error").textContent) errors.textContent = "";
  }
  if (window.MutationObserver) new MutationObserver(syncPlace).observe($("location-status"), { childList: true, characterData: true, subtree: true });
  syncPlace();

  const labelOf = (id) => { const label = form.querySelector("label[for=" + id + "]"); return label ? label.textContent.trim() : ""; };
  function fillSummary() {
    summary.textContent = "";
    const row = (term, value) => { if (value) summary.append(el("dt", {}, term), el("dd", {}, value)); };
    const kind = form.querySelector("input[name=kind]:checked");
    const theme = form.elements.theme;
    const photos = $("field-photos").files;
    row(form.querySelector("#field-kind > legend").textContent.trim(), kind && labelOf(kind.id));
    row(labelOf("field-theme"), theme && theme.selectedIndex >= 0 ? theme.options[theme.selectedIndex].text : "");
    row(labelOf("field-title"), form.elements.title.value.trim());
    row(labelOf("field-description"), form.elements.description.value.trim());
    row(labelOf("field-photos"), Array.prototype.map.call(photos, (p) => p.name).join(", "));
    row(labelOf("field-email"), form.elements.email.value.trim());
  }

  function show(name, { focus = false } = {}) {
    if (order.indexOf(name) < 0) return;
    current = name;
    if (!active()) return;
    steps.forEach((step) => step.classList.toggle("current", step.dataset.step === name));
    heading.textContent = interpolate(gettext("Step %(number)s of %(count)s: %(name)s"), {
      number: format.number(order.indexOf(name) + 1), count: format.number(order.length), name: names[name] || name,
    }, true);
    placeLine.hidden = name === order[0];
    if (name === order[order.length - 1]) fillSummary();
    if (focus) heading.focus();
  }

  function goNext() {
    if (!check(current)) return; // the messages are next to the fields, the focus on the first
    const index = order.indexOf(current);
    if (index < order.length - 1) show(order[index + 1], { focus: true });
  }

  change.addEventListener("click", () => {
    show(order[0]);
    const map = $("map");
    map.scrollIntoView({ block: "start" });
    map.focus({ preventScroll: true });
  });

  function apply() {
    const narrow = !media || media.matches;
    form.classList.toggle("stepped", narrow);
    if (narrow) {
      // The step's messages and the result of sending show under the heading, whatever the step.
      placeLine.after(errors);
      errors.after(result);
      sendNav.appendChild(submit);
      show(current);
    } else {
      home.errors[0].insertBefore(errors, home.errors[1]);
      home.result[0].insertBefore(result, home.result[1]);
      errors.after(submit);
      steps.forEach((step) => step.classList.remove("current"));
    }
  }
  if (media) {
    if (media.addEventListener) media.addEventListener("change", apply);
    else if (media.addListener) media.addListener(apply);
  }
  apply();

  return {
    active,
    current: () => current,
    isLast: () => current === order[order.length - 1],
    next: goNext,
    show,
    // Opens the step holding an element (a field with a problem).
    reveal(element, options) {
      const step = element && element.closest && element.closest(".step[data-step]");
      if (step) show(step.dataset.step, options);
    },
    restart(options) { show(order[0], options); },
  };
}
