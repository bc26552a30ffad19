"""SLD 1.0 styles beside the QML ones (layers.exports.styles), for GIS clients other than
QGIS that read the GeoPackage's layer_styles table: the same colours and labels."""

import xml.etree.ElementTree as ET

from layers.exports.styles import ThemeStyle

SLD = "http://www.opengis.net/sld"
OGC = "http://www.opengis.net/ogc"
ET.register_namespace("sld", SLD)
ET.register_namespace("ogc", OGC)


def _sld(tag):
    return f"{{{SLD}}}{tag}"


def _css(parent, tag, params: dict):
    element = ET.SubElement(parent, _sld(tag))
    for name, value in params.items():
        ET.SubElement(element, _sld("CssParameter"), name=name).text = str(value)


def _sld_symbolizer(rule, kind: str, colour: str):
    if kind == "point":
        point = ET.SubElement(rule, _sld("PointSymbolizer"))
        graphic = ET.SubElement(point, _sld("Graphic"))
        mark = ET.SubElement(graphic, _sld("Mark"))
        ET.SubElement(mark, _sld("WellKnownName")).text = "circle"
        _css(mark, "Fill", {"fill": colour})
        _css(mark, "Stroke", {"stroke": "#ffffff", "stroke-width": "1"})
        ET.SubElement(graphic, _sld("Size")).text = "11"
    elif kind == "line":
        line = ET.SubElement(rule, _sld("LineSymbolizer"))
        _css(line, "Stroke", {"stroke": colour, "stroke-width": "3", "stroke-linecap": "round"})
    else:
        polygon = ET.SubElement(rule, _sld("PolygonSymbolizer"))
        _css(polygon, "Fill", {"fill": colour, "fill-opacity": "0.35"})
        _css(polygon, "Stroke", {"stroke": colour, "stroke-width": "2"})


def _sld_document(layer_name: str, title: str):
    root = ET.Element(_sld("StyledLayerDescriptor"), version="1.0.0")
    named = ET.SubElement(root, _sld("NamedLayer"))
    ET.SubElement(named, _sld("Name")).text = layer_name
    style = ET.SubElement(named, _sld("UserStyle"))
    ET.SubElement(style, _sld("Name")).text = layer_name
    ET.SubElement(style, _sld("Title")).text = title
    return root, ET.SubElement(style, _sld("FeatureTypeStyle"))


def _sld_text(root) -> str:
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def contributions_sld(themes: list[ThemeStyle], kind: str, layer_name: str, title: str) -> str:
    """SLD 1.0: one rule per theme (its colour), and one rule labelling with the title."""
    root, feature_style = _sld_document(layer_name, title)
    for theme in themes:
        rule = ET.SubElement(feature_style, _sld("Rule"))
        ET.SubElement(rule, _sld("Name")).text = theme.slug
        ET.SubElement(rule, _sld("Title")).text = theme.name
        condition = ET.SubElement(
            ET.SubElement(rule, f"{{{OGC}}}Filter"), f"{{{OGC}}}PropertyIsEqualTo"
        )
        ET.SubElement(condition, f"{{{OGC}}}PropertyName").text = "theme"
        ET.SubElement(condition, f"{{{OGC}}}Literal").text = theme.slug
        _sld_symbolizer(rule, kind, theme.colour)
    rule = ET.SubElement(feature_style, _sld("Rule"))
    ET.SubElement(rule, _sld("Name")).text = "title"
    text = ET.SubElement(rule, _sld("TextSymbolizer"))
    label = ET.SubElement(text, _sld("Label"))
    ET.SubElement(label, f"{{{OGC}}}PropertyName").text = "title"
    _css(text, "Font", {"font-family": "Sans-Serif", "font-size": "11"})
    halo = ET.SubElement(text, _sld("Halo"))
    ET.SubElement(halo, _sld("Radius")).text = "2"
    _css(halo, "Fill", {"fill": "#ffffff"})
    _css(text, "Fill", {"fill": "#323232"})
    return _sld_text(root)


def outline_sld(layer_name: str, title: str, *, colour: str, width: str) -> str:
    root, feature_style = _sld_document(layer_name, title)
    rule = ET.SubElement(feature_style, _sld("Rule"))
    ET.SubElement(rule, _sld("Name")).text = layer_name
    polygon = ET.SubElement(rule, _sld("PolygonSymbolizer"))
    _css(polygon, "Stroke", {"stroke": colour, "stroke-width": width})
    return _sld_text(root)


def results_sld(layer_name: str, title: str, colour: str) -> str:
    root, feature_style = _sld_document(layer_name, title)
    rule = ET.SubElement(feature_style, _sld("Rule"))
    ET.SubElement(rule, _sld("Name")).text = layer_name
    _sld_symbolizer(rule, "point", colour)
    return _sld_text(root)
