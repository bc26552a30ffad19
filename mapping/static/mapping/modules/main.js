/* The project map and its contribution form, from the configuration the page hands over
 * (json_script). Each module holds one idea: dom, format, measure, messages, markers, view
 * (the map), placing, queue and form. */
import { $, i18n, lang } from "./dom.js";
import { makeFormat } from "./format.js";
import { createView } from "./view.js";
import { setupPlacing } from "./placing.js";
import { setupForm } from "./form.js";
import { setupResults, showResult } from "./results.js";
import { setupPartnerProjects, showPartnerProject } from "./partner_projects.js";

const configElement = $("map-config");
if (configElement && window.L) {
  const config = JSON.parse(configElement.textContent);
  const format = makeFormat(lang, i18n);
  document.querySelectorAll(".swatch[data-colour]").forEach((s) => { s.style.background = s.getAttribute("data-colour"); });
  const view = createView(config, format);
  window.projectMap = { map: view.map, refresh: view.refresh, config };
  if (config.result) {
    showResult(view, config.result);
  } else if (config.partnerProject) {
    showPartnerProject(view, config.partnerProject);
  } else if (config.focus) {
    view.showFocus(config.focus);
  } else {
    view.map.on("moveend", view.refresh);
    view.refresh();
    setupResults(view, config);
    setupPartnerProjects(view, config);
    const form = $("contribution-form");
    if (form) {
      const number = (name) => (form.dataset[name] ? Number(form.dataset[name]) : null);
      const limits = { maxLineM: number("maxLineM"), maxAreaM2: number("maxAreaM2") };
      const placing = setupPlacing({ config, view, format, limits, form });
      setupForm({ config, view, placing, format, limits, form });
      window.projectMap.limits = limits;
    }
  }
}
