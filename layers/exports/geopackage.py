"""The GeoPackage a GIS technician opens in QGIS: one contributions layer per geometry type
(points, lines, areas), the communes and the perimeter, each with a title and a description
(gpkg_contents), a default style (layer_styles, QML and SLD) and the dataset's metadata
(gpkg_metadata, which GDAL shows as the dataset's metadata).

ogr2ogr writes the layers and the metadata; the styles and the layers' descriptions are then
added with SQLite, in the tables and columns QGIS itself writes (`layer_styles`, as QGIS's
"Save style in database" makes it), so QGIS applies them when it opens a layer.
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from layers.exports import partner_projects, sld, styles
from layers.exports.ogr2ogr import ogr2ogr_layers
from layers.exports.sql import (
    DEFAULT_BASE_URL,
    GEOMETRY_LAYERS,
    of_dimension,
    results_sql,
    territory_layers_sql,
)

KINDS = {
    "contributions_points": "point",
    "contributions_lines": "line",
    "contributions_areas": "area",
}
COMMUNES_COLOUR = "#6e6e6e"
# The results' colour, as the public map draws them (mapping/static/mapping/modules/results.js).
RESULTS_COLOUR = "#8a3b00"
PERIMETER_COLOUR = "#1a1a1a"

LAYER_STYLES_SQL = """
CREATE TABLE IF NOT EXISTS "layer_styles" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256),
  "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT,
  "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30),
  "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


@dataclass(frozen=True)
class LayerStyle:
    table: str
    title: str
    description: str
    qml: str
    sld: str


def write_geopackage(
    output: Path,
    *,
    project,
    contributions_sql: str,
    srid: int,
    language: str,
    metadata: dict[str, str],
    public: bool,
    progress=None,
    base_url: str = DEFAULT_BASE_URL,
) -> None:
    """The contributions split by geometry type, the communes and the perimeter, in one
    ogr2ogr run; then their styles and descriptions."""
    layers = {
        name: (of_dimension(contributions_sql, dimension), geometry_type)
        for name, (dimension, geometry_type) in GEOMETRY_LAYERS.items()
    }
    for name, layer_sql in territory_layers_sql(project).items():
        layers[name] = (layer_sql, "wkbMultiPolygon")
    layers["results"] = (
        results_sql(project, language=language, base_url=base_url),
        "wkbPoint",
    )
    layers[partner_projects.LAYER] = (
        partner_projects.partner_projects_sql(
            project, language=language, public=public, base_url=base_url
        ),
        "wkbPoint",
    )
    ogr2ogr_layers("gpkg", output, layers, srid, progress=progress, metadata=metadata)
    with translation.override(language):
        layer_styles = _layer_styles(project, language, public=public)
        table_description = _(
            "Every contribution of the three layers as one table without geometry, for "
            "spreadsheets and joins by id."
        )
    write_styles(output, layer_styles)
    add_contributions_table(output, table_description)


def add_contributions_table(path: Path, description: str) -> None:
    """`contributions`: the three layers' rows as one attributes table, without the geometry
    (so QGIS does not split it into sublayers), for spreadsheets and joins by id, and for
    readers of the single `contributions` layer earlier exports had. A table rather than a
    view: a GeoPackage's attributes table has a typed INTEGER primary key."""
    connection = sqlite3.connect(path)
    try:
        with connection:
            columns = [
                (row[1], row[2])
                for row in connection.execute("PRAGMA table_info(contributions_points)")
                if row[1] not in ("fid", "geom")
            ]
            # Our own columns' names and types, read back from the table GDAL wrote.
            definitions = ", ".join(f'"{name}" {kind}' for name, kind in columns)
            listed = ", ".join(f'"{name}"' for name, _kind in columns)
            connection.execute(
                "CREATE TABLE contributions (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
                f"{definitions})"
            )
            for table in KINDS:
                connection.execute(
                    f"INSERT INTO contributions ({listed}) SELECT {listed} FROM {table}"  # noqa: S608
                )
            now = timezone.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")
            connection.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change) VALUES ('contributions', 'attributes', 'contributions', ?, ?)",
                [description, now],
            )
            if connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'"
            ).fetchone():
                connection.execute(
                    "INSERT INTO gpkg_ogr_contents (table_name, feature_count) "
                    "SELECT 'contributions', count(*) FROM contributions"
                )
    finally:
        connection.close()


def _layer_styles(project, language: str, *, public: bool) -> list[LayerStyle]:
    themes = styles.project_themes(project, language)
    which = (
        _("Public contributions (moderated; public location)")
        if public
        else _("All contributions, every status, exact location (staff; personal data)")
    )
    titles = {
        "contributions_points": _("Contributions: points"),
        "contributions_lines": _("Contributions: lines"),
        "contributions_areas": _("Contributions: areas"),
    }
    shapes = {
        "contributions_points": _("points"),
        "contributions_lines": _("lines"),
        "contributions_areas": _("areas"),
    }
    result = []
    for table, kind in KINDS.items():
        result.append(
            LayerStyle(
                table=table,
                title=titles[table],
                description=_(
                    "%(which)s drawn as %(kind)s, from the participatory project "
                    "%(project)s; coloured by theme, labelled with their title. Each "
                    "status, channel and kind has its label beside its code."
                )
                % {"which": which, "kind": shapes[table], "project": project.slug},
                qml=styles.contributions_qml(themes, kind),
                sld=sld.contributions_sld(themes, kind, table, titles[table]),
            )
        )
    result.append(
        LayerStyle(
            table="communes",
            title=_("Communes"),
            description=_("The communes of the project's perimeter, with their population."),
            qml=styles.outline_qml(colour=COMMUNES_COLOUR, width="0.26", label_field="name"),
            sld=sld.outline_sld("communes", _("Communes"), colour=COMMUNES_COLOUR, width="1"),
        )
    )
    result.append(
        LayerStyle(
            table="results",
            title=_("Results: you said, we did"),
            description=_(
                "What the services decided or did, answering contributions of the project "
                "%(project)s: one point per result, on its place (drawn, or around the "
                "contributions it answers), with its status, progress and the ids of the "
                "public contributions it answers."
            )
            % {"project": project.slug},
            qml=styles.results_qml(RESULTS_COLOUR),
            sld=sld.results_sld("results", _("Results"), RESULTS_COLOUR),
        )
    )
    result.append(
        LayerStyle(
            table=partner_projects.LAYER,
            title=_("Partner projects put to the vote"),
            description=_(
                "The projects the partners put to the residents' vote in the project "
                "%(project)s: one star per project, on its place, with its theme, partner, "
                "cost band, outcome and the vote's figures (for, against, mean rating, votes, "
                "rank; in open data once the ranking is public)."
            )
            % {"project": project.slug},
            qml=partner_projects.partner_projects_qml(),
            sld=partner_projects.partner_projects_sld(_("Partner projects")),
        )
    )
    result.append(
        LayerStyle(
            table="perimeter",
            title=_("Perimeter"),
            description=_("The project's perimeter: where contributions may be placed."),
            qml=styles.outline_qml(colour=PERIMETER_COLOUR, width="0.8", label_field=None),
            sld=sld.outline_sld("perimeter", _("Perimeter"), colour=PERIMETER_COLOUR, width="3"),
        )
    )
    return result


def write_styles(path: Path, layer_styles: list[LayerStyle]) -> None:
    """Each layer's default style in `layer_styles`, registered as an attributes table as
    GDAL registers it when QGIS saves a style, and each layer's title and description in
    gpkg_contents."""
    now = timezone.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    connection = sqlite3.connect(path)
    try:
        with connection:
            columns = dict(
                connection.execute("SELECT table_name, column_name FROM gpkg_geometry_columns")
            )
            connection.execute(LAYER_STYLES_SQL)
            connection.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', ?, ?)",
                ["Default QGIS styles (QML) and SLD of the layers", now],
            )
            for style in layer_styles:
                if style.table not in columns:
                    continue
                connection.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui, update_time) "
                    "VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL, ?)",
                    [
                        style.table,
                        columns[style.table],
                        style.table,
                        style.qml,
                        style.sld,
                        style.title,
                        now,
                    ],
                )
                connection.execute(
                    "UPDATE gpkg_contents SET identifier = ?, description = ? WHERE table_name = ?",
                    [style.title, style.description, style.table],
                )
            if connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'"
            ).fetchone():
                connection.execute(
                    "INSERT INTO gpkg_ogr_contents (table_name, feature_count) "
                    "SELECT 'layer_styles', count(*) FROM layer_styles"
                )
    finally:
        connection.close()
