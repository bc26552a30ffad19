/* The API's refusals as sentences in the page's language. The server sends a machine code
 * beside its sentence; for the geometry codes the sentence is written here, with the numbers
 * formatted by the page (format.js), and never the geometry engine's own words
 * ("Self-intersection[7.54 44.15]"). Pure: i18n, format and limits are handed in. */

const ENGINE_PLACE = /\[\s*(-?\d+(?:\.\d+)?)[\s,]+(-?\d+(?:\.\d+)?)\s*\]/;

// {text, place, geometry}: `place` is [lon, lat] when the refusal has one, `geometry` says
// whether the message is about the place drawn (shown by the map) rather than a field.
// Until a sentence is translated, a page in another language than English shows the server's
// own sentence (already in the page's language) rather than English, except engine text.
export function explain(body, { i18n, format, limits, lang = format && format.lang }) {
  const code = (body && body.code) || "";
  const detail = (body && body.detail) || "";
  const english = !lang || lang.split("-")[0] === "en";
  const serverSays = detail && !(code === "invalid_geometry" && ENGINE_PLACE.test(detail));
  const gettext = (text) => {
    const translated = i18n.gettext(text);
    if (translated === text && !english && serverSays) throw new Untranslated();
    return translated;
  };
  const interpolate = i18n.interpolate;
  const say = (text, values) => interpolate(gettext(text), values || {}, true);
  try {
    return sentence(code, detail, body, { gettext, say, format, limits });
  } catch (error) {
    if (!(error instanceof Untranslated)) throw error;
    return Object.assign(sentence(code, detail, body, { gettext: (t) => t, say: (t, v) => interpolate(t, v || {}, true), format, limits }), { text: detail });
  }
}

class Untranslated extends Error {}

function sentence(code, detail, body, { gettext, say, format, limits }) {
  switch (code) {
    case "outside_perimeter":
      if (typeof body.distance_m === "number") {
        return {
          geometry: true,
          text: say("This place is outside the %(perimeter)s perimeter, %(distance)s away from it.", {
            perimeter: body.perimeter || "", distance: format.distance(body.distance_m),
          }),
        };
      }
      return { geometry: true, text: gettext("This place is outside the project's perimeter.") };
    case "line_too_long":
      return {
        geometry: true,
        text: limits && limits.maxLineM != null
          ? say("The line is too long: this project accepts lines of at most %(max)s.", { max: format.distance(limits.maxLineM) })
          : gettext("The line is too long for this project."),
      };
    case "area_too_large":
      return {
        geometry: true,
        text: limits && limits.maxAreaM2 != null
          ? say("The area is too large: this project accepts areas of at most %(max)s.", { max: format.area(limits.maxAreaM2) })
          : gettext("The area is too large for this project."),
      };
    case "invalid_geometry": {
      const match = /intersection/i.test(detail) && ENGINE_PLACE.exec(detail);
      if (match) {
        return {
          geometry: true, place: [Number(match[1]), Number(match[2])],
          text: gettext("The outline of the area crosses itself (marked on the map): move or remove a point so that it does not."),
        };
      }
      return { geometry: true, text: gettext("This shape cannot be used: draw it again, with each point in its place.") };
    }
    case "too_many_vertices":
      return { geometry: true, text: gettext("The shape has too many points: draw it with fewer.") };
    case "geometry_type_not_allowed":
      return { geometry: true, text: gettext("This project does not accept this kind of shape: choose another one.") };
    case "missing_geometry":
      return { geometry: true, text: gettext("Choose a place on the map first.") };
    case "coordinates_out_of_range":
    case "malformed_geojson":
    case "precision_needs_a_point":
      return { geometry: true, text: gettext("This place cannot be used: choose it again on the map.") };
    default:
      return { geometry: false, text: detail || gettext("The contribution could not be sent.") };
  }
}
