"""A QGIS style file (.qml) for a project's contribution tiles, made from the MapLibre style's
layers (layers.tile_styles.style_layers): the same rules, filters and colours, for a QGIS that
is given a file rather than a style URL (docs/tiles.md).

Only what the style's layers use is translated: fills, lines and circles; `all`, `==` and
`!=` on a property or the geometry type, `<=` on a number; a zoom or count interpolation is
drawn at its first value. Labels (commune names, cluster counts) come with the style URL.
"""

import xml.etree.ElementTree as ET

from contributions.models import Project
from layers.tile_styles import style_layers

GEOMETRY = {"circle": "0", "line": "1", "fill": "2"}
SYMBOL_TYPE = {"circle": "marker", "line": "line", "fill": "fill"}
QGIS_TYPES = {"Point": "0", "LineString": "1", "Polygon": "2"}


def _rgba(colour: str) -> str:
    value = colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},255"


def _first(value, default: float) -> float:
    """A constant, or the first output of an interpolation."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list) and value and value[0] == "interpolate":
        return float(value[4])
    return default


def _literal(value) -> str:
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _field(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _expression(node) -> str:
    """The QGIS expression of a style filter ("" for no condition)."""
    if not node:
        return ""
    operator = node[0]
    if operator == "all":
        parts = [_expression(part) for part in node[1:]]
        return " AND ".join(f"({part})" for part in parts if part)
    left, right = node[1], node[2]
    if left == ["geometry-type"]:
        # As QGIS's own conversion writes it: a rule's geometry type alone would still draw
        # a point's symbol on an area.
        return f"_geom_type IS {_literal(right)}"
    if operator in ("==", "!=") and left[0] == "get":
        field = _field(left[1])
        if isinstance(right, bool):
            return f"{field} IS {'NOT ' if operator == '!=' else ''}{_literal(right)}"
        return f"{field} {'=' if operator == '==' else '<>'} {_literal(right)}"
    if operator in ("<=", "<", ">=", ">") and left[0] == "to-number":
        default = left[2] if len(left) > 2 else 0
        return f"coalesce(to_real({_field(left[1][1])}), {default}) {operator} {_literal(right)}"
    raise ValueError(f"no QGIS expression for the filter {node!r}")


def _options(parent, values: dict) -> None:
    options = ET.SubElement(parent, "Option", type="Map")
    for name, value in values.items():
        ET.SubElement(options, "Option", name=name, type="QString", value=str(value))


def _symbol(layer: dict) -> ET.Element:
    kind, paint = layer["type"], layer.get("paint", {})
    symbol = ET.Element(
        "symbol",
        {
            "name": "0",
            "type": SYMBOL_TYPE[kind],
            "alpha": str(_first(paint.get(f"{kind}-opacity"), 1.0)),
            "clip_to_extent": "1",
            "force_rhr": "0",
        },
    )
    if kind == "fill":
        colour = paint["fill-color"]
        outline = paint.get("fill-outline-color")
        values = {
            "color": _rgba(colour),
            "style": "solid",
            "outline_color": _rgba(outline or colour),
            "outline_style": "solid" if outline else "no",
            "outline_width": "1",
            "outline_width_unit": "Pixel",
        }
        symbol_class = "SimpleFill"
    elif kind == "line":
        width = _first(paint.get("line-width"), 1.0)
        values = {
            "line_color": _rgba(paint["line-color"]),
            "line_width": str(width),
            "line_width_unit": "Pixel",
            "line_style": "solid",
            "capstyle": "round",
            "joinstyle": "round",
        }
        dashes = paint.get("line-dasharray")
        if dashes:
            # MapLibre's dashes are in line widths.
            values["use_custom_dash"] = "1"
            values["customdash"] = ";".join(str(d * width) for d in dashes)
            values["customdash_unit"] = "Pixel"
        symbol_class = "SimpleLine"
    else:
        radius = _first(paint.get("circle-radius"), 5.0)
        values = {
            "name": "circle",
            "color": _rgba(paint["circle-color"]),
            "size": str(2 * radius),
            "size_unit": "Pixel",
            "outline_color": _rgba(paint.get("circle-stroke-color", paint["circle-color"])),
            "outline_width": str(_first(paint.get("circle-stroke-width"), 0.0)),
            "outline_width_unit": "Pixel",
            "outline_style": "solid",
        }
        symbol_class = "SimpleMarker"
    element = ET.SubElement(
        symbol, "layer", {"class": symbol_class, "enabled": "1", "pass": "0", "locked": "0"}
    )
    _options(element, values)
    return symbol


def _geometry(layer: dict) -> str:
    def found(node):
        if isinstance(node, list):
            if len(node) == 3 and node[0] == "==" and node[1] == ["geometry-type"]:
                return QGIS_TYPES[node[2]]
            for part in node:
                if (value := found(part)) is not None:
                    return value
        return None

    return found(layer.get("filter")) or GEOMETRY[layer["type"]]


def qml(project: Project) -> bytes:
    """The .qml document: one rule of QGIS's vector tile renderer per drawn style layer."""
    root = ET.Element("qgis", version="3.22", styleCategories="Symbology")
    styles = ET.SubElement(ET.SubElement(root, "renderer", type="basic"), "styles")
    for layer in style_layers(project):
        if layer["type"] not in GEOMETRY:
            continue
        style = ET.SubElement(
            styles,
            "style",
            {
                "name": layer["id"],
                "layer": layer["source-layer"],
                "geometry": _geometry(layer),
                "enabled": "1",
                "expression": _expression(layer.get("filter")),
                "min-zoom": str(layer.get("minzoom", -1)),
                "max-zoom": str(layer.get("maxzoom", -1)),
            },
        )
        ET.SubElement(style, "symbols").append(_symbol(layer))
    ET.indent(root)
    doctype = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
    return (doctype + ET.tostring(root, encoding="unicode") + "\n").encode()
