"""Assisted entry stores how precisely the place is known: a commune chosen from the list is
"commune", a tapped place is exact unless staff tick that it is approximate."""

import re

import pytest
from django.contrib.gis.db.models.functions import PointOnSurface

from contributions.models import Contribution, LocationPrecision
from territories.models import Territory

pytestmark = pytest.mark.django_db


def commune_and_spot(project):
    commune = (
        Territory.objects.filter(perimeters=project.perimeter)
        .annotate(spot=PointOnSurface("geom"))
        .order_by("name")
        .first()
    )
    return commune, commune.spot


def record(client, project, title, **place):
    data = {
        "channel": "phone",
        "kind": "proposal",
        "theme": project.themes.first().slug,
        "title": title,
        "language": "fr",
        "email": "",
        "consent": "on",
        **place,
    }
    response = client.post(f"/fr/staff/{project.slug}/record/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Contribution.objects.get(title=title)


def test_a_commune_chosen_from_the_list_is_stored_as_commune(client, demo, moderator):
    commune, spot = commune_and_spot(demo)
    client.force_login(moderator)
    # Ticking "approximate" does not make a commune-only place any more precise.
    item = record(client, demo, "Par la commune", commune=commune.code, approximate="on")
    assert item.location_precision == LocationPrecision.COMMUNE
    assert item.commune == commune
    assert item.geom.equals_exact(spot, tolerance=1e-9)


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [(False, LocationPrecision.EXACT), (True, LocationPrecision.APPROXIMATE)],
)
def test_a_tapped_place_is_exact_or_approximate_as_staff_say(
    client, demo, moderator, ticked, expected
):
    _commune, spot = commune_and_spot(demo)
    client.force_login(moderator)
    place = {"longitude": f"{spot.x:.6f}", "latitude": f"{spot.y:.6f}"}
    if ticked:
        place["approximate"] = "on"
    item = record(client, demo, f"Sur la carte {ticked}", **place)
    assert item.location_precision == expected


def test_the_form_offers_approximate_as_a_labelled_checkbox(client, demo, moderator):
    client.force_login(moderator)
    page = client.get(f"/en/staff/{demo.slug}/record/").content.decode()
    assert 'type="checkbox" name="approximate"' in page
    assert '<label for="id_approximate">The place on the map is approximate' in page


def test_the_next_entry_keeps_the_choices_and_links_to_the_one_saved(client, demo, moderator):
    """A pile of workshop cards: channel, kind, theme and language stay; the saved one is linked."""
    commune, _spot = commune_and_spot(demo)
    client.force_login(moderator)
    theme = demo.themes.last()
    data = {
        "channel": "paper",
        "kind": "proposal",
        "theme": theme.slug,
        "title": "Banc à l'ombre",
        "language": "it",
        "consent": "on",
        "commune": commune.code,
    }
    response = client.post(f"/fr/staff/{demo.slug}/record/", data)
    assert response.status_code == 302
    item = Contribution.objects.get(title="Banc à l'ombre")
    page = client.get(response["Location"]).content.decode()
    assert f'href="/fr/staff/{demo.slug}/c/{item.pk}/"' in page
    assert re.search(r'<input[^>]*value="paper"[^>]*checked', page)
    assert re.search(rf'<option value="{theme.slug}"[^>]*selected', page)
    assert re.search(r'<option value="it"[^>]*selected', page)
    # Choices the form does not offer, and a malformed saved id, are ignored.
    page = client.get(f"/fr/staff/{demo.slug}/record/?theme=nope&saved=x&channel=online")
    assert page.status_code == 200
