"""The GeoPackage's `partner_projects` layer: the projects the partners put to the residents'
vote, one point each (on the place they drew: the point itself, or a point on the line or
the area), with their theme, partner, cost band, timeline, outcome and answer in the export's
language, and each one's vote figures.

The figures are contributions.partner_figures' own (their one definition), read in Python
and handed to the SELECT ogr2ogr runs as a VALUES list of psycopg literals: the export counts
nothing a second way. The open-data export carries them once the ranking is public
(partner_figures.ranking_is_public), as the public pages and the OGC API do; staff exports
always. Its style is a star in the colour the public map draws partner projects with."""

import xml.etree.ElementTree as ET

from django.utils import translation

from contributions.models import CostBand, Outcome, Project
from core.i18n import FALLBACK_ORDER
from layers.exports import sld, styles
from layers.exports.sql import DEFAULT_BASE_URL, _labels, _literal
from layers.partner_outputs import COLUMNS, figures_by_id, public_figures

LAYER = "partner_projects"
# The public map's colour for the partners' projects (mapping/static/mapping/partner.css).
COLOUR = "#5b2a86"
# The figures' SQL types, in partner_outputs.COLUMNS' order.
_TYPES = {
    "votes": "integer",
    "votes_for": "integer",
    "votes_against": "integer",
    "mean_rating": "double precision",
    "rank": "integer",
}


def _figures_values(figures: dict | None) -> str:
    """The figures as a typed relation `f(id, votes, ...)`: one row per partner project, or
    none (typed, so the layer's columns keep their types when no figure may be shown)."""
    names = ", ".join(COLUMNS)
    typed = ", ".join(f"NULL::{_TYPES[column]} AS {column}" for column in COLUMNS)
    if not figures:
        return f"(SELECT NULL::uuid AS id, {typed} WHERE false) f"
    rows = ", ".join(
        "("
        + ", ".join(
            [f"{_literal(identifier)}::uuid"]
            + [f"{_literal(values[column])}::{_TYPES[column]}" for column in COLUMNS]
        )
        + ")"
        for identifier, values in figures.items()
    )
    return f"(VALUES {rows}) AS f(id, {names})"


def partner_projects_sql(
    project: Project, *, language: str, public: bool, base_url: str = DEFAULT_BASE_URL
) -> str:
    """The SELECT of the `partner_projects` layer: published partner projects only."""
    figures = public_figures(project) if public else figures_by_id(project)
    with translation.override(language):
        cost_labels = _labels(CostBand.choices)
        outcome_labels = _labels(Outcome.choices)
    order = tuple(dict.fromkeys((language, *project.answer_order)))

    def text(column):
        return (
            "coalesce("
            + ", ".join(f"NULLIF(pp.{column} ->> {_literal(code)}, '')" for code in order)
            + ")"
        )

    theme_name = ", ".join(
        f"NULLIF(th.name ->> {_literal(code)}, '')"
        for code in dict.fromkeys((language, *FALLBACK_ORDER))
    )
    pages = _literal(f"{base_url.rstrip('/')}/{language}/p/{project.slug}/partner-projects/")
    figure_columns = ",\n               ".join(f"f.{column}" for column in COLUMNS)
    return f"""
        SELECT pp.id::text AS id,
               'partners' AS proposed_by,
               {text("title")} AS title,
               {text("description")} AS description,
               th.slug AS theme,
               coalesce({theme_name}) AS theme_name,
               pa.name AS partner,
               NULLIF(pp.cost_band, '') AS cost_band,
               CASE pp.cost_band {cost_labels} END AS cost_band_label,
               {text("timeline")} AS timeline,
               NULLIF(pp.outcome, '') AS outcome,
               CASE pp.outcome {outcome_labels} END AS outcome_label,
               {text("outcome_answer")} AS outcome_answer,
               {figure_columns},
               CASE ST_Dimension(pp.location) WHEN 0 THEN 'point' WHEN 1 THEN 'line'
                    ELSE 'area' END AS shape,
               {pages} || pp.id::text || '/' AS url,
               pp.updated_at,
               ST_PointOnSurface(pp.location) AS geom
        FROM contributions_partnerproject pp
        JOIN contributions_theme th ON th.id = pp.theme_id
        LEFT JOIN contributions_projectpartner pa ON pa.id = pp.partner_id
        LEFT JOIN {_figures_values(figures)} ON f.id = pp.id
        WHERE pp.project_id = {_literal(int(project.pk))} AND pp.published
        ORDER BY pp.position, pp.created_at, pp.id
    """  # noqa: S608 - fixed fragments; every value is a psycopg literal


def partner_projects_qml() -> str:
    """QML: a star in the partners' colour, labelled with the title; its map tip gives the
    votes and the rank where the layer carries them."""
    return styles._text(partner_projects_style())


def partner_projects_style() -> ET.Element:
    """The QML document as an element (a QGIS project's layer embeds it)."""
    root = styles._qgis_root("point", labels=True)
    renderer = ET.SubElement(
        root, "renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0"
    )
    layer_class, properties = styles._symbol_layer("point", COLOUR)
    styles._symbol(
        ET.SubElement(renderer, "symbols"),
        "0",
        "point",
        layer_class,
        {**properties, "name": "star", "size": "5"},
    )
    styles._labeling(root, "title", "point", priority="9")
    ET.SubElement(root, "previewExpression").text = '"title"'
    ET.SubElement(root, "mapTip").text = (
        '<b>[% "title" %]</b><br>[% "theme_name" %] · [% "partner" %]'
        '<br>[% "votes" %] · [% "rank" %]'
    )
    ET.SubElement(root, "layerGeometryType").text = str(styles.GEOMETRY_TYPES["point"])
    return root


def partner_projects_sld(title: str) -> str:
    """SLD 1.0: the same star, in the same colour."""
    root, feature_style = sld._sld_document(LAYER, title)
    rule = ET.SubElement(feature_style, sld._sld("Rule"))
    ET.SubElement(rule, sld._sld("Name")).text = LAYER
    point = ET.SubElement(rule, sld._sld("PointSymbolizer"))
    graphic = ET.SubElement(point, sld._sld("Graphic"))
    mark = ET.SubElement(graphic, sld._sld("Mark"))
    ET.SubElement(mark, sld._sld("WellKnownName")).text = "star"
    sld._css(mark, "Fill", {"fill": COLOUR})
    sld._css(mark, "Stroke", {"stroke": "#ffffff", "stroke-width": "1"})
    ET.SubElement(graphic, sld._sld("Size")).text = "16"
    return sld._sld_text(root)
