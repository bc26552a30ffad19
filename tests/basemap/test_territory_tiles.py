"""The territory basemap's tiles: what they hold, in which language, and their errors."""

import mapbox_vector_tile
import pytest

from territories.models import TerritoryName
from territories.services import upsert_territory
from tests.basemap.conftest import box, tile_of

pytestmark = pytest.mark.django_db

NICE_AT = (7.26, 43.70)


def url(z, x, y):
    return f"/basemap/territory/{z}/{x}/{y}.pbf"


def layers_of(client, z, x, y, **params):
    response = client.get(url(z, x, y), params)
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(response.content)


def names(layer):
    return {f["properties"]["name"] for f in layer["features"]}


@pytest.mark.parametrize(
    ("lang", "nice", "villefranche"),
    [
        ("it", "Nizza", "Villafranca"),
        ("fr", "Nice", "Villefranche-sur-Mer"),
        ("en", "Nice", "Villefranche-sur-Mer"),  # no English name: the official one
        (None, "Nice", "Villefranche-sur-Mer"),  # no lang: the site's default language
    ],
)
def test_communes_are_named_in_the_readers_language(client, places, lang, nice, villefranche):
    params = {"lang": lang} if lang else {}
    layers = layers_of(client, *tile_of(*NICE_AT, 10), **params)
    assert {nice, villefranche} <= names(layers["communes"])
    assert nice in names(layers["labels"])
    codes = {f["properties"]["code"] for f in layers["communes"]["features"]}
    assert {"06088", "06159"} <= codes


def test_a_tile_has_communes_parents_the_perimeter_and_label_points(client, places):
    layers = layers_of(client, *tile_of(*NICE_AT, 8), lang="fr")
    assert set(layers) == {"communes", "parents", "perimeter", "labels"}
    parents = {
        (f["properties"]["kind"], f["properties"]["name"]) for f in layers["parents"]["features"]
    }
    assert ("intercommunality", "Métropole Nice Côte d'Azur") in parents
    assert ("province", "Provincia di Imperia") in parents
    assert names(layers["perimeter"]) == {"Riviera test"}
    labels = layers["labels"]["features"]
    assert all(f["geometry"]["type"] == "Point" for f in labels)
    by_name = {f["properties"]["name"]: f["properties"] for f in labels}
    # Provinces first, then intercommunalities, then communes by population.
    assert by_name["Provincia di Imperia"]["rank"] < by_name["Nice"]["rank"]
    assert by_name["Nice"]["rank"] < by_name["Villefranche-sur-Mer"]["rank"]
    assert by_name["Nice"]["kind"] == "commune" and by_name["Nice"]["code"] == "06088"
    assert {"Sanremo", "Métropole Nice Côte d'Azur"} <= set(by_name)


def test_a_label_is_in_one_tile_only(client, places):
    z, x, y = tile_of(*NICE_AT, 11)
    x, y = x - x % 2, y - y % 2
    seen = []
    for dx in (0, 1):
        for dy in (0, 1):
            layers = layers_of(client, z, x + dx, y + dy, lang="fr")
            seen += [f["properties"]["name"] for f in layers.get("labels", {}).get("features", [])]
    assert seen.count("Nice") == 1


def test_a_tile_far_away_is_empty(client, places):
    z, x, y = tile_of(2.35, 48.85, 10)  # Paris
    response = client.get(url(z, x, y), {"lang": "fr"})
    assert response.status_code == 200 and response.content == b""


def test_only_current_boundaries_are_drawn(client, places):
    z, x, y = tile_of(*NICE_AT, 10)
    tag = client.get(url(z, x, y), {"lang": "fr"})["ETag"]
    moved = box(7.181, 43.65, 7.30, 43.76)
    outcome, new = upsert_territory(kind="commune", code="06088", name="Nice", geom=moved)
    assert outcome == "superseded" or new.pk != places["nice"].pk
    try:
        layers = layers_of(client, z, x, y, lang="fr")
        assert [f["properties"]["name"] for f in layers["communes"]["features"]].count("Nice") == 1
        # A re-import is seen: the ETag follows the territories.
        assert client.get(url(z, x, y), {"lang": "fr"})["ETag"] != tag
    finally:
        upsert_territory(kind="commune", code="06088", name="Nice", geom=places["nice"].geom)


def test_caching_headers_and_revalidation(client, places):
    z, x, y = tile_of(*NICE_AT, 10)
    response = client.get(url(z, x, y), {"lang": "it"})
    assert response["Cache-Control"].startswith("public, max-age=")
    tag = response["ETag"]
    assert client.get(url(z, x, y), {"lang": "it"}, HTTP_IF_NONE_MATCH=tag).status_code == 304
    # Each language its own validator; a new name changes it.
    assert client.get(url(z, x, y), {"lang": "fr"})["ETag"] != tag
    extra = TerritoryName.objects.create(
        kind="commune", code="06088", language="it", name="Nizza Marittima"
    )
    try:
        assert client.get(url(z, x, y), {"lang": "it"})["ETag"] != tag
    finally:
        extra.delete()


def test_the_configs_version_keeps_a_tile_longer(client, places):
    config = client.get("/basemap/config.json", {"lang": "fr"}).json()
    z, x, y = tile_of(*NICE_AT, 10)
    template = config["territory"]["url"]
    address = template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
    assert address.startswith(url(z, x, y) + "?lang=fr&version=")
    long = client.get(address)
    short = client.get(url(z, x, y), {"lang": "fr", "version": "old"})
    assert long.status_code == short.status_code == 200 and long.content == short.content
    assert int(long["Cache-Control"].split("=")[1]) > int(short["Cache-Control"].split("=")[1])


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        (url(4, 8, 5), {}, 404, "zoom_not_served"),
        (url(17, 68000, 47000), {}, 404, "zoom_not_served"),
        (url(10, 1024, 0), {}, 404, "tile_out_of_range"),
        (url(10, 0, 5000), {}, 404, "tile_out_of_range"),
        (url(99, 0, 0), {}, 404, "tile_out_of_range"),
        (url(10, 533, 373), {"lang": "de"}, 400, "unknown_language"),
        (url(10, 533, 373), {"lang": "fr-FR"}, 400, "unknown_language"),
        (url(10, 533, 373), {"zoom": "3"}, 400, "unknown_parameter"),
        ("/basemap/config.json", {"lang": "xx"}, 400, "unknown_language"),
    ],
)
def test_bad_tiles_and_languages_are_refused_with_a_code(
    client, places, path, params, status, code
):
    response = client.get(path, params)
    assert response.status_code == status
    assert response.json()["code"] == code


@pytest.mark.parametrize("path", ["/basemap/territory/-1/0/0.pbf", "/basemap/territory/a/b/c.pbf"])
def test_malformed_addresses_are_not_found(client, places, path):
    assert client.get(path).status_code == 404


def test_a_spelling_of_the_official_name_is_not_shown_instead_of_it(client, places):
    """Mondovi for Mondovì helps the search; the reader still sees the official spelling."""
    spelling = TerritoryName.objects.create(
        kind="commune", code="06159", language="fr", name="Villefranche sur Mer"
    )
    try:
        layers = layers_of(client, *tile_of(*NICE_AT, 10), lang="fr")
        assert "Villefranche-sur-Mer" in names(layers["communes"])
        assert "Villefranche sur Mer" not in names(layers["communes"])
    finally:
        spelling.delete()


def test_the_label_point_is_kept_inside_the_boundary_by_the_database(places):
    """territories_label_point: set on insert, moved with the boundary, whoever writes it."""
    from django.db import connection

    from territories.models import Territory

    nice = Territory.objects.get(code="06088", valid_until__isnull=True)
    assert nice.label_point is not None and nice.geom.contains(nice.label_point)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE territories_territory SET geom = ST_Multi(ST_Translate(geom, 0.5, 0))"
            " WHERE id = %s",
            [nice.pk],
        )
    moved = Territory.objects.get(pk=nice.pk)
    assert abs(moved.label_point.x - nice.label_point.x - 0.5) < 0.01
    assert moved.geom.contains(moved.label_point)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE territories_territory SET geom = %s WHERE id = %s", [nice.geom.ewkb, nice.pk]
        )
