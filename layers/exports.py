"""Contributions as files for GIS staff (GeoJSON, GeoPackage, CSV, FlatGeobuf, Shapefile).

GDAL's ogr2ogr does the work: it reads PostGIS through a server-side cursor and writes the
file as it goes, so memory stays constant however many contributions there are. The SELECT it
runs is built here from the same filters (and the same compiled WHERE clause) as the public
list, so an export holds exactly what the map and the API would show for those filters.
"""

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings as django_settings
from django.contrib.gis.gdal import SpatialReference
from django.db import connection
from django.utils import timezone, translation

from contributions.models import Kind, Project
from contributions.selectors import PUBLIC_GEOM, ContributionFilters, filtered_contributions
from core.i18n import FALLBACK_ORDER, localized
from core.postgis import STORAGE_SRID
from territories.models import Territory

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"


@dataclass(frozen=True)
class Format:
    driver: str
    suffix: str
    creation_options: tuple[str, ...] = ()
    # Sidecar files the format writes beside the main one (removed with it on --overwrite).
    sidecars: tuple[str, ...] = ()


FORMATS = {
    "geojson": Format("GeoJSON", ".geojson", ("RFC7946=YES",)),
    "gpkg": Format("GPKG", ".gpkg"),
    "csv": Format(
        "CSV", ".csv", ("GEOMETRY=AS_WKT", "CREATE_CSVT=YES"), sidecars=(".csvt", ".prj")
    ),
    "fgb": Format("FlatGeobuf", ".fgb", ("SPATIAL_INDEX=YES",)),
    "shp": Format(
        "ESRI Shapefile",
        ".shp",
        ("ENCODING=UTF-8",),
        sidecars=(".shx", ".dbf", ".prj", ".cpg", ".qix"),
    ),
}


class ExportError(Exception):
    """An export that cannot be made; the message is a sentence for the person running it."""


@dataclass
class ExportResult:
    output: Path
    count: int
    srid: int
    files: list[Path] = field(default_factory=list)


def check_srid(srid: int) -> SpatialReference:
    """The spatial reference of an EPSG code, or ExportError when GDAL does not know it."""
    try:
        return SpatialReference(int(srid))
    except Exception as error:
        raise ExportError(
            f"EPSG:{srid} is not a coordinate reference system GDAL knows."
        ) from error


def output_files(output: Path, fmt: str, *, public: bool) -> list[Path]:
    """Every file an export writes, the main one first."""
    output = Path(output)
    files = [output, *(output.with_suffix(s) for s in FORMATS[fmt].sidecars)]
    if public:
        files += [output.parent / "README.txt", output.parent / "LICENSE.txt"]
    return files


def export_layer(
    *,
    project: Project,
    fmt: str,
    srid: int,
    output,
    public: bool,
    filters: ContributionFilters,
    progress=None,
    base_url: str = DEFAULT_BASE_URL,
    language: str | None = None,
    overwrite: bool = False,
) -> ExportResult:
    """Write the project's contributions matching the filters to `output` in EPSG:`srid`.

    `public` keeps only what the public may see and leaves out emails and authors; otherwise
    (staff) every status is included, hidden and submitted too, with email and author_id.
    `progress`, a text stream, receives ogr2ogr's progress bar.
    """
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    srs = check_srid(srid)
    if fmt == "geojson" and int(srid) != STORAGE_SRID:
        raise ExportError(
            f"GeoJSON is written as RFC 7946, which is always WGS 84 (EPSG:4326), not "
            f"EPSG:{srid}; use --srid 4326, or GeoPackage, FlatGeobuf, CSV or Shapefile "
            f"for other coordinate reference systems."
        )
    output = Path(output)
    files = output_files(output, fmt, public=public)
    existing = [path for path in files if path.exists()]
    if existing and not overwrite:
        raise ExportError(f"{existing[0]} already exists; choose another path or pass --overwrite.")
    language = (language or translation.get_language() or "fr").split("-")[0]
    queryset = _contributions(project, filters, public=public)
    if fmt == "shp":
        _check_single_geometry_type(queryset)
    for path in existing:
        path.unlink()
    output.parent.mkdir(parents=True, exist_ok=True)

    sql = contributions_sql(
        queryset,
        public=public,
        language=language,
        base_url=base_url,
        xy_srid=srid if fmt == "csv" else None,
    )
    if fmt == "gpkg":
        # Three layers, one ogr2ogr run: one start-up and one connection instead of three.
        layers = {"contributions": (sql, None)}
        for name, layer_sql in territory_layers_sql(project).items():
            layers[name] = (layer_sql, "wkbMultiPolygon")
        _ogr2ogr_layers(fmt, output, layers, srid, progress=progress)
    else:
        layer = ["-nln", "contributions"] if fmt in ("geojson", "fgb") else []
        _ogr2ogr(fmt, output, sql, srid, [*layer], progress=progress)
    count = queryset.count()
    if public:
        _write_public_notes(
            project, output, fmt=fmt, srs=srs, srid=srid, filters=filters, count=count
        )
    return ExportResult(
        output=output, count=count, srid=int(srid), files=[path for path in files if path.exists()]
    )


def _contributions(project, filters, *, public):
    """The contributions to export: the list's own filters; every status for staff."""
    return filtered_contributions(project, filters, public=public)


def _check_single_geometry_type(queryset):
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
            "or areas; export to GeoPackage or FlatGeobuf instead."
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
    """The SELECT ogr2ogr runs: one row per contribution, typed columns, geometry last."""
    where_sql, params = _where(queryset)
    with translation.override(language):
        labels = " ".join(
            f"WHEN {_literal(value)} THEN {_literal(str(label))}" for value, label in Kind.choices
        )
    theme_name = ", ".join(
        f"NULLIF(th.name ->> {_literal(code)}, '')"
        for code in dict.fromkeys((language, *FALLBACK_ORDER))
    )
    photos = _literal(base_url.rstrip("/") + "/photos/")
    private = "" if public else "NULLIF(c.email, '') AS email, c.author_id AS author_id,"
    # The open-data variant carries the public location only; staff get the exact place.
    location = f"c.{PUBLIC_GEOM}" if public else "c.geom"
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
    return f"""
        SELECT c.id::text AS id,
               c.kind,
               CASE c.kind {labels} END AS kind_label,
               NULLIF(c.sentiment, '') AS sentiment,
               th.slug AS theme,
               coalesce({theme_name}) AS theme_name,
               c.title,
               c.description,
               c.status,
               t.code AS commune_code,
               t.name AS commune_name,
               NULLIF(c.answer, '') AS answer,
               c.answered_at,
               c.vote_count::integer AS votes,
               c.comment_count::integer AS comments,
               c.channel,
               c.created_at,
               ph.photo_urls,
               {private}
               {xy}
               {location} AS geom
        FROM (SELECT * FROM contributions_contribution WHERE {where}) c
        JOIN contributions_theme th ON th.id = c.theme_id
        LEFT JOIN territories_territory t ON t.id = c.commune_id
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


def pg_source() -> tuple[str, dict[str, str]]:
    """The ogr2ogr PostgreSQL source and its environment, from Django's connection settings.

    The password goes through PGPASSWORD, never on the command line (visible in `ps`).
    An export may take minutes: instead of the requests' statement timeout, ogr2ogr's
    connection gets the longer EXPORT_STATEMENT_TIMEOUT_MS, still a bound.
    """
    settings = connection.settings_dict
    parts = {
        "dbname": settings.get("NAME"),
        "host": settings.get("HOST"),
        "port": str(settings.get("PORT") or ""),
        "user": settings.get("USER"),
        "sslmode": (settings.get("OPTIONS") or {}).get("sslmode"),
    }
    conninfo = " ".join(f"{key}={_conninfo_value(value)}" for key, value in parts.items() if value)
    env = os.environ.copy()
    env.pop("PGPASSWORD", None)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    env.setdefault("PGAPPNAME", "export_layer")
    timeout_ms = int(getattr(django_settings, "EXPORT_STATEMENT_TIMEOUT_MS", 0))
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c statement_timeout={timeout_ms}".strip()
    return f"PG:{conninfo}", env


def _conninfo_value(value) -> str:
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _ogr2ogr(fmt, output: Path, sql: str, srid: int, extra, progress=None):
    source, env = pg_source()
    _run_ogr2ogr(fmt, output, [source, "-sql", sql], srid, extra, env, progress)


def _ogr2ogr_layers(fmt, output: Path, layers: dict, srid: int, progress=None):
    """Several SQL layers ({name: (sql, geometry type or None)}) into one file in one run,
    read through an OGR virtual data source that lists them over one shared connection."""
    source, env = pg_source()
    parts = ["<OGRVRTDataSource>"]
    for name, (sql, geometry_type) in layers.items():
        parts.append(f'<OGRVRTLayer name="{xml_escape(name)}">')
        parts.append(f'<SrcDataSource shared="1">{xml_escape(source)}</SrcDataSource>')
        parts.append(f"<SrcSQL>{xml_escape(sql)}</SrcSQL>")
        if geometry_type:
            parts.append(f"<GeometryType>{geometry_type}</GeometryType>")
        parts.append("</OGRVRTLayer>")
    parts.append("</OGRVRTDataSource>")
    with tempfile.TemporaryDirectory() as scratch:
        vrt = Path(scratch) / "layers.vrt"
        vrt.write_text("\n".join(parts), encoding="utf-8")
        _run_ogr2ogr(fmt, output, [str(vrt)], srid, [], env, progress)


def _run_ogr2ogr(fmt, output: Path, source_args, srid: int, extra, env, progress):
    if shutil.which("ogr2ogr") is None:
        raise ExportError("ogr2ogr (GDAL's command-line tools) is not installed or not on PATH.")
    spec = FORMATS[fmt]
    command = ["ogr2ogr", "-f", spec.driver]
    for option in spec.creation_options:
        command += ["-lco", option]
    command += ["-s_srs", f"EPSG:{STORAGE_SRID}", "-t_srs", f"EPSG:{int(srid)}", *extra]
    if progress is not None:
        command.append("-progress")
    command += [str(output), *source_args]
    # ogr2ogr draws its progress bar on stdout; stderr (warnings, errors) goes to a file so
    # neither pipe can fill up and block it.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE if progress else subprocess.DEVNULL,
            stderr=errors,
            env=env,
        )
        if progress is not None:
            while chunk := process.stdout.read1(64):
                progress.write(chunk.decode(errors="replace"))
                progress.flush()
            process.stdout.close()
        returncode = process.wait()
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        raise ExportError(f"ogr2ogr failed (exit {returncode}):\n{tail}")


def _describe_filters(filters: ContributionFilters) -> str:
    shown = [
        f"{item.name}={getattr(filters, item.name)}"
        for item in fields(filters)
        if getattr(filters, item.name)
    ]
    return ", ".join(shown) or "none"


def _write_public_notes(project, output: Path, *, fmt, srs, srid, filters, count):
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    title = localized(project.title) or project.slug
    readme = f"""Public contributions: {title}

File: {output.name} ({FORMATS[fmt].driver})
What: the public contributions (proposals, reports of problems, observations) made by
residents to the participatory project {project.slug}, as moderated and published on the
map. Unpublished and hidden contributions, emails and authors are not included.
Features: {count}
Coordinate reference system: EPSG:{srid} ({srs.name})
Exported: {now}
Filters: {_describe_filters(filters)}

Columns: id, kind, kind_label, sentiment, theme, theme_name, title, description, status,
commune_code, commune_name, answer, answered_at, votes, comments, channel, created_at,
photo_urls (space-separated photo URLs) and the geometry.
"""
    if fmt == "shp":
        readme += "Shapefile: field names are cut to 10 characters and texts to 254.\n"
    readme += f"\nLicence: Open Database License (ODbL) 1.0, see LICENSE.txt\n{ODBL_URL}\n"
    license_text = f"""This database ({output.name}) is made available under the Open Database
License (ODbL) 1.0: {ODBL_URL}

Summary (not a substitute for the licence):
- You are free to share (copy, distribute and use the database), to create (produce works
  from the database) and to adapt (modify, transform and build upon the database).
- Attribute: you must attribute any public use of the database, or works produced from it,
  as "Contributors to {title}", and keep intact any notices on the original database.
- Share-alike: if you publicly use an adapted version of this database, or works produced
  from an adapted database, you must also offer that adapted database under the ODbL.
- Keep open: if you redistribute the database, or an adapted version of it, you may use
  technological measures that restrict the work only if you also redistribute a version
  without such measures.
"""
    (output.parent / "README.txt").write_text(readme, encoding="utf-8")
    (output.parent / "LICENSE.txt").write_text(license_text, encoding="utf-8")
