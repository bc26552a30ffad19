// Django's JavaScript catalogue as the pages have it (django.views.i18n.JavaScriptCatalog),
// with an optional dictionary of translations.
export function catalogue(translations = {}, plural = (n) => (n === 1 ? 0 : 1)) {
  const gettext = (s) => (s in translations ? translations[s] : s);
  const ngettext = (s, p, n) => {
    const forms = translations[s];
    if (Array.isArray(forms)) return forms[plural(n)];
    return n === 1 ? s : p;
  };
  const interpolate = (fmt, obj, named) => (named
    ? fmt.replace(/%\(\w+\)s/g, (m) => String(obj[m.slice(2, -2)]))
    : fmt.replace(/%s/g, () => String(obj.shift())));
  const i18n = { gettext, ngettext, interpolate };
  return i18n;
}
export const i18n = catalogue();
