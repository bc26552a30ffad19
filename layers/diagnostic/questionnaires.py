"""The diagnostic's questionnaires: for each questionnaire of the project with responses, the
per-question summaries and the per-commune response rates (questionnaires.results, their one
definition), and for each map question the density raster and the Getis-Ord Gi* hot spots of
its map answers, computed with the diagnostic's own functions (density.density_from_counts,
getis_ord.gi_star_grid) on the same grids as the contributions', and its cross-tabulation by
each choice question.

The bundle may be shown at meetings and published: map answers count at their generalised
place (layers.exports.questionnaire_sql, the public export's own rule), and a personal
question (results in groups of 5 or more) has no map, only its summary.

Files, in the bundle's `questionnaires/` folder: `questionnaires.json` (everything below),
and per map question `<questionnaire>_<code>_density.tif` and `<questionnaire>_<code>_gi.geojson`
(its hot and cold squares). The report's section: report_questionnaires.
"""

import json
import math
from pathlib import Path

import numpy as np
from django.db import connection
from django.utils.translation import gettext as _

from core.postgis import METRIC_SRID
from layers.diagnostic import density, getis_ord
from layers.diagnostic.folium_map import TO_WGS84
from layers.diagnostic.queries import GridCounts, perimeter_metric
from layers.exports.questionnaire_sql import public_geometry_sql
from questionnaires import results
from questionnaires.models import CHOICE_KINDS

FOLDER = "questionnaires"


def map_answer_counts(question, cell: float) -> GridCounts:
    """A map question's answers per square cell of `cell` metres (EPSG:3035), each at a point
    of its generalised place (itself, or a point on a line or an area): one GROUP BY."""
    place = public_geometry_sql(question.questionnaire.project).replace("%", "%%")
    sql = f"""
        SELECT floor(ST_X(p) / %s)::int, floor(ST_Y(p) / %s)::int, 0, count(*)::int,
               sum(ST_X(p)), sum(ST_Y(p))
        FROM (SELECT ST_Transform(CASE WHEN GeometryType(g) = 'POINT' THEN g
                                       ELSE ST_PointOnSurface(g) END, {METRIC_SRID}) AS p
              FROM (SELECT {place} AS g FROM questionnaires_mapanswer m
                    WHERE m.question_id = %s) placed) points
        GROUP BY 1, 2
    """  # noqa: S608 - fixed fragments and psycopg literals; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [float(cell), float(cell), question.pk])
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return GridCounts(cell, empty, empty, empty, empty, empty * 1.0, empty * 1.0)
    i, j, theme, n, sx, sy = (np.array(column) for column in zip(*rows, strict=True))
    return GridCounts(
        cell,
        i.astype(np.int64),
        j.astype(np.int64),
        theme.astype(np.int64),
        n.astype(np.int64),
        sx.astype(float),
        sy.astype(float),
    )


def gi_cells_geojson(gi, path: Path) -> int:
    """The hot and cold squares of `gi` as a GeoJSON FeatureCollection (WGS 84)."""
    features = []
    for k in np.flatnonzero(gi.kind != ""):
        x0, y0 = float(gi.i[k] * gi.cell), float(gi.j[k] * gi.cell)
        corners = [(x0, y0), (x0 + gi.cell, y0), (x0 + gi.cell, y0 + gi.cell), (x0, y0 + gi.cell)]
        ring = [list(TO_WGS84.transform(x, y)) for x, y in corners]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": {
                    "kind": str(gi.kind[k]),
                    "map_answers": int(gi.count[k]),
                    "window": int(gi.window[k]),
                    "z": round(float(gi.z[k]), 3) if math.isfinite(gi.z[k]) else None,
                    "p": round(float(gi.p[k]), 4),
                },
            }
        )
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return len(features)


def map_question_data(question, folder: Path, study, *, cell_m, bandwidth_m) -> dict:
    """Density and Gi* of one map question, their files written into `folder`."""
    stem = f"{question.questionnaire.slug}_{question.code}"
    counts = map_answer_counts(question, cell_m)
    project = question.questionnaire.project
    radius_m = (len(density.gaussian_kernel(bandwidth_m, cell_m)) // 2 + 1) * cell_m * math.sqrt(2)
    support_wkb, support_bounds = perimeter_metric(project, buffer_m=radius_m + project.tolerance_m)
    raster = density.density_from_counts(
        counts, bandwidth=bandwidth_m, support_wkb=support_wkb, support_bounds=support_bounds
    )
    density.write_geotiff(
        raster,
        folder / f"{stem}_density.tif",
        description=_("Map answers per km² (kernel density)"),
    )
    gi_counts = map_answer_counts(question, getis_ord.GI_CELL_M)
    gi = getis_ord.gi_star_grid(*study, gi_counts)
    gi_cells_geojson(gi, folder / f"{stem}_gi.geojson")
    hot = gi.kind == getis_ord.HOT
    return {
        "density_file": f"{FOLDER}/{stem}_density.tif",
        "gi_file": f"{FOLDER}/{stem}_gi.geojson",
        "placed": counts.total,
        "hot_squares": int(hot.sum()),
        "cold_squares": int((gi.kind == getis_ord.COLD).sum()),
        "in_hot_squares": int(gi.count[hot].sum()),
        "hot_centres": [
            list(TO_WGS84.transform((gi.i[k] + 0.5) * gi.cell, (gi.j[k] + 0.5) * gi.cell))
            for k in np.flatnonzero(hot)
        ],
        "gi": gi,
    }


def questionnaire_data(project, language: str, folder: Path, *, cell_m, bandwidth_m) -> list:
    """Every questionnaire of the project with at least one response, as the report and
    questionnaires.json show it; the rasters and squares written into `folder`, which is made
    only when there is one (a project without responses has no such folder)."""
    found = []
    study = None
    for questionnaire in project.questionnaires.order_by("created_at", "pk"):
        total = results.response_count(questionnaire)
        if not total:
            continue
        folder.mkdir(exist_ok=True)
        questions = list(questionnaire.ordered_questions())
        maps = {}
        for question in questions:
            if question.is_map and not question.personal:
                if study is None:
                    study = getis_ord.study_cells(project, getis_ord.GI_CELL_M)
                maps[question.code] = map_question_data(
                    question, folder, study, cell_m=cell_m, bandwidth_m=bandwidth_m
                )
        choices = [q.code for q in questions if q.kind in CHOICE_KINDS]
        found.append(
            {
                "slug": questionnaire.slug,
                "title": project.answer_in(questionnaire.title, language=language).text,
                "responses": total,
                "questions": [
                    s.as_dict() for s in results.question_summaries(questionnaire, language)
                ],
                "communes": results.commune_rates(questionnaire),
                "maps": maps,
                "cross_tabs": [
                    results.cross_tab(questionnaire, code, choice, language)
                    for code in maps
                    for choice in choices
                ],
            }
        )
    if not found:
        return found
    (folder / "questionnaires.json").write_text(
        json.dumps(
            [{**q, "maps": {c: _without_gi(m) for c, m in q["maps"].items()}} for q in found],
            ensure_ascii=False,
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    return found


def _without_gi(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if key != "gi"}
