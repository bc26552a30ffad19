"""A questionnaire's exports (docs/exports.md, "Questionnaires"): each map question as its own
layer, `q_<code>`, and the non-map answers as a table keyed by the pseudonymous response id.

- GeoPackage: every `q_<code>` layer with its default QGIS style (layer_styles, QML and SLD),
  the `answers` attributes table (staff), the communes and the perimeter; one ogr2ogr run.
- GeoJSON (RFC 7946, WGS 84) and CSV (WKT geometry): one file per map question,
  `<project>_<questionnaire>_q_<code>.<ext>`, and `..._answers.csv` (staff).

The public variant (`public=True`) holds the map layers only, generalised as
questionnaire_sql says; the answers table is never public.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from core.i18n import localized
from core.postgis import STORAGE_SRID
from layers.exports import sld, styles
from layers.exports.formats import FORMATS, ExportError, parse_srid
from layers.exports.geopackage import LayerStyle, write_styles
from layers.exports.ogr2ogr import ogr2ogr, ogr2ogr_layers
from layers.exports.questionnaire_sql import (
    OGR_GEOMETRY,
    answers_sql,
    layer_name,
    map_answers_sql,
)
from layers.exports.sql import territory_layers_sql

QUESTIONNAIRE_FORMATS = ("gpkg", "geojson", "csv")
# One colour per map question, in order, distinct from the themes' usual palette.
COLOURS = ("#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214", "#01665e")
SHAPES = {"map_point": "point", "map_line": "line", "map_area": "area"}


@dataclass
class QuestionnaireExport:
    files: list[Path] = field(default_factory=list)
    layers: dict[str, int] = field(default_factory=dict)  # layer name: map answers


def map_questions(questionnaire) -> list:
    return [q for q in questionnaire.ordered_questions() if q.is_map]


def base_name(questionnaire, *, public: bool) -> str:
    what = "public" if public else "staff"
    return f"{questionnaire.project.slug}_{questionnaire.slug}_{what}"


def export_questionnaire(
    *,
    questionnaire,
    fmt: str,
    srid=STORAGE_SRID,
    output,
    public: bool,
    language: str | None = None,
    overwrite: bool = False,
) -> QuestionnaireExport:
    """Write the questionnaire's layers into the folder `output` (made if missing)."""
    if fmt not in QUESTIONNAIRE_FORMATS:
        raise ExportError(
            f"A questionnaire exports as {', '.join(QUESTIONNAIRE_FORMATS)}, not {fmt!r}.",
            code="invalid_format",
        )
    srid = parse_srid(srid)
    if fmt == "geojson" and srid != STORAGE_SRID:
        raise ExportError(
            f"GeoJSON is written as RFC 7946, always WGS 84 (EPSG:{STORAGE_SRID}).",
            code="invalid_srid",
        )
    language = (language or translation.get_language() or "fr").split("-")[0]
    folder = Path(output)
    # Personal questions show results in groups of 5 or more only: never a public layer.
    questions = [q for q in map_questions(questionnaire) if not (public and q.personal)]
    base = base_name(questionnaire, public=public)
    suffix = FORMATS[fmt].suffix
    if fmt == "gpkg":
        planned = [folder / f"{base}_EPSG{srid}{suffix}"]
    else:
        planned = [folder / f"{base}_{layer_name(q)}{suffix}" for q in questions]
        if not public:
            planned.append(folder / f"{base}_answers.csv")
    sidecars = [p.with_suffix(s) for p in planned for s in FORMATS["csv"].sidecars]
    existing = [p for p in [*planned, *sidecars] if p.exists()]
    if existing and not overwrite:
        raise ExportError(f"{existing[0]} already exists; choose another folder or overwrite.")
    for path in existing:
        path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    result = QuestionnaireExport()
    csv = fmt == "csv"
    if fmt == "gpkg":
        layers = {
            layer_name(q): (map_answers_sql(q, public=public), OGR_GEOMETRY[q.kind])
            for q in questions
        }
        if not public:
            layers["answers"] = (answers_sql(questionnaire), None)
        for name, layer_sql in territory_layers_sql(questionnaire.project).items():
            layers[name] = (layer_sql, "wkbMultiPolygon")
        ogr2ogr_layers("gpkg", planned[0], layers, srid)
        with translation.override(language):
            write_styles(planned[0], layer_styles(questionnaire, questions, language, public))
    else:
        for question, path in zip(questions, planned, strict=False):
            sql = map_answers_sql(question, public=public, csv=csv)
            ogr2ogr(fmt, path, sql, srid, ["-nln", layer_name(question)])
        if not public:
            ogr2ogr("csv", planned[-1], answers_sql(questionnaire, csv=True), srid, [])
    result.files = [p for p in [*planned, *sidecars] if p.exists()]
    for question in questions:
        result.layers[layer_name(question)] = question.map_answers.count()
    return result


def single_symbol_qml(kind: str, colour: str) -> str:
    """QML: every map answer of a question in one colour (its shape: point, line, area)."""
    root = styles._qgis_root(kind, labels=False)
    renderer = ET.SubElement(
        root, "renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0"
    )
    layer_class, properties = styles._symbol_layer(kind, colour)
    styles._symbol(ET.SubElement(renderer, "symbols"), "0", kind, layer_class, properties)
    ET.SubElement(root, "previewExpression").text = '"question"'
    ET.SubElement(root, "layerGeometryType").text = str(styles.GEOMETRY_TYPES[kind])
    return styles._text(root)


def single_symbol_sld(kind: str, layer: str, title: str, colour: str) -> str:
    root, feature_style = sld._sld_document(layer, title)
    rule = ET.SubElement(feature_style, sld._sld("Rule"))
    ET.SubElement(rule, sld._sld("Name")).text = layer
    sld._sld_symbolizer(rule, kind, colour)
    return sld._sld_text(root)


def layer_styles(questionnaire, questions, language: str, public: bool) -> list[LayerStyle]:
    order = questionnaire.project.answer_order
    title = localized(questionnaire.title, language, order) or questionnaire.slug
    result = []
    for index, question in enumerate(questions):
        kind = SHAPES[question.kind]
        colour = COLOURS[index % len(COLOURS)]
        text = localized(question.text, language, order) or question.code
        name = layer_name(question)
        if public:
            description = _(
                "Answers to “%(question)s” (questionnaire %(title)s), each at a generalised "
                "place, with no link between the answers of one response."
            ) % {"question": text, "title": title}
        else:
            description = _(
                "Answers to “%(question)s” (questionnaire %(title)s): one row per shape drawn, "
                "with its comment, commune, the response's channel and date, and the "
                "respondent's choice answers (staff; exact place)."
            ) % {"question": text, "title": title}
        result.append(
            LayerStyle(
                table=name,
                title=f"{question.code}: {text}"[:200],
                description=description,
                qml=single_symbol_qml(kind, colour),
                sld=single_symbol_sld(kind, name, text, colour),
            )
        )
    result.append(
        LayerStyle(
            table="communes",
            title=_("Communes"),
            description=_("The communes of the project's perimeter, with their population."),
            qml=styles.outline_qml(colour="#6e6e6e", width="0.26", label_field="name"),
            sld=sld.outline_sld("communes", _("Communes"), colour="#6e6e6e", width="1"),
        )
    )
    result.append(
        LayerStyle(
            table="perimeter",
            title=_("Perimeter"),
            description=_("The project's perimeter: where contributions may be placed."),
            qml=styles.outline_qml(colour="#1a1a1a", width="0.8", label_field=None),
            sld=sld.outline_sld("perimeter", _("Perimeter"), colour="#1a1a1a", width="3"),
        )
    )
    return result
