"""Vector tiles: decodable, with the expected layers, cacheable, and readable by GDAL."""

import subprocess

import mapbox_vector_tile
import pytest

from layers import grid

pytestmark = pytest.mark.django_db


def tile_of(lon, lat, z):
    x, y = grid.to_mercator(lon, lat)
    size = grid.cell_size(z)
    return z, int((x + grid.ORIGIN) // size), int((grid.ORIGIN - y) // size)


def fetch(client, z, x, y, **params):
    return client.get(f"/tiles/piter-alpimed/{z}/{x}/{y}.pbf", params)


def decode(response):
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(response.content)


def test_a_low_zoom_tile_has_clusters_communes_and_the_perimeter(client, demo):
    layers = decode(fetch(client, *tile_of(7.4, 43.9, 8)))
    assert set(layers) == {"contributions", "communes", "perimeter"}
    counts = [f["properties"]["count"] for f in layers["contributions"]["features"]]
    assert sum(counts) > 200 and max(counts) > 1
    assert any(f["properties"]["cluster"] for f in layers["contributions"]["features"])
    names = {f["properties"]["name"] for f in layers["communes"]["features"]}
    assert {"Menton", "Sospel", "Ventimiglia"} <= names
    assert layers["perimeter"]["features"][0]["properties"]["name"] == "PITER ALPIMED"


def test_a_high_zoom_tile_has_the_contributions_themselves(client, demo):
    from contributions.models import Contribution

    target = Contribution.objects.public().filter(project=demo).first()
    lon, lat = target.geom.point_on_surface.coords
    layers = decode(fetch(client, *tile_of(lon, lat, 16)))
    features = layers["contributions"]["features"]
    assert all(f["properties"]["count"] == 1 and not f["properties"]["cluster"] for f in features)
    found = [f for f in features if f["properties"]["id"] == str(target.pk)]
    assert found and found[0]["properties"]["title"] == target.title
    assert found[0]["properties"]["theme"] == target.theme.slug


def test_filters_apply_to_tiles(client, demo):
    z, x, y = tile_of(7.3, 43.75, 9)
    everything = decode(fetch(client, z, x, y))["contributions"]["features"]
    reports = decode(fetch(client, z, x, y, kind="report"))["contributions"]["features"]
    total = sum(f["properties"]["count"] for f in everything)
    assert 0 < sum(f["properties"]["count"] for f in reports) < total


def test_empty_tiles_are_204_and_tiles_are_cacheable(client, demo):
    empty = fetch(client, *tile_of(-30.0, 40.0, 10))  # the Atlantic
    assert empty.status_code == 204
    full = fetch(client, *tile_of(7.4, 43.9, 8))
    assert full["Cache-Control"] == "public, max-age=60"
    again = client.get(full.wsgi_request.path, HTTP_IF_NONE_MATCH=full["ETag"])
    assert again.status_code == 304 and again["ETag"] == full["ETag"]


def test_the_etag_changes_when_contributions_change(client, demo):
    from contributions.models import Contribution, Status

    path = "/tiles/piter-alpimed/{}/{}/{}.pbf".format(*tile_of(7.4, 43.9, 8))
    before = client.get(path)["ETag"]
    first = Contribution.objects.filter(project=demo, status=Status.PUBLISHED).first()
    Contribution.objects.filter(pk=first.pk).update(status=Status.HIDDEN)
    assert client.get(path)["ETag"] != before


@pytest.mark.parametrize("path", ["9/600/0", "9/0/512", "23/0/0", "3/-1/0"])
def test_tiles_out_of_range_are_400(client, demo, path):
    response = client.get(f"/tiles/piter-alpimed/{path}.pbf")
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert response.json()["code"] == "tile_out_of_range"


def test_unknown_filters_on_tiles_are_400(client, demo):
    response = fetch(client, *tile_of(7.4, 43.9, 8), colour="red")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_parameter")


def test_gdal_reads_a_tile(client, demo, tmp_path):
    z, x, y = tile_of(7.4, 43.9, 8)
    response = fetch(client, z, x, y)
    target = tmp_path / str(z) / str(x) / f"{y}.pbf"
    target.parent.mkdir(parents=True)
    target.write_bytes(response.content)
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Layer name: contributions" in result.stdout
    assert "Layer name: communes" in result.stdout
    assert "Layer name: perimeter" in result.stdout
    assert "EPSG" in result.stdout or "Pseudo-Mercator" in result.stdout
    communes = result.stdout.split("Layer name: communes")[1]
    assert "Feature Count: 0" not in communes.split("Layer name:")[0]
