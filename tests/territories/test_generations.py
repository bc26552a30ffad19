"""A boundary re-import (a new generation of a commune) changes no figure: contributions keep
the commune they were attributed to, and every output groups and names by official code."""

import json

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.test import Client

from contributions.filters import ContributionFilters
from contributions.models import Contribution
from contributions.selectors import filtered_contributions
from layers.diagnostic import areas, queries
from staff.selectors import dashboard
from territories.models import Territory
from territories.services import FieldMap, import_territories

pytestmark = pytest.mark.django_db
NICE = "06088"


def figures(project):
    """Every per-commune figure an output gives, keyed by what a reader sees."""
    scope = queries.Scope(project, ContributionFilters())
    table = areas.build(scope, queries.themes(project))
    client = Client()
    listed = client.get(
        f"/api/projects/{project.slug}/contributions/", {"commune": NICE, "limit": 1000}
    ).json()
    return {
        "nice_list": filtered_contributions(
            project, ContributionFilters(commune=NICE), public=True
        ).count(),
        "nice_api": listed["numberMatched"],
        "nice_names": sorted({f["properties"]["commune_name"] for f in listed["features"]}),
        "areas": [(r["code"], r["name"], r["contributions"], r["votes"]) for r in table.rows],
        "outside": table.outside["total"],
        "dashboard_communes": dashboard.by_commune(project).rows,
    }


def reimport_nice(tmp_path, *, name="Nice"):
    """Nice again, its boundary grown by about a metre: a new generation."""
    current = Territory.objects.communes().get(code=NICE)
    grown = current.geom.buffer(0.00001)
    grown = grown if isinstance(grown, MultiPolygon) else MultiPolygon(grown)
    path = tmp_path / "nice.geojson"
    feature = {
        "type": "Feature",
        "properties": {
            "code": NICE,
            "name": name,
            "country": "FR",
            "population": current.population,
            "population_year": current.population_year,
        },
        "geometry": json.loads(grown.geojson),
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    report = import_territories(path=path, fields=FieldMap(country="country"))
    assert report.updated, report.summary()
    return current


def test_a_boundary_reimport_changes_no_figure(demo, tmp_path):
    before = figures(demo)
    assert before["nice_list"] > 0 and before["nice_names"] == ["Nice"]
    old = reimport_nice(tmp_path)
    new = Territory.objects.communes().get(code=NICE)
    assert new.pk != old.pk and new.generation == old.generation + 1
    # The contributions keep the generation they were attributed to...
    assert Contribution.objects.filter(commune=old).count() == before["nice_list"]
    # ...and the perimeter now holds the boundary in force.
    assert demo.perimeter.members.filter(code=NICE).get() == new
    assert figures(demo) == before

    # A contribution placed after the re-import is attributed to the new generation and
    # counted under the same code, everywhere.
    spot = new.geom.point_on_surface
    response = Client().post(
        f"/api/projects/{demo.slug}/contributions/",
        json.dumps(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [spot.x, spot.y]},
                "properties": {
                    "kind": "proposal",
                    "theme": demo.themes.first().slug,
                    "title": "Après la mise à jour des limites",
                    "consent": True,
                },
            }
        ),
        content_type="application/geo+json",
    )
    assert response.status_code == 201, response.content
    created = Contribution.objects.get(pk=response.json()["id"])
    assert created.commune == new
    after = figures(demo)
    added = int(created.is_public)  # counted at once, or once moderated
    assert after["nice_list"] == after["nice_api"] == before["nice_list"] + added
    [nice] = [row for row in after["areas"] if row[0] == NICE]
    [nice_before] = [row for row in before["areas"] if row[0] == NICE]
    assert nice[2] == nice_before[2] + added
    assert len(after["areas"]) == len(before["areas"])


def test_a_renamed_commune_is_named_as_it_is_now(demo, tmp_path):
    reimport_nice(tmp_path, name="Nizza")
    listed = (
        Client()
        .get(f"/api/projects/{demo.slug}/contributions/", {"commune": NICE, "limit": 5})
        .json()
    )
    assert {f["properties"]["commune_name"] for f in listed["features"]} == {"Nizza"}
    scope = queries.Scope(demo, ContributionFilters())
    rows = {r["code"]: r["name"] for r in areas.build(scope, queries.themes(demo)).rows}
    assert rows[NICE] == "Nizza"
