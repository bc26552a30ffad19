"""summary.json: the bundle's figures in one document (totals, breakdowns, top communes, the
density and hotspot parameters), which report.html is drawn from."""

from dataclasses import asdict

from django.utils import timezone

from contributions.models import PUBLIC_STATUSES, Kind
from core.i18n import localized
from core.postgis import METRIC_SRID
from layers.diagnostic import areas, density, queries

TOP_COMMUNES = 10


def build(
    *,
    project,
    filters,
    language,
    parameters,
    table,
    themes,
    statuses,
    period,
    raster,
    found,
    total,
    files,
    commune_rates=None,
    gi=None,
):
    rows = table.rows
    population = sum(r["population"] or 0 for r in rows)
    with_population = sum(r["contributions"] for r in rows if r["population"])
    answered = sum(r["answered"] for r in rows) + table.outside["answered"]
    votes = sum(r["votes"] for r in rows) + table.outside["votes"]
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
            "outside_communes": table.outside["total"],
            "population": population,
            # Each country's figures have their own year (INSEE yearly, ISTAT's census).
            "population_years": sorted(
                {(r["country"], r["population_year"]) for r in rows if r["population"]},
                key=lambda pair: (pair[0], pair[1] or 0),
            ),
            "per_1000_inhabitants": (
                round(with_population * 1000 / population, 3) if population else None
            ),
        },
        # The communes' rows plus the contributions outside them: each sums to the total.
        "by_kind": {
            k: sum(r[areas.kind_column(k)] for r in rows) + table.outside["kinds"][k]
            for k in Kind.values
        },
        "by_theme": {
            t["slug"]: sum(r[areas.theme_column(t["slug"])] for r in rows)
            + table.outside["themes"].get(t["id"], 0)
            for t in themes
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
            "left_out_commune_precision": raster.left_out,
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
            "left_out_commune_precision": found.left_out,
            "largest": [
                {"rank": h.rank, "count": h.count, "dominant_theme": h.dominant_theme}
                for h in found.hotspots[:TOP_COMMUNES]
            ],
        },
        # The statistics that survive small numbers (docs/diagnostic.md): per-commune rates
        # smoothed by empirical Bayes, and Getis-Ord Gi* hot and cold spots.
        "rates": (
            {
                "territory_per_1000": commune_rates.territory_rate,
                "method": commune_rates.method,
                "min_count": commune_rates.min_count,
                "confidence": commune_rates.confidence,
                "levels": {
                    level: sum(1 for r in commune_rates.rows if r.level == level)
                    for level in ("high", "low", "as_expected")
                },
            }
            if commune_rates is not None
            else None
        ),
        "gi_star": gi.summary() if gi is not None else None,
        "answered_definition": (
            "answered_at is set, or status is one of "
            + ", ".join(str(s) for s in queries.ANSWER_STATUSES)
        ),
        "files": list(files),
    }
