"""GDAL's OAPIF driver against a live server reads the partners' projects collection: listed
beside the contributions, every feature with its vote figures, filtered on a queryable."""

import json
import subprocess

import pytest

from mapping.demo import load_demo
from tests.consistency.partner_seed import seed_partner_vote
from tests.consistency.partner_truth import truth

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
COLLECTION = "piter-alpimed-partner-projects"


@pytest.fixture
def voted_live(live_server):
    world = seed_partner_vote(load_demo())
    return live_server.url + "/ogc", world


def test_gdal_lists_and_reads_the_partner_projects(voted_live, tmp_path):
    url, world = voted_live
    expected = truth(world.project)
    listing = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"OAPIF:{url}"], capture_output=True, text=True, timeout=120
    )
    assert COLLECTION in listing.stdout and "piter-alpimed-contributions" in listing.stdout
    summary = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"OAPIF:{url}", COLLECTION],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "Feature Count: 6" in summary
    for field in ("votes", "votes_for", "votes_against", "rank", "proposed_by", "outcome"):
        assert f"{field}:" in summary, field
    target = tmp_path / "partner.geojson"
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "GeoJSON",
            str(target),
            f"OAPIF:{url}",
            COLLECTION,
            "-oo",
            "PAGE_SIZE=4",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    features = json.loads(target.read_text())["features"]
    read = {
        f["properties"]["id"]: (
            f["properties"]["votes"],
            f["properties"]["votes_for"],
            f["properties"]["votes_against"],
            f["properties"]["rank"],
        )
        for f in features
    }
    assert read == expected.projects
    assert {f["geometry"]["type"] for f in features} == {"Point", "LineString", "Polygon"}


def test_gdal_filters_on_a_queryable(voted_live):
    """GDAL 3.6 passes an attribute filter on a queryable to the server as its parameter."""
    url, world = voted_live
    text = subprocess.run(
        ["ogrinfo", "-ro", f"OAPIF:{url}", COLLECTION, "-where", "theme = 'health-social'"],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert text.count("OGRFeature(") == 1
    assert str(world.items[2].pk) in text  # the health centre, Ventimiglia's point
