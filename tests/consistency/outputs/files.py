"""The downloads: open data (GeoJSON, CSV), `export_layer --public`, the staff export."""

import csv
import io
import json
import tempfile
from pathlib import Path

import pyogrio.raw
from django.core.management import call_command

from core.postgis import STORAGE_SRID
from tests.consistency.outputs.common import (
    body,
    by_code,
    command_options,
    only,
    query,
    staff_client,
)
from tests.consistency.truth import Figures


def opendata_geojson(client, project, filters):
    response = client.get(f"/api/projects/{project.slug}/opendata.geojson", query(filters))
    properties = [f["properties"] for f in json.loads(body(response))["features"]]
    return Figures(
        len(properties),
        votes=sum(p["vote_count"] for p in properties),
        communes=by_code(p["commune"] for p in properties),
    )


def opendata_csv(client, project, filters):
    response = client.get(f"/api/projects/{project.slug}/opendata.csv", query(filters))
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    return Figures(
        len(rows),
        votes=sum(int(row["vote_count"]) for row in rows),
        communes=by_code(row["commune"] for row in rows),
    )


def export_layer_public(client, project, filters):
    if not only(filters, "kinds", "themes", "statuses", "commune"):
        return None  # the command's options: --kind, --theme, --status, --commune
    with tempfile.TemporaryDirectory(prefix="consistency-export-") as folder:
        path = Path(folder) / "public.gpkg"
        call_command(
            "export_layer",
            *("--project", project.slug, "--format", "gpkg", "--srid", str(STORAGE_SRID)),
            *("--output", str(path), "--public", "--no-progress"),
            *command_options(filters),
            stdout=io.StringIO(),
        )
        meta, _fids, _geometry, values = pyogrio.raw.read(
            path, layer="contributions", read_geometry=False
        )
    columns = dict(zip(meta["fields"], values, strict=True))
    return Figures(
        len(columns["id"]),
        votes=int(columns["votes"].sum()),
        communes=by_code(columns["commune_code"]),
    )


def staff_export(client, project, filters):
    """The staff CSV over HTTP (StaffFilterQuery: every status, the exact location)."""
    response = staff_client().get(f"/api/projects/{project.slug}/export.csv", query(filters))
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    return Figures(
        len(rows),
        votes=sum(int(row["votes"]) for row in rows),
        communes=by_code(row["commune_code"] for row in rows),
    )
