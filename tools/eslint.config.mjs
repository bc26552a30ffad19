// ESLint for the site's own scripts (make lint). They are classic browser scripts, loaded by
// <script> tags after Leaflet and Django's JavaScript catalogue, not modules.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["**/static/vendor/**", "**/node_modules/**"] },
  js.configs.recommended,
  {
    files: ["**/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      globals: {
        ...globals.browser,
        L: "readonly", // Leaflet, served by django-leaflet
        // django.views.i18n.JavaScriptCatalog
        gettext: "readonly",
        ngettext: "readonly",
        pgettext: "readonly",
        npgettext: "readonly",
        interpolate: "readonly",
        get_format: "readonly",
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  // The map's and the questionnaire's ES modules (<script type="module"> or import()), one idea each.
  {
    files: ["mapping/static/mapping/modules/**/*.js", "mapping/static/mapping/questionnaire/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
  },
];
