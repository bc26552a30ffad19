// Moderation queue: "select all", a live count of the selected items, and filter addresses
// without empty fields (a shared link then says only what was chosen).
"use strict";
(() => {
  const filters = document.getElementById("queue-filters");
  if (filters) {
    const fields = () => Array.from(filters.querySelectorAll("input[name], select[name]"));
    filters.addEventListener("submit", () => {
      fields().forEach((field) => {
        if (field.value.trim() === "") field.disabled = true;
      });
    });
    // Back from the next page (the browser's page cache): the fields are usable again.
    window.addEventListener("pageshow", () => {
      fields().forEach((field) => { field.disabled = false; });
    });
  }
  const form = document.getElementById("queue-form");
  if (!form) return;
  const all = form.querySelector("[data-select-all]");
  const picks = () => Array.from(form.querySelectorAll("input.pick"));
  const counter = form.querySelector("[data-selected-count]");
  const update = () => {
    const chosen = picks().filter((box) => box.checked).length;
    if (counter) counter.textContent = counter.dataset.template.replace("%(n)s", String(chosen));
    if (all) {
      all.checked = chosen > 0 && chosen === picks().length;
      all.indeterminate = chosen > 0 && chosen < picks().length;
    }
  };
  if (all) {
    all.addEventListener("change", () => {
      picks().forEach((box) => { box.checked = all.checked; });
      update();
    });
  }
  form.addEventListener("change", (event) => {
    if (event.target.classList.contains("pick")) update();
  });
  update();
})();
