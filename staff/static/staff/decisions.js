// A meeting's decision forms: choosing an outcome puts its default answer in each language,
// unless the answer was edited by hand; the "merged into" field shows only for a merge.
"use strict";
(() => {
  const data = document.getElementById("decision-defaults");
  if (!data) return;
  const defaults = JSON.parse(data.textContent);
  document.querySelectorAll("form[data-decision]").forEach((form) => {
    const outcome = form.querySelector("select[name=outcome]");
    const merged = form.querySelector("[name=merged_into]");
    const areas = [...form.querySelectorAll("textarea[data-language]")];
    if (!outcome) return;
    const isDefault = (area) =>
      !area.value.trim() ||
      Object.values(defaults).some((texts) => texts[area.dataset.language] === area.value);
    const showMerged = () => {
      const field = merged && merged.closest(".field");
      if (field) field.hidden = outcome.value !== "merged";
    };
    outcome.addEventListener("change", () => {
      const texts = defaults[outcome.value] || {};
      areas.forEach((area) => {
        if (isDefault(area)) area.value = texts[area.dataset.language] || "";
      });
      showMerged();
    });
    showMerged();
  });
})();
