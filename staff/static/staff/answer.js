// Answer form: choosing a template fills the answer (and its status), to adapt before saving.
"use strict";
(() => {
  const data = document.getElementById("answer-templates");
  const select = document.getElementById("id_template");
  const answer = document.getElementById("id_answer");
  const status = document.getElementById("id_status");
  if (!data || !select || !answer) return;
  const templates = JSON.parse(data.textContent);
  select.addEventListener("change", () => {
    const chosen = templates.find((t) => String(t.id) === select.value);
    if (!chosen) return;
    answer.value = chosen.text;
    if (chosen.status && status) status.value = chosen.status;
    answer.focus();
  });
})();
