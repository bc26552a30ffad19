"""Driving GDAL's ogr2ogr: its PostgreSQL source (credentials through the environment) and a
run that writes one SQL layer, or several over one connection, into a file."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings as django_settings
from django.db import connection

from core.postgis import STORAGE_SRID
from layers.exports.formats import FORMATS, ExportError


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


def ogr2ogr(fmt, output: Path, sql: str, srid: int, extra, progress=None):
    source, env = pg_source()
    _run_ogr2ogr(fmt, output, [source, "-sql", sql], srid, extra, env, progress)


def ogr2ogr_layers(fmt, output: Path, layers: dict, srid: int, progress=None, metadata=None):
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
        # The dataset's metadata (-mo), which the GeoPackage driver keeps in gpkg_metadata.
        extra = [
            arg for key, value in (metadata or {}).items() for arg in ("-mo", f"{key}={value}")
        ]
        _run_ogr2ogr(fmt, output, [str(vrt)], srid, extra, env, progress)


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
