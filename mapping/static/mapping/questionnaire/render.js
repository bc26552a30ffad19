/* A question as page elements: its heading (which takes the focus when its screen opens), its
 * help, the control that fits its kind (choices, scale, text, number, or a map), and the place
 * of its error message. User and manager texts only ever go in textContent. */
import { el, i18n } from "../modules/dom.js";
import { createMapQuestion } from "./mapanswer.js";
import { isMap } from "./logic.js";

const { gettext, interpolate } = i18n;

// A text of the definition: {text, lang} (the language it was found in), or a plain string.
export const textOf = (value) => (value && typeof value === "object" ? value.text || "" : value || "");
// The text in an element, with its own lang when it is not the page's (a screen reader then
// reads it in the right voice).
function worded(tag, attrs, value, fallback) {
  const node = el(tag, attrs, textOf(value) || fallback || "");
  const language = value && typeof value === "object" ? value.lang : "";
  if (language && language !== document.documentElement.lang) node.setAttribute("lang", language);
  return node;
}

export function renderQuestion({ question, number, config, format, texts, onChange }) {
  const code = question.code;
  const id = (name) => "q-" + code + "-" + name;
  const section = el("section", { class: "question", id: "q-" + code, "data-code": code, "aria-labelledby": id("text") });
  const heading = el("h2", { id: id("text"), class: "question-text", tabindex: "-1" });
  heading.append(el("span", { class: "question-number" }, number + ". "), worded("span", {}, question.text, code));
  if (question.required) heading.append(" ", el("span", { class: "required" }, gettext("(required)")));
  section.appendChild(heading);
  const described = [];
  if (textOf(question.help)) { section.appendChild(worded("p", { class: "hint", id: id("help") }, question.help)); described.push(id("help")); }
  const error = el("p", { class: "error question-error", id: id("error"), tabindex: "-1" });
  described.push(id("error"));
  const describedBy = described.join(" ");
  let widget = null;
  const set = (value) => onChange(code, value);

  if (question.kind === "single_choice" || question.kind === "multi_choice" || question.kind === "scale") {
    const fieldset = el("fieldset", { class: "choices" + (question.kind === "scale" ? " scale" : ""), id: id("field"), "aria-describedby": describedBy });
    fieldset.appendChild(worded("legend", { class: "visually-hidden" }, question.text, code));
    const multi = question.kind === "multi_choice";
    const options = question.kind === "scale" ? scaleOptions(question, format) : (question.choices || []);
    options.forEach((choice, index) => {
      const inputId = id("choice-" + index);
      const input = el("input", { type: multi ? "checkbox" : "radio", name: "q-" + code, id: inputId, value: String(choice.value) });
      const row = el("div", { class: "choice" });
      row.append(input, worded("label", { for: inputId }, choice.label, String(choice.value)));
      fieldset.appendChild(row);
    });
    fieldset.addEventListener("change", () => {
      const checked = Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), (i) => i.value);
      if (multi) set(checked);
      else if (question.kind === "scale") set(checked.length ? Number(checked[0]) : null);
      else set(checked[0] || null);
    });
    section.appendChild(fieldset);
    widget = {
      load(value) {
        const values = Array.isArray(value) ? value.map(String) : value == null ? [] : [String(value)];
        fieldset.querySelectorAll("input").forEach((i) => { i.checked = values.indexOf(i.value) >= 0; });
      },
      first: () => fieldset.querySelector("input"),
    };
  } else if (isMap(question)) {
    const box = el("div", { class: "map-question", id: id("field"), "aria-describedby": describedBy });
    section.appendChild(box);
    widget = createMapQuestion({ question, box, config, format, texts, onChange });
  } else {
    const long = question.kind === "long_text";
    const label = worded("label", { for: id("field"), class: "visually-hidden" }, question.text, code);
    const attrs = { id: id("field"), name: "q-" + code, "aria-describedby": describedBy };
    let input;
    if (long) input = el("textarea", Object.assign(attrs, { rows: "5", maxlength: String(texts.longMax) }));
    else if (question.kind === "number") {
      input = el("input", Object.assign(attrs, { type: "number", inputmode: "decimal", step: "any" }));
      if (question.number_min != null) input.setAttribute("min", String(question.number_min));
      if (question.number_max != null) input.setAttribute("max", String(question.number_max));
    } else input = el("input", Object.assign(attrs, { type: "text", maxlength: String(texts.shortMax) }));
    input.addEventListener("input", () => set(question.kind === "number" ? (input.value === "" ? null : input.value) : input.value));
    section.append(label, input);
    widget = {
      load(value) { input.value = value == null ? "" : String(value); },
      first: () => input,
    };
  }
  section.appendChild(error);
  return { code, question, section, heading, error, widget };
}

function scaleOptions(question, format) {
  const labels = question.scale_labels || {};
  const options = [];
  for (let v = question.scale_min; v <= question.scale_max; v += 1) {
    const words = textOf(labels[String(v)]);
    options.push({ value: v, label: words ? interpolate(gettext("%(value)s (%(words)s)"), { value: format.number(v), words }, true) : format.number(v) });
  }
  return options;
}

// The sentence for a problem found on the device (logic.problemOf).
export function problemText(problem, format) {
  const values = problem.values || {};
  switch (problem.code) {
    case "required": return gettext("This question needs an answer.");
    case "not_a_number": return gettext("Enter a number.");
    case "number_too_small": return interpolate(gettext("Enter a number of at least %(min)s."), { min: format.number(values.min, 6) }, true);
    case "number_too_large": return interpolate(gettext("Enter a number of at most %(max)s."), { max: format.number(values.max, 6) }, true);
    case "out_of_scale": return gettext("Choose one of the values of the scale.");
    case "too_few": return format.counted(i18n.ngettext("Place at least %(count)s answer on the map.", "Place at least %(count)s answers on the map.", values.count), values.count);
    case "too_many": return format.counted(i18n.ngettext("Place at most %(count)s answer on the map.", "Place at most %(count)s answers on the map.", values.count), values.count);
    default: return gettext("This answer cannot be used.");
  }
}
