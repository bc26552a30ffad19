/* Numbers as the page's language writes them: counts, distances (m or km), areas (m² or ha),
 * and plurals through Django's catalogue (ngettext, interpolate). Pure: no DOM, no Leaflet. */

export function makeFormat(lang, i18n) {
  const formatters = new Map();
  function formatter(options) {
    const key = JSON.stringify(options);
    if (!formatters.has(key)) formatters.set(key, new Intl.NumberFormat(lang, options));
    return formatters.get(key);
  }
  function number(value, digits = 0) {
    return formatter({ maximumFractionDigits: digits }).format(value);
  }
  // 850 m, 1,2 km, 23 km: a tenth of a kilometre below ten, whole kilometres above.
  function distance(metres) {
    if (metres < 1000) return formatter({ style: "unit", unit: "meter", maximumFractionDigits: 0 }).format(Math.round(metres));
    const digits = metres < 10000 ? 1 : 0;
    return formatter({ style: "unit", unit: "kilometer", maximumFractionDigits: digits }).format(metres / 1000);
  }
  // 950 m², 1,5 ha, 167 ha: square metres below a hectare.
  function area(squareMetres) {
    if (squareMetres < 10000) return number(Math.round(squareMetres)) + "\u00a0m²";
    const hectares = squareMetres / 10000;
    const digits = hectares < 10 ? 1 : 0;
    return formatter({ style: "unit", unit: "hectare", maximumFractionDigits: digits }).format(hectares);
  }
  // A sentence ngettext chose, with the count written in the page's language: "1 234
  // contributions". Callers call ngettext themselves, where makemessages finds the msgids.
  function counted(text, count, values) {
    return i18n.interpolate(text, Object.assign({ count: number(count) }, values || {}), true);
  }
  return { lang, number, distance, area, counted };
}
