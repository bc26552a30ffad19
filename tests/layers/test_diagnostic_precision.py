"""The diagnostic leaves contributions placed only by their commune out of the density and
the hotspots, says how many, and still counts them in the totals and per commune."""

import csv
import io
import json

import numpy as np
import pyproj
import pytest
import rasterio
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from contributions.filters import ContributionFilters
from contributions.models import PUBLIC_STATUSES, Contribution, Kind, LocationPrecision, Status
from layers.diagnostic import placed, report
from layers.diagnostic.queries import Scope

pytestmark = pytest.mark.django_db
PILE = 12  # enough for a hotspot at minpoints 10, were they counted
BY_COMMUNE, EXACT = "placed by commune", "placed exactly"
TO_METRIC = pyproj.Transformer.from_crs(4326, 3035, always_xy=True)


def empty_communes(project):
    """(code, lon, lat) of each commune's PointOnSurface with no contribution within 3 km."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.code, ST_X(p), ST_Y(p)
            FROM territories_territory t
            JOIN territories_territory_members m ON m.to_territory_id = t.id
            CROSS JOIN LATERAL (SELECT ST_PointOnSurface(t.geom) AS p) s
            WHERE m.from_territory_id = %s
            AND NOT EXISTS (SELECT 1 FROM contributions_contribution c
                            WHERE ST_DWithin(c.geom::geography, p::geography, 3000))
            ORDER BY t.area_m2 DESC
            """,
            [project.perimeter_id],
        )
        return cursor.fetchall()


@pytest.fixture(scope="module")
def piles(demo, django_db_blocker):
    """Committed: PILE contributions at one commune's spot placed by the commune, and PILE
    placed exactly at another commune's spot, far from everything else."""
    with django_db_blocker.unblock():
        (code_a, lon_a, lat_a), (code_b, lon_b, lat_b), *_ = empty_communes(demo)
        theme = demo.themes.first()
        Contribution.objects.bulk_create(
            Contribution(
                project=demo,
                kind=Kind.PROPOSAL,
                theme=theme,
                title=title,
                geom=Point(lon, lat, srid=4326),
                location_precision=precision,
                status=Status.PUBLISHED,
            )
            for title, lon, lat, precision in [
                (BY_COMMUNE, lon_a, lat_a, LocationPrecision.COMMUNE),
                (EXACT, lon_b, lat_b, LocationPrecision.EXACT),
            ]
            for _ in range(PILE)
        )
    return {"commune": (code_a, lon_a, lat_a), "exact": (code_b, lon_b, lat_b)}


@pytest.fixture(scope="module")
def bundle(piles, tmp_path_factory, django_db_blocker):
    folder = tmp_path_factory.mktemp("precision") / "bundle"
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command(
            "diagnostic",
            *("--project", "piter-alpimed", "--output", str(folder)),
            *("--minpoints", "10", "--language", "en", "--no-progress"),
            stdout=out,
        )
    return folder, out.getvalue()


def public_count(project):
    return Contribution.objects.filter(project=project, status__in=PUBLIC_STATUSES).count()


def test_summary_says_how_many_were_left_out_and_totals_keep_them(demo, bundle):
    folder, message = bundle
    summary = json.loads((folder / "summary.json").read_text())
    total = public_count(demo)
    assert summary["density"]["left_out_commune_precision"] == PILE
    assert summary["hotspots"]["left_out_commune_precision"] == PILE
    assert summary["totals"]["contributions"] == total
    assert sum(summary["by_kind"].values()) == total
    assert summary["density"]["points"] == total - PILE
    assert summary["density"]["sum_times_cell_area"] == pytest.approx(total - PILE, rel=1e-5)
    assert f"Diagnostic of {total} contributions" in message


def test_the_density_raster_holds_none_of_them(demo, bundle, piles):
    folder, _ = bundle
    with rasterio.open(folder / "density.tif") as dataset:
        values = dataset.read(1).astype(np.float64)
        cell_km2 = dataset.res[0] * dataset.res[1] / 1e6
        mass = values[values != dataset.nodata].sum() * cell_km2
        assert mass == pytest.approx(public_count(demo) - PILE, rel=1e-5)
        assert dataset.tags(1)["LEFT_OUT_COMMUNE_PRECISION"] == str(PILE)

        def at(lon, lat):
            return float(next(dataset.sample([TO_METRIC.transform(lon, lat)]))[0])

        assert at(*piles["exact"][1:]) > 1.0  # the same pile, placed exactly, is there
        assert at(*piles["commune"][1:]) == pytest.approx(0.0, abs=1e-6)


def test_hotspots_find_the_exact_pile_only(bundle, piles):
    folder, _ = bundle
    features = json.loads((folder / "hotspots.geojson").read_text())["features"]
    shapes = [shape(f["geometry"]) for f in features]
    assert any(s.contains(ShapelyPoint(*piles["exact"][1:])) for s in shapes)
    assert not any(s.contains(ShapelyPoint(*piles["commune"][1:])) for s in shapes)


def test_areas_count_them_in_their_commune(demo, bundle, piles):
    folder, _ = bundle
    with open(folder / "areas.csv", encoding="utf-8") as stream:
        rows = {row["code"]: row for row in csv.DictReader(stream)}
    code = piles["commune"][0]
    in_commune = Contribution.objects.filter(
        project=demo, status__in=PUBLIC_STATUSES, commune__code=code
    )
    assert in_commune.filter(location_precision=LocationPrecision.COMMUNE).count() == PILE
    assert int(rows[code]["contributions"]) == in_commune.count()


def test_the_report_says_it_in_a_sentence(bundle):
    folder, _ = bundle
    text = (folder / "report.html").read_text()
    assert (
        f"{PILE} contributions placed only by commune are not in the density map or the "
        "hotspots." in text
    )


def test_the_count_follows_the_filters_and_the_sentence_its_number(demo, piles):
    def left_out(**filters):
        return placed.left_out(Scope(demo, ContributionFilters(**filters)))

    assert left_out() == PILE
    assert left_out(kinds=[Kind.REPORT]) == 0
    with translation.override("en"):
        assert report.left_out_note(0) == ""
        assert report.left_out_note(1) == (
            "1 contribution placed only by commune is not in the density map or the hotspots."
        )
