"""The queue's filters: commune, theme, kind, channel, status and a search, each option with
its count, all in the address; unknown values are left out with a sentence, never a 500."""

import re

import pytest
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point

from contributions.models import Channel, Contribution, Status
from staff.selectors.queue import contribution_queue, queue_facets, read_queue_filters
from territories.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_communes(demo):
    return list(
        Territory.objects.filter(perimeters=demo.perimeter)
        .annotate(spot=PointOnSurface("geom"))
        .order_by("name")[:2]
    )


def make(project, title, commune, *, description="", status=Status.SUBMITTED, **extra):
    return Contribution.objects.create(
        project=project,
        kind=extra.pop("kind", "report"),
        theme=extra.pop("theme", project.themes.first()),
        title=title,
        description=description,
        geom=Point(commune.spot.x, commune.spot.y, srid=4326),
        commune=commune,
        status=status,
        **extra,
    )


def test_the_queue_filters_by_commune_channel_and_accent_blind_search(demo, two_communes):
    here, there = two_communes
    fountain = make(demo, "Fontaine ÉCROULÉE", here, channel=Channel.PAPER)
    make(demo, "Fontaine écroulée aussi", there, channel=Channel.PAPER)
    make(demo, "Banc cassé", here, description="près de la fontaine", channel=Channel.PHONE)
    filters, ignored = read_queue_filters(
        demo, {"commune": here.code, "q": "fontaine ecroulee", "channel": "paper"}
    )
    assert ignored == []
    assert list(contribution_queue(demo, filters)) == [fountain]
    # Each option counts what choosing it would show, the other filters kept.
    facets = {facet["name"]: facet for facet in queue_facets(demo, filters)}
    communes = {option["value"]: option["count"] for option in facets["commune"]["options"]}
    assert communes[here.code] == 1 and communes[there.code] == 1
    channels = {option["value"]: option["count"] for option in facets["channel"]["options"]}
    assert channels == {"paper": 1}
    # The description is searched too; published-and-reviewed items are not in the queue.
    filters, _ignored = read_queue_filters(demo, {"q": "FONTAINE", "commune": here.code})
    assert {c.title for c in contribution_queue(demo, filters)} == {
        "Fontaine ÉCROULÉE",
        "Banc cassé",
    }


def test_the_page_keeps_the_filters_in_its_links_and_says_what_it_left_out(
    client, demo, moderator, two_communes
):
    here, _there = two_communes
    for number in range(55):  # more than a page
        make(demo, f"Lampadaire {number}", here, kind="report")
    client.force_login(moderator)
    url = f"/fr/staff/{demo.slug}/?commune={here.code}&q=lampadaire&kind=report&theme=nope"
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "55 éléments" in page or "55 items" in page or "55" in page
    # The pager keeps every filter; the unknown theme is said and left out.
    pager = re.search(r'href="\?([^"]*page=2)"', page).group(1).replace("&amp;", "&")
    assert f"commune={here.code}" in pager and "q=lampadaire" in pager and "kind=report" in pager
    assert "theme=" not in pager
    assert "nope" in page
    second = client.get(f"/fr/staff/{demo.slug}/?{pager}")
    assert second.status_code == 200
    assert second.context["page"].number == 2
    assert len(second.context["page"].object_list) == 5
    # The selected options stay selected.
    assert f'<option value="{here.code}" selected>' in page


@pytest.mark.parametrize(
    "query",
    ["status=nope", "kind=%00", "commune=" + "9" * 500, "channel=fax", "page=abc", "tab=x&q="],
)
def test_bad_values_never_break_the_queue(client, demo, moderator, query):
    client.force_login(moderator)
    # A NUL byte is refused by the site before any view (400); the rest are left out.
    expected = 400 if "%00" in query else 200
    assert client.get(f"/fr/staff/{demo.slug}/?{query}").status_code == expected


def test_a_search_too_long_to_run_is_a_400_that_says_so(client, demo, moderator):
    client.force_login(moderator)
    response = client.get(f"/en/staff/{demo.slug}/?q={'a' * 300}")
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
    assert len(response.context["page"].object_list) == 0


def test_hiding_several_items_is_confirmed_first(client, demo, moderator, two_communes):
    here, _there = two_communes
    first, second = make(demo, "Premier", here), make(demo, "Second", here)
    client.force_login(moderator)
    data = {
        "action": "hide",
        "items": [f"contribution:{first.pk}", f"contribution:{second.pk}"],
        "reason_choice": "off_topic",
        "next": f"/fr/staff/{demo.slug}/?commune={here.code}",
    }
    response = client.post(f"/fr/staff/{demo.slug}/moderate/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Premier" in page and "Second" in page and 'name="confirm" value="1"' in page
    first.refresh_from_db()
    assert first.status == Status.SUBMITTED  # nothing done yet
    response = client.post(
        f"/fr/staff/{demo.slug}/moderate/",
        {**data, "reason_choice": "", "reason_text": "Hors sujet", "confirm": "1"},
    )
    assert response.status_code == 302 and response["Location"] == data["next"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Status.HIDDEN
    # Publishing several is not destructive: done at once.
    response = client.post(
        f"/fr/staff/{demo.slug}/moderate/", {**data, "action": "publish", "confirm": ""}
    )
    assert response.status_code == 302
