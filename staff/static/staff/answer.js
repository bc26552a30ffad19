// Answer forms: choosing a template fills the answer in each language (and its status), to
// adapt before saving; and the note under the texts says, as one types, which languages are
// still missing and what their readers will get instead.
"use strict";
(() => {
  const languagesData = document.getElementById("answer-languages");
  const note = document.getElementById("answer-missing");
  if (!languagesData) return;
  const languages = JSON.parse(languagesData.textContent);
  const codes = Object.keys(languages.names);
  const areas = new Map(
    [...document.querySelectorAll("textarea[data-language]")].map((area) => [
      area.dataset.language,
      area,
    ]),
  );

  const shownFor = (code, texts) =>
    [code, ...languages.order].find((candidate) => texts[candidate]);

  const sayMissing = () => {
    if (!note) return;
    const texts = {};
    areas.forEach((area, code) => {
      if (area.value.trim()) texts[code] = true;
    });
    const missing = codes.filter((code) => !texts[code]);
    if (!missing.length || missing.length === codes.length) {
      note.textContent = "";
      return;
    }
    note.textContent = languages.sentence
      .replace("%(missing)s", missing.map((code) => languages.names[code]).join(", "))
      .replace("%(shown)s", languages.names[shownFor(missing[0], texts)]);
  };
  areas.forEach((area) => area.addEventListener("input", sayMissing));

  const templatesData = document.getElementById("answer-templates");
  const select = document.getElementById("id_template");
  const status = document.getElementById("id_status");
  if (templatesData && select) {
    const templates = JSON.parse(templatesData.textContent);
    select.addEventListener("change", () => {
      const chosen = templates.find((t) => String(t.id) === select.value);
      if (!chosen) return;
      areas.forEach((area, code) => {
        area.value = chosen.texts[code] || "";
      });
      if (chosen.status && status) status.value = chosen.status;
      sayMissing();
      const first = areas.values().next().value;
      if (first) first.focus();
    });
  }
})();
