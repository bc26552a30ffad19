"""The SELECT ogr2ogr runs: the contributions (the list's own WHERE clause, rendered as SQL
literals since ogr2ogr cannot bind parameters) and the GeoPackage's territory layers."""

from django.db import connection
from django.utils import translation

from contributions.models import PUBLIC_STATUSES, Kind, Project
from contributions.selectors import PUBLIC_COMMUNE_JOIN, PUBLIC_GEOM
from contributions.vocabulary import Channel, LocationPrecision, ResultStatus, Status
from core.escaping import spreadsheet_cell_sql
from core.i18n import FALLBACK_ORDER
from layers.exports.formats import ExportError
from territories.models import Territory

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
EXACT_COMMUNE_JOIN = "LEFT JOIN territories_current_of t ON t.id = c.commune_id"
# The GeoPackage's contribution layers, one per geometry type (a layer mixing them is split
# into sublayers by QGIS): name -> (ST_Dimension, OGR geometry type).
GEOMETRY_LAYERS = {
    "contributions_points": (0, "wkbPoint"),
    "contributions_lines": (1, "wkbLineString"),
    "contributions_areas": (2, "wkbPolygon"),
}
# PostgreSQL's text types (text, varchar, char, name), by type OID.
TEXT_TYPE_OIDS = {25, 1043, 1042, 19}


def check_single_geometry_type(queryset):
    # Public and exact locations have the same type: the public one is moved, not reshaped.
    where_sql, params = _where(queryset)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT ST_Dimension(geom)) FROM contributions_contribution "  # noqa: S608
            f"WHERE {where_sql}",
            params,
        )
        (kinds,) = cursor.fetchone()
    if kinds > 1:
        raise ExportError(
            "A Shapefile holds one geometry type, and these contributions mix points, lines "
            "or areas; export to GeoPackage or FlatGeobuf instead.",
            code="mixed_geometries",
        )


def _where(queryset):
    return queryset.query.get_compiler(connection=connection).compile(queryset.query.where)


def _literal(value) -> str:
    """A value as a SQL literal, quoted by psycopg for this connection."""
    from psycopg import sql

    connection.ensure_connection()
    return sql.Literal(value).as_string(connection.connection)


def _inline(sql_text: str, params) -> str:
    # ogr2ogr takes one SQL string and cannot bind parameters, so the WHERE clause's values
    # are rendered here as SQL literals, each quoted and escaped by psycopg for the server's
    # encoding and standard_conforming_strings; no value is ever pasted in by formatting.
    # Django's compiled SQL escapes literal percent signs as %%, which `%` turns back.
    return sql_text % tuple(_literal(value) for value in params)


def contributions_sql(
    queryset,
    *,
    public: bool,
    language: str,
    base_url: str = DEFAULT_BASE_URL,
    xy_srid: int | None = None,
) -> str:
    """The SELECT ogr2ogr runs: one row per contribution, typed columns, geometry last.

    `xy_srid` asks for the CSV variant: `x`/`y` columns in that CRS for points, and text
    cells that a spreadsheet cannot run as formulas (`spreadsheet_safe`).
    """
    where_sql, params = _where(queryset)
    with translation.override(language):
        kind_labels, status_labels, channel_labels, precision_labels, moderation_labels = (
            _labels(choices)
            for choices in (
                Kind.choices,
                Status.choices,
                Channel.choices,
                LocationPrecision.choices,
                _moderation_choices(),
            )
        )
    theme_name = ", ".join(
        f"NULLIF(th.name ->> {_literal(code)}, '')"
        for code in dict.fromkeys((language, *FALLBACK_ORDER))
    )
    photos = _literal(base_url.rstrip("/") + "/photos/")
    if public:
        private = ""
        # A duplicate's original is named only when the public may see it too.
        duplicate = (
            f"CASE WHEN dup.status IN ({', '.join(map(_literal, PUBLIC_STATUSES))}) "
            "THEN dup.id::text END"
        )
    else:
        # The moderation state, said once: awaiting, public or hidden (with abuse reports).
        moderation = (
            "CASE c.status WHEN 'submitted' THEN 'pending' WHEN 'hidden' THEN 'hidden' "
            "ELSE 'public' END"
        )
        private = (
            f"{moderation} AS moderation, CASE {moderation} {moderation_labels} END "
            "AS moderation_label, c.report_count::integer AS abuse_reports, "
            "NULLIF(c.email, '') AS email, c.author_id AS author_id,"
        )
        duplicate = "dup.id::text"
    # The open-data variant carries the public location only; staff get the exact place.
    location = f"c.{PUBLIC_GEOM}" if public else "c.geom"
    # And the commune that goes with it: the public one (contributions.selectors), or the
    # exact one for staff.
    commune = PUBLIC_COMMUNE_JOIN if public else EXACT_COMMUNE_JOIN
    where = _inline(where_sql, params)
    xy = ""
    if xy_srid is not None:
        srid = int(xy_srid)
        xy = (
            f"CASE WHEN GeometryType({location}) = 'POINT' "
            f"THEN ST_X(ST_Transform({location}, {srid})) END AS x, "
            f"CASE WHEN GeometryType({location}) = 'POINT' "
            f"THEN ST_Y(ST_Transform({location}, {srid})) END AS y,"
        )
    select = f"""
        SELECT c.id::text AS id,
               c.kind,
               CASE c.kind {kind_labels} END AS kind_label,
               NULLIF(c.sentiment, '') AS sentiment,
               th.slug AS theme,
               coalesce({theme_name}) AS theme_name,
               c.title,
               c.description,
               c.status,
               CASE c.status {status_labels} END AS status_label,
               {duplicate} AS duplicate_of,
               t.code AS commune_code,
               t.name AS commune_name,
               c.location_precision,
               CASE c.location_precision {precision_labels} END AS location_precision_label,
               NULLIF(c.answer, '') AS answer,
               c.answered_at,
               c.vote_count::integer AS votes,
               c.comment_count::integer AS comments,
               c.channel,
               CASE c.channel {channel_labels} END AS channel_label,
               c.created_at,
               ph.photo_urls,
               {private}
               {xy}
               {location} AS geom
        FROM (SELECT * FROM contributions_contribution WHERE {where}) c
        JOIN contributions_theme th ON th.id = c.theme_id
        LEFT JOIN contributions_contribution dup ON dup.id = c.duplicate_of_id
        {commune}
        -- The photos of the exported rows, aggregated once and hash-joined: a subquery per
        -- row costs an index probe per contribution, most of which have no photo.
        LEFT JOIN (
            SELECT ph.contribution_id,
                   string_agg({photos} || ph.id::text || '/large.jpg', ' '
                              ORDER BY ph.position) AS photo_urls
            FROM contributions_photo ph
            WHERE ph.contribution_id IN (SELECT id FROM contributions_contribution
                                         WHERE {where})
            GROUP BY ph.contribution_id
        ) ph ON ph.contribution_id = c.id
    """  # noqa: S608 - fixed fragments; every value is a psycopg literal
    # No ORDER BY: sorting a million rows with their geometries would cost more than the
    # export itself, and GIS files carry no order anyway.
    return spreadsheet_safe(select) if xy_srid is not None else select


def _labels(choices) -> str:
    """`WHEN code THEN label` for a CASE, the labels in the active language."""
    return " ".join(
        f"WHEN {_literal(value)} THEN {_literal(str(label))}" for value, label in choices
    )


def _moderation_choices():
    from django.utils.translation import gettext

    return [
        ("pending", gettext("awaiting moderation")),
        ("public", gettext("public")),
        ("hidden", gettext("hidden")),
    ]


def of_dimension(select: str, dimension: int) -> str:
    """The rows of an export's SELECT whose geometry has that dimension (0 points, 1 lines,
    2 areas): one GeoPackage layer per geometry type."""
    return f"SELECT * FROM ({select}) q WHERE ST_Dimension(q.geom) = {int(dimension)}"  # noqa: S608


def spreadsheet_safe(select: str) -> str:
    """The SELECT with every text column passed through the spreadsheet rule
    (core.escaping): GDAL writes the CSV itself, so the values are neutralised in the query.
    Columns are found by asking PostgreSQL for the result's types, so a text column added
    to the SELECT later is covered too."""
    with connection.cursor() as cursor:
        # Planned, not run: LIMIT 0 only describes the result.
        cursor.execute(f"SELECT * FROM ({select}) q LIMIT 0")  # noqa: S608 - our own SELECT
        columns = [(column.name, column.type_code) for column in cursor.description]
    outputs = []
    for name, type_code in columns:
        quoted = connection.ops.quote_name(name)
        if type_code in TEXT_TYPE_OIDS:
            fragment, params = spreadsheet_cell_sql(f"q.{quoted}")
            outputs.append(f"{_inline(fragment, params)} AS {quoted}")
        else:
            outputs.append(f"q.{quoted}")
    return f"SELECT {', '.join(outputs)} FROM ({select}) q"  # noqa: S608 - literals by psycopg


def territory_layers_sql(project: Project) -> dict[str, str]:
    """The GeoPackage's other layers: the perimeter's communes and the perimeter itself."""
    members = Territory.members.through._meta.db_table
    perimeter = _literal(int(project.perimeter_id))
    return {
        "communes": f"""
            SELECT t.code, t.name, t.population::integer AS population, t.country,
                   ST_Multi(t.geom) AS geom
            FROM territories_territory t
            JOIN {members} m ON m.to_territory_id = t.id
            WHERE m.from_territory_id = {perimeter}
            ORDER BY t.code
        """,  # noqa: S608
        "perimeter": f"""
            SELECT t.code, t.name, t.area_m2, ST_Multi(t.geom) AS geom
            FROM territories_territory t WHERE t.id = {perimeter}
        """,  # noqa: S608
    }


def results_sql(project: Project, *, language: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """The GeoPackage's `results` layer ("you said, we did"): one point per result, on its
    place (drawn, else the union of the public locations of the public contributions it
    answers: contributions.results), with its title in the export's language (then the
    project's order), status and label, progress, and the public contributions it answers.
    Points, whatever the place's shape: one layer QGIS does not split."""
    with translation.override(language):
        status_labels = _labels(ResultStatus.choices)
    title = ", ".join(
        f"NULLIF(r.title ->> {_literal(code)}, '')"
        for code in dict.fromkeys((language, *project.answer_order))
    )
    public = ", ".join(map(_literal, PUBLIC_STATUSES))
    pages = _literal(f"{base_url.rstrip('/')}/{language}/p/{project.slug}/results/")
    return f"""
        SELECT r.id::text AS id,
               coalesce({title}) AS title,
               r.status,
               CASE r.status {status_labels} END AS status_label,
               r.progress::integer AS progress,
               count(c.id)::integer AS contributions,
               string_agg(c.id::text, ' ' ORDER BY c.created_at) AS contribution_ids,
               {pages} || r.id::text || '/' AS url,
               r.updated_at,
               ST_PointOnSurface(coalesce(r.geom, ST_Union(c.{PUBLIC_GEOM}))) AS geom
        FROM contributions_result r
        LEFT JOIN contributions_result_contributions rc ON rc.result_id = r.id
        LEFT JOIN contributions_contribution c ON c.id = rc.contribution_id
                                              AND c.status IN ({public})
        WHERE r.project_id = {_literal(int(project.pk))}
        GROUP BY r.id
    """  # noqa: S608 - fixed fragments; every value is a psycopg literal
