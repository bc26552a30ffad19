"""The list page's search in a browser: a resident finds their contribution again by a word
of its description, accents aside; and the map's settings carry each commune's box, for the
commune filter to move the map there."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from contributions.models import Contribution, Status
from mapping import page_data
from tests.conftest import screenshot


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "it"])
def test_the_list_search_finds_a_contribution_by_a_word_of_its_description(
    live_demo, page, language
):
    project, base = live_demo
    mine = Contribution.objects.filter(project=project, status=Status.PUBLISHED).first()
    Contribution.objects.filter(pk=mine.pk).update(
        description="Le préau de l'école Zéphyrine est fermé depuis l'hiver."
    )
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/{language}/p/{project.slug}/list/")
    page.fill("#list-q", "zephyrine")  # no accent, no capital
    page.locator("#list-q").press("Enter")
    page.wait_for_selector("#contribution-list")
    titles = page.locator("#contribution-list li.card h2").all_inner_texts()
    assert titles == [mine.title]
    assert page.input_value("#list-q") == "zephyrine"
    screenshot(page, f"list-search-{language}")
    page.click(f"text={mine.title}")
    assert str(mine.pk) in page.url


@pytest.mark.django_db
def test_the_map_settings_carry_each_communes_box(demo):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    config = page_data.map_config(demo, request)
    communes = {c["code"]: c for c in config["communes"]}
    members = demo.perimeter.members.filter(valid_until__isnull=True)
    assert set(communes) == set(members.values_list("code", flat=True))
    nice = members.get(code="06088")
    west, south, east, north = communes["06088"]["bbox"]
    assert communes["06088"]["name"] == nice.name
    assert west < 7.26 < east and south < 43.70 < north
    assert [round(v, 6) for v in nice.geom.extent] == communes["06088"]["bbox"]
