"""A moderator moves a misplaced pin on django-leaflet's map: the commune and the public place
follow, the audit log keeps where it was, and a place outside the perimeter is refused."""

import json

import pytest

from contributions.models import LocationPrecision
from staff.models import Action, AuditEntry
from tests.factories import make_contribution

pytestmark = pytest.mark.django_db

TRIORA = (7.7636, 44.0000)  # a tap meant for Sospel that landed in Triora
SOSPEL = (7.4475, 43.8772)
MONACO = (7.4246, 43.7384)


def url(item, suffix=""):
    return f"/fr/staff/{item.project.slug}/c/{item.pk}/{suffix}"


def point(lon, lat):
    return json.dumps({"type": "Point", "coordinates": [lon, lat]})


def test_the_page_offers_the_widget_on_the_current_place(client, demo, moderator):
    item = make_contribution(demo, lonlat=TRIORA)
    client.force_login(moderator)
    html = client.get(url(item)).content.decode()
    assert 'id="move-title"' in html
    assert "leaflet/leaflet.forms.js" in html  # django-leaflet's form widget
    assert "7.7636" in html and "44.0" in html  # it opens on the pin as it is


def test_a_moderator_moves_the_pin_and_the_commune_follows(client, demo, moderator):
    item = make_contribution(demo, lonlat=TRIORA)
    assert item.commune.code == "008061"
    client.force_login(moderator)
    response = client.post(url(item, "move/"), {"place": point(*SOSPEL), "reason": "tap slipped"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (round(item.geom.x, 4), round(item.geom.y, 4)) == SOSPEL
    assert item.commune.code == "06136"
    assert item.public_commune_id == item.commune_id
    assert item.location_precision == LocationPrecision.EXACT
    entry = AuditEntry.objects.get(target_id=item.pk, action=Action.MOVE)
    assert entry.reason == "tap slipped"
    assert entry.details["from"] == list(TRIORA) and entry.details["commune"] == "06136"
    page = client.get(url(item)).content.decode()
    assert "Sospel" in page


def test_a_place_outside_the_perimeter_is_refused_and_nothing_moves(client, demo, moderator):
    item = make_contribution(demo, lonlat=TRIORA)
    client.force_login(moderator)
    response = client.post(url(item, "move/"), {"place": point(*MONACO), "reason": "kept text"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "périmètre" in html and "kept text" in html
    item.refresh_from_db()
    assert (round(item.geom.x, 4), round(item.geom.y, 4)) == TRIORA
    assert not AuditEntry.objects.filter(target_id=item.pk, action=Action.MOVE).exists()


@pytest.mark.parametrize("place", ["", "not geojson", point(999, 999), '{"type": "Point"}'])
def test_a_malformed_place_gets_422_never_500(client, demo, moderator, place):
    item = make_contribution(demo, lonlat=TRIORA)
    client.force_login(moderator)
    response = client.post(url(item, "move/"), {"place": place})
    assert response.status_code == 422
    item.refresh_from_db()
    assert (round(item.geom.x, 4), round(item.geom.y, 4)) == TRIORA


def test_an_analyst_cannot_move_a_pin(client, demo, analyst):
    item = make_contribution(demo, lonlat=TRIORA)
    client.force_login(analyst)
    assert client.post(url(item, "move/"), {"place": point(*SOSPEL)}).status_code == 404
    assert 'id="move-title"' not in client.get(url(item)).content.decode()
