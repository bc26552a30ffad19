"""The diagnostic bundle: map.html, density.tif, areas.geojson/csv, hotspots.geojson,
summary.json and report.html for a project's public contributions (docs/diagnostic.md).

Every file is read from one snapshot of the database (a repeatable-read, read-only
transaction when the caller is not already in one), so their counts agree with each other.
Files are written into a hidden folder inside the output and moved into place only once all
of them are complete: a failure leaves no partial bundle.
"""

import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from contributions.models import PUBLIC_STATUSES, Kind, Project, Status
from contributions.selectors import ContributionFilters
from layers.diagnostic import areas, density, folium_map, hotspots, queries, report
from core.i18n import localized
from core.postgis import METRIC_SRID

FILES = (
    "map.html",
    "density.tif",
    "areas.geojson",
    "areas.csv",
    "hotspots.geojson",
    "summary.json",
    "report.html",
)
DEFAULT_CELL_M = 250.0
DEFAULT_BANDWIDTH_M = 500.0
TOP_COMMUNES = 10


class DiagnosticError(Exception):
    """A diagnostic that cannot be made; the message is a sentence for the person running it."""


@dataclass
class Parameters:
    cell_m: float = DEFAULT_CELL_M
    bandwidth_m: float = DEFAULT_BANDWIDTH_M
    eps_m: float = hotspots.DEFAULT_EPS_M
    minpoints: int | None = None  # None: hotspots.default_minpoints for the data


@dataclass
class DiagnosticResult:
    output: Path
    count: int
    hotspots: int
    files: list[Path] = field(default_factory=list)


def check_filters(project: Project, filters: ContributionFilters) -> None:
    """Unknown kinds, themes, statuses or communes are errors, not silently empty bundles."""
    checks = [
        ("kind", filters.kinds, list(Kind.values)),
        ("theme", filters.themes, list(project.themes.values_list("slug", flat=True))),
        ("status", filters.statuses, [str(s) for s in PUBLIC_STATUSES]),
    ]
    for name, given, known in checks:
        unknown = [value for value in given or [] if value not in known]
        if unknown:
            raise DiagnosticError(
                f"Unknown {name} {unknown[0]!r} for project {project.slug}; "
                f"choose among: {', '.join(known)}."
            )
    if filters.commune:
        codes = set(project.perimeter.members.values_list("code", flat=True))
        if filters.commune not in codes:
            raise DiagnosticError(
                f"No commune with the code {filters.commune!r} in the perimeter of {project.slug}."
            )


def check_parameters(parameters: Parameters) -> None:
    if not (10 <= parameters.cell_m <= 10_000):
        raise DiagnosticError("The density cell size must be between 10 and 10,000 metres.")
    if not (parameters.cell_m / 2 <= parameters.bandwidth_m <= 50_000):
        raise DiagnosticError(
            "The density bandwidth must be at least half a cell and at most 50,000 metres."
        )
    if not (10 <= parameters.eps_m <= 10_000):
        raise DiagnosticError("The hotspot distance (eps) must be between 10 and 10,000 metres.")
    if parameters.minpoints is not None and parameters.minpoints < 2:
        raise DiagnosticError("A hotspot needs at least 2 contributions (minpoints).")


def prepare_output(output: Path, *, overwrite: bool) -> None:
    if output.exists() and not output.is_dir():
        raise DiagnosticError(f"{output} exists and is not a folder; choose a folder path.")
    if output.is_dir() and any(output.iterdir()) and not overwrite:
        raise DiagnosticError(
            f"{output} is not empty; choose an empty or new folder, or pass --overwrite."
        )
    try:
        output.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=output):
            pass
    except OSError as error:
        raise DiagnosticError(
            f"Cannot write into {output} ({error.strerror or error}); choose a writable folder."
        ) from error


def run(
    *,
    project: Project,
    filters: ContributionFilters,
    output,
    language: str | None = None,
    parameters: Parameters | None = None,
    overwrite: bool = False,
    progress: bool = False,
) -> DiagnosticResult:
    parameters = parameters or Parameters()
    language = (language or settings.LANGUAGE_CODE).split("-")[0]
    if language not in dict(settings.LANGUAGES):
        raise DiagnosticError(
            f"Unknown language {language!r}; choose one of {', '.join(dict(settings.LANGUAGES))}."
        )
    check_filters(project, filters)
    check_parameters(parameters)
    output = Path(output)
    prepare_output(output, overwrite=overwrite)

    scratch = Path(tempfile.mkdtemp(prefix=".diagnostic-", dir=output))
    try:
        nested = connection.in_atomic_block
        with translation.override(language), transaction.atomic():
            _snapshot(nested=nested)
            result = _write(project, filters, scratch, language, parameters, progress)
        for name in FILES:
            (scratch / name).replace(output / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.output = output
    result.files = [output / name for name in FILES]
    return result


def _snapshot(*, nested: bool):
    with connection.cursor() as cursor:
        if not nested:  # a caller's transaction (tests, scripts) keeps its own isolation
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # A batch job over up to a million rows: the exports' timeout, longer than a
        # request's and still bounded.
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true)",
            [str(settings.EXPORT_STATEMENT_TIMEOUT_MS)],
        )


def _write(project, filters, folder: Path, language, parameters: Parameters, progress):
    scope = queries.Scope(project, filters)
    steps = tqdm(total=7, file=sys.stderr, disable=not progress, unit="step", leave=True)
    title = localized(project.title, language) or project.slug
    theme_list = queries.themes(project)
    theme_slugs = {t["id"]: t["slug"] for t in theme_list}

    steps.set_description(_("density"))
    try:
        raster, base_counts = density.compute(
            scope, cell=parameters.cell_m, bandwidth=parameters.bandwidth_m
        )
    except density.GridTooLarge as error:
        raise DiagnosticError(str(error)) from error
    density.write_geotiff(
        raster, folder / "density.tif", description=_("Contributions per km² (kernel density)")
    )
    steps.update()

    steps.set_description(_("hotspots"))
    if parameters.minpoints is None:
        minpoints = hotspots.default_minpoints(
            base_counts.total, project.perimeter.area_m2, parameters.eps_m
        )
        parameters = replace(parameters, minpoints=minpoints)
    found = hotspots.find(
        scope, eps=parameters.eps_m, minpoints=parameters.minpoints, theme_slugs=theme_slugs
    )
    _write_hotspots(found, theme_list, folder / "hotspots.geojson")
    steps.update()

    steps.set_description(_("communes"))
    table = areas.build(scope, theme_list)
    areas.write_csv(table, folder / "areas.csv")
    areas.write_geojson(table, folder / "areas.geojson", name="areas")
    steps.update()

    steps.set_description(_("summary"))
    statuses = queries.by_status(scope)
    first, last, weeks = queries.period(scope)
    summary = _summary(
        project=project,
        filters=filters,
        language=language,
        parameters=parameters,
        table=table,
        themes=theme_list,
        statuses=statuses,
        period=(first, last),
        raster=raster,
        found=found,
        total=base_counts.total,
    )
    (folder / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    steps.update()

    steps.set_description(_("map"))
    fmap = folium_map.build_map(
        title=title,
        perimeter=queries.perimeter(project, simplify_m=30),
        communes=queries.communes(project, simplify_m=30),
        area_rows=table.rows,
        clusters=folium_map.map_clusters(base_counts),
        hotspots=found,
        themes=theme_list,
    )
    folium_map.save(fmap, folder / "map.html")
    steps.update()

    steps.set_description(_("report"))
    (folder / "report.html").write_text(
        _report(summary, theme_list, weeks, raster, found, title), encoding="utf-8"
    )
    steps.update()
    steps.set_description(_("done"))
    steps.update()
    steps.close()
    return DiagnosticResult(output=folder, count=base_counts.total, hotspots=len(found.hotspots))


def _write_hotspots(found, themes, path):
    names = {t["slug"]: t["name"] for t in themes}
    features = []
    for h in found.hotspots:
        dominant = h.dominant_theme
        features.append(
            {
                "type": "Feature",
                "id": h.rank,
                "geometry": h.geometry,
                "properties": {
                    "rank": h.rank,
                    "count": h.count,
                    "dominant_theme": dominant,
                    "dominant_theme_name": localized(names.get(dominant, {})) or dominant,
                    "dominant_share": round(h.themes.get(dominant, 0) / h.count, 4),
                    **{areas.theme_column(slug): h.themes.get(slug, 0) for slug in names},
                    "cells": h.cells,
                    "area_km2": round(h.area_km2, 4),
                    "eps_m": found.eps,
                    "minpoints": found.minpoints,
                },
            }
        )
    collection = {"type": "FeatureCollection", "name": "hotspots", "features": features}
    Path(path).write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")


def _summary(
    *, project, filters, language, parameters, table, themes, statuses, period, raster, found, total
):
    rows = table.rows
    population = sum(r["population"] or 0 for r in rows)
    with_population = sum(r["contributions"] for r in rows if r["population"])
    answered = sum(r["answered"] for r in rows) + table.outside.get("answered", 0)
    votes = sum(r["votes"] for r in rows) + table.outside.get("votes", 0)
    top = sorted(rows, key=lambda r: (-r["contributions"], r["code"]))[:TOP_COMMUNES]
    return {
        "project": {"slug": project.slug, "title": localized(project.title, language)},
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "language": language,
        "filters": {
            "kinds": filters.kinds or [],
            "themes": filters.themes or [],
            "statuses": filters.statuses or [str(s) for s in PUBLIC_STATUSES],
            "commune": filters.commune,
        },
        "parameters": {**asdict(parameters), "metric_crs": f"EPSG:{METRIC_SRID}"},
        "period": {
            "first": period[0].isoformat() if period[0] else None,
            "last": period[1].isoformat() if period[1] else None,
        },
        "totals": {
            "contributions": total,
            "votes": votes,
            "answered": answered,
            "answered_share": round(answered / total, 4) if total else None,
            "communes": len(rows),
            "communes_with_contributions": sum(1 for r in rows if r["contributions"]),
            "outside_communes": table.outside.get("total", 0),
            "population": population,
            "per_1000_inhabitants": (
                round(with_population * 1000 / population, 3) if population else None
            ),
        },
        "by_kind": {k: sum(r[areas.kind_column(k)] for r in rows) for k in Kind.values},
        "by_theme": {
            t["slug"]: sum(r[areas.theme_column(t["slug"])] for r in rows) for t in themes
        },
        "by_status": statuses,
        "top_communes": [
            {
                "code": r["code"],
                "name": r["name"],
                "population": r["population"],
                "contributions": r["contributions"],
                "per_1000_inhabitants": r["per_1000_inhabitants"],
            }
            for r in top
        ],
        "density": {
            "file": "density.tif",
            "crs": f"EPSG:{METRIC_SRID}",
            "cell_m": raster.cell,
            "bandwidth_m": raster.bandwidth,
            "kernel": f"Gaussian truncated at {density.KERNEL_SIGMAS:g} sigma, weights sum to 1",
            "units": "contributions per km2",
            "points": raster.points,
            "sum_times_cell_area": round(raster.mass, 3),
            "edge_loss": "none (float32 rounding only)",
            "max": float(raster.values.max()) if raster.values.size else 0.0,
        },
        "hotspots": {
            "count": len(found.hotspots),
            "eps_m": found.eps,
            "minpoints": found.minpoints,
            "grid_cell_m": found.cell,
            "contributions_in_hotspots": found.clustered,
            "largest": [
                {"rank": h.rank, "count": h.count, "dominant_theme": h.dominant_theme}
                for h in found.hotspots[:TOP_COMMUNES]
            ],
        },
        "answered_definition": (
            "answered_at is set, or status is one of "
            + ", ".join(str(s) for s in queries.ANSWER_STATUSES)
        ),
        "files": list(FILES),
    }


def _report(summary, themes, weeks, raster, found, title) -> str:
    theme_names = {t["slug"]: localized(t["name"]) or t["slug"] for t in themes}
    theme_colours = {t["slug"]: t["colour"] for t in themes}
    kind_labels = dict(Kind.choices)
    status_labels = dict(Status.choices)
    by_theme = summary["by_theme"]
    top = summary["top_communes"]
    charts = {
        "themes": report.bar_chart(
            [theme_names[s] for s in by_theme],
            list(by_theme.values()),
            title=_("Contributions by theme"),
            colours=[theme_colours[s] for s in by_theme],
        ),
        "kinds": report.bar_chart(
            [str(kind_labels[k]) for k in summary["by_kind"]],
            list(summary["by_kind"].values()),
            title=_("Contributions by kind"),
        ),
        "statuses": report.bar_chart(
            [str(status_labels.get(s, s)) for s in summary["by_status"]],
            list(summary["by_status"].values()),
            title=_("Contributions by status"),
            colours=["#6f42c1"] * len(summary["by_status"]),
        ),
        "timeline": report.timeline_chart(weeks, title=_("Contributions over time")),
        "communes": report.bar_chart(
            [c["name"] for c in top],
            [c["contributions"] for c in top],
            title=_("Communes with the most contributions"),
            colours=["#b3261e"] * len(top),
        ),
        "density": report.density_chart(
            raster, found, title=_("Kernel density of contributions (hotspots numbered)")
        ),
    }
    context = {
        "title": title,
        "summary": summary,
        "charts": charts,
        "top_communes": top,
        "hotspots": [
            {
                "rank": h.rank,
                "count": h.count,
                "theme": theme_names.get(h.dominant_theme, ""),
                "share": round(100 * h.themes.get(h.dominant_theme, 0) / h.count),
                "area_km2": h.area_km2,
            }
            for h in found.hotspots[:TOP_COMMUNES]
        ],
        "answered_pct": (
            round(100 * summary["totals"]["answered_share"])
            if summary["totals"]["answered_share"] is not None
            else None
        ),
        "language": summary["language"],
    }
    return report.render(context)
