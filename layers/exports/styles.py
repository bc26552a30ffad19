"""The styles a GeoPackage carries for QGIS (QML) and for other clients (SLD 1.0): the
contributions categorised by theme in the project's theme colours (the public map's own,
Theme.colour) and labelled with their title, the communes and the perimeter outlined.

Written as text from the project's themes, without QGIS: an export never needs QGIS
installed. QGIS applies a GeoPackage's default style (`layer_styles`, useAsDefault) when it
opens the layer; the same QML also goes into the QGIS project (qgis_project).
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.utils.translation import gettext

from contributions.models import Contribution
from core.i18n import localized

# QGIS's geometry types (QgsWkbTypes::GeometryType) and symbol types, per layer kind.
GEOMETRY_TYPES = {"point": 0, "line": 1, "area": 2}
SYMBOL_TYPES = {"point": "marker", "line": "line", "area": "fill"}
# QGIS's label placements (Qgis::LabelPlacement): around a point, along a line, over the
# centroid of an area.
LABEL_PLACEMENTS = {"point": "6", "line": "2", "area": "1"}
OUTLINE = "#232323"


@dataclass(frozen=True)
class ThemeStyle:
    slug: str
    name: str
    colour: str


def project_themes(project, language: str) -> list[ThemeStyle]:
    """The project's themes in map order, named in `language`, with their colours."""
    return [
        ThemeStyle(theme.slug, localized(theme.name, language) or theme.slug, theme.colour)
        for theme in project.themes.order_by("position", "slug")
    ]


def _rgba(colour: str, alpha: int = 255) -> str:
    colour = colour.lstrip("#")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},{alpha}"


def _option_map(parent, properties: dict) -> None:
    """A symbol layer's properties, both as QGIS 3.22+ writes them (Option map) and as the
    older `prop` elements every QGIS 3 reads."""
    options = ET.SubElement(parent, "Option", type="Map")
    for key, value in properties.items():
        ET.SubElement(options, "Option", name=key, type="QString", value=str(value))
    for key, value in properties.items():
        ET.SubElement(parent, "prop", k=key, v=str(value))


def _symbol_layer(kind: str, colour: str) -> tuple[str, dict]:
    if kind == "point":
        return "SimpleMarker", {
            "name": "circle",
            "color": _rgba(colour),
            "outline_color": "255,255,255,255",
            "outline_style": "solid",
            "outline_width": "0.4",
            "outline_width_unit": "MM",
            "size": "3.2",
            "size_unit": "MM",
            "scale_method": "diameter",
        }
    if kind == "line":
        return "SimpleLine", {
            "line_color": _rgba(colour),
            "line_style": "solid",
            "line_width": "0.9",
            "line_width_unit": "MM",
            "capstyle": "round",
            "joinstyle": "round",
        }
    return "SimpleFill", {
        "color": _rgba(colour, 90),
        "style": "solid",
        "outline_color": _rgba(colour),
        "outline_style": "solid",
        "outline_width": "0.6",
        "outline_width_unit": "MM",
        "joinstyle": "round",
    }


def _symbol(parent, name: str, kind: str, layer_class: str, properties: dict):
    symbol = ET.SubElement(
        parent,
        "symbol",
        name=name,
        type=SYMBOL_TYPES[kind],
        alpha="1",
        clip_to_extent="1",
        force_rhr="0",
    )
    layer = ET.SubElement(
        symbol, "layer", {"class": layer_class, "enabled": "1", "pass": "0", "locked": "0"}
    )
    _option_map(layer, properties)
    return symbol


# Which labels win a place when they collide (0-10): a line's or an area's title before a
# point's, every contribution before a commune's name.
LABEL_PRIORITIES = {"point": "5", "line": "8", "area": "8"}


def _labeling(root, field: str, kind: str, *, size="9", colour="50,50,50,255", priority=None):
    labeling = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    style = ET.SubElement(
        settings,
        "text-style",
        fieldName=field,
        isExpression="0",
        fontFamily="Sans Serif",
        fontSize=size,
        fontSizeUnit="Point",
        textColor=colour,
        textOpacity="1",
        namedStyle="Regular",
        fontWeight="50",
        multilineHeight="1",
        blendMode="0",
    )
    ET.SubElement(
        style,
        "text-buffer",
        bufferDraw="1",
        bufferSize="0.8",
        bufferSizeUnits="MM",
        bufferColor="255,255,255,255",
        bufferOpacity="0.85",
        bufferJoinStyle="128",
        bufferNoFill="1",
        bufferBlendMode="0",
    )
    ET.SubElement(
        settings,
        "text-format",
        wrapChar="",
        autoWrapLength="30",
        useMaxLineLengthForAutoWrap="1",
        multilineAlign="3",
    )
    ET.SubElement(
        settings,
        "placement",
        placement=LABEL_PLACEMENTS[kind],
        placementFlags="10",
        dist="1.5",
        distUnits="MM",
        centroidWhole="0",
        centroidInside="1",
        priority=priority or LABEL_PRIORITIES[kind],
        offsetType="0",
        repeatDistance="0",
        layerType={"point": "PointGeometry", "line": "LineGeometry"}.get(kind, "PolygonGeometry"),
    )
    ET.SubElement(
        settings,
        "rendering",
        drawLabels="1",
        obstacle="1",
        obstacleType="1",
        displayAll="0",
        upsidedownLabels="0",
        labelPerPart="0",
        mergeLines="0",
        limitNumLabels="0",
        maxNumLabels="2000",
        scaleVisibility="0",
        fontLimitPixelSize="0",
        zIndex="0",
    )


def field_aliases() -> dict[str, str]:
    """The columns' names in the active language, as QGIS's attribute table and forms show
    them: the model's own field names (translated once, in contributions), and for a label
    column the field's name with "label"."""

    def name(field):
        return str(Contribution._meta.get_field(field).verbose_name)

    aliases = {
        column: name(field)
        for column, field in (
            ("kind", "kind"),
            ("sentiment", "sentiment"),
            ("theme", "theme"),
            ("title", "title"),
            ("description", "description"),
            ("status", "status"),
            ("location_precision", "location_precision"),
            ("channel", "channel"),
            ("commune_name", "commune"),
            ("answer", "answer"),
            ("answered_at", "answered_at"),
            ("votes", "vote_count"),
            ("comments", "comment_count"),
            ("created_at", "created_at"),
        )
    }
    for column in ("kind", "status", "location_precision", "channel"):
        aliases[f"{column}_label"] = f"{aliases[column]} ({gettext('label')})"
    return aliases


def _qgis_root(kind: str, labels: bool):
    return ET.Element(
        "qgis",
        version="3.22.0",
        styleCategories="AllStyleCategories",
        labelsEnabled="1" if labels else "0",
        hasScaleBasedVisibilityFlag="0",
        minScale="100000000",
        maxScale="0",
    )


def _text(root) -> str:
    ET.indent(root, space=" ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


def contributions_qml(themes: list[ThemeStyle], kind: str) -> str:
    """QML: categorised by theme in the themes' colours, labelled with the title."""
    return _text(contributions_style(themes, kind))


def contributions_style(themes: list[ThemeStyle], kind: str) -> ET.Element:
    """The QML document's root element (qgis_project puts its children in a <maplayer>)."""
    root = _qgis_root(kind, labels=True)
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        type="categorizedSymbol",
        attr="theme",
        symbollevels="0",
        enableorderby="0",
        forceraster="0",
        referencescale="-1",
    )
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for index, theme in enumerate(themes):
        ET.SubElement(
            categories,
            "category",
            value=theme.slug,
            label=theme.name,
            symbol=str(index),
            render="true",
            type="string",
        )
        _symbol(symbols, str(index), kind, *_symbol_layer(kind, theme.colour))
    source = ET.SubElement(renderer, "source-symbol")
    _symbol(source, "0", kind, *_symbol_layer(kind, "#7f7f7f"))
    _labeling(root, "title", kind)
    aliases = ET.SubElement(root, "aliases")
    for index, (field, alias) in enumerate(field_aliases().items()):
        ET.SubElement(aliases, "alias", field=field, index=str(index), name=alias)
    ET.SubElement(root, "previewExpression").text = '"title"'
    ET.SubElement(root, "mapTip").text = (
        '<b>[% "title" %]</b><br>[% "theme_name" %] · [% "kind_label" %] · '
        '[% "status_label" %]<br>[% "description" %]'
    )
    ET.SubElement(root, "layerGeometryType").text = str(GEOMETRY_TYPES[kind])
    return root


def outline_qml(**options) -> str:
    """QML for the communes and the perimeter: an outline, no fill, maybe a name."""
    return _text(outline_style(**options))


def outline_style(*, colour: str, width: str, label_field: str | None, dashed=False) -> ET.Element:
    root = _qgis_root("area", labels=label_field is not None)
    renderer = ET.SubElement(
        root, "renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0"
    )
    symbols = ET.SubElement(renderer, "symbols")
    _symbol(
        symbols,
        "0",
        "area",
        "SimpleFill",
        {
            "color": "255,255,255,0",
            "style": "no",
            "outline_color": _rgba(colour),
            "outline_style": "dash" if dashed else "solid",
            "outline_width": width,
            "outline_width_unit": "MM",
            "joinstyle": "round",
        },
    )
    if label_field:
        _labeling(root, label_field, "area", size="8", colour="110,110,110,255", priority="1")
    ET.SubElement(root, "layerGeometryType").text = "2"
    return root


def results_qml(colour: str) -> str:
    """QML for the results ("you said, we did"): a square in the results' colour, labelled
    with the title and the progress."""
    root = _qgis_root("point", labels=True)
    renderer = ET.SubElement(
        root, "renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0"
    )
    layer_class, properties = _symbol_layer("point", colour)
    _symbol(
        ET.SubElement(renderer, "symbols"),
        "0",
        "point",
        layer_class,
        {**properties, "name": "square", "size": "4"},
    )
    _labeling(root, "title", "point", priority="9")
    ET.SubElement(root, "previewExpression").text = '"title"'
    ET.SubElement(
        root, "mapTip"
    ).text = '<b>[% "title" %]</b><br>[% "status_label" %] · [% "progress" %] %'
    ET.SubElement(root, "layerGeometryType").text = str(GEOMETRY_TYPES["point"])
    return _text(root)
