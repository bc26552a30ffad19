"""Every export carries each contribution's location precision, read back through GDAL."""

import csv
import io

import pyogrio
import pytest

from contributions.models import Contribution, LocationPrecision, Status
from tests.layers.test_exports import export

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def precisions(demo, django_db_blocker):
    """Committed (ogr2ogr reads through its own connection): some public points placed by
    their commune, some approximate, the rest exact; {id: precision} of every contribution."""
    with django_db_blocker.unblock():
        points = list(
            Contribution.objects.filter(project=demo, status=Status.PUBLISHED)
            .order_by("created_at", "id")
            .values_list("id", "geom")
        )
        ids = [pk for pk, geom in points if geom.geom_type == "Point"]
        Contribution.objects.filter(pk__in=ids[:5]).update(
            location_precision=LocationPrecision.COMMUNE
        )
        Contribution.objects.filter(pk__in=ids[5:8]).update(
            location_precision=LocationPrecision.APPROXIMATE
        )
        stored = dict(
            Contribution.objects.filter(project=demo).values_list("id", "location_precision")
        )
    return {str(pk): precision for pk, precision in stored.items()}


def read(path, layer=None):
    frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
    return dict(zip(frame["id"], frame["location_precision"], strict=True))


@pytest.mark.parametrize(
    ("fmt", "srid", "public"),
    [("gpkg", 2154, False), ("geojson", 4326, True), ("csv", 2154, False), ("gpkg", 32632, True)],
)
def test_the_column_holds_each_contributions_precision(
    demo, precisions, tmp_path, fmt, srid, public
):
    path = tmp_path / f"contributions.{fmt}"
    export(path, fmt, srid, *(["--public"] if public else []))
    got = read(path, "contributions" if fmt != "csv" else None)
    assert set(got.values()) == set(LocationPrecision.values)
    expected = Contribution.objects.filter(project=demo)
    if public:
        expected = expected.public()
    assert got == {str(pk): precisions[str(pk)] for pk in expected.values_list("id", flat=True)}
    if public:
        assert "location_precision" in (tmp_path / "README.txt").read_text(encoding="utf-8")


def test_open_data_csv_and_the_public_list_carry_it(client, demo, precisions):
    demo.publishes_open_data = True
    demo.save(update_fields=["publishes_open_data"])
    response = client.get("/api/projects/piter-alpimed/opendata.csv")
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    got = {row["id"]: row["location_precision"] for row in rows}
    assert got and all(precisions[pk] == value for pk, value in got.items())
    assert list(got.values()).count("commune") == 5
    listed = client.get("/api/projects/piter-alpimed/contributions/", {"limit": 10_000}).json()
    assert {f["id"]: f["properties"]["location_precision"] for f in listed["features"]} == got
