// Moderation queue: "select all" and a live count of the selected items.
"use strict";
(() => {
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
