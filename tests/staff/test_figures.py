"""The staff figures: visits, sign-ups and conversions (bounded by construction, cookieless),
the per-commune table listing the whole perimeter, and the page showing what the CSV says."""

import csv
import io
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.test import Client, RequestFactory
from django.utils import timezone

from contributions import figures
from contributions.models import Contribution, Status
from contributions.services import submit_contribution
from contributions.services.submission import Submission
from staff.models import DailyVisit
from staff.selectors import dashboard
from staff.selectors.visits import visit_figures
from staff.visits import record_visit
from territories.models import Territory

pytestmark = pytest.mark.django_db

NICE = (7.2620, 43.7030)


def browser(address, agent="Firefox"):
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def submit(client, project, title="Un banc à l'ombre"):
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(NICE)},
        "properties": {
            "kind": "proposal",
            "theme": project.themes.first().slug,
            "title": title,
            "consent": True,
        },
    }
    response = client.post(
        f"/api/projects/{project.slug}/contributions/",
        json.dumps(feature),
        content_type="application/geo+json",
    )
    assert response.status_code == 201, response.content
    return response


def test_conversion_stays_within_bounds_when_contributions_exceed_visits(demo):
    """The tester's 667%: 300 contributions, 3 visits counted. A conversion is a share of
    visits, so it cannot pass 100% however many contributions there are."""
    factory = RequestFactory()
    for n in range(3):
        record_visit(factory.get("/", REMOTE_ADDR=f"192.0.2.{n}"), demo)
    assert figures.contributions(demo) > 20 * 3  # contributions / visits > 6.67
    seen = visit_figures(demo)
    assert seen.visits == 3
    assert seen.visit_to_contribution_percent == 0.0
    assert seen.visit_to_sign_up_percent == 0.0
    DailyVisit.objects.filter(project=demo).update(contributed=True, signed_up=True)
    seen = visit_figures(demo)
    assert seen.visit_to_contribution_percent == seen.visit_to_sign_up_percent == 100.0
    for row in dashboard.by_day(demo).rows:
        assert 0 <= row[5] <= 100 and 0 <= row[6] <= 100


def test_a_visit_then_a_submission_from_the_same_browser_marks_that_visit(demo):
    alice, bob = browser("203.0.113.7"), browser("198.51.100.2", "Chrome")
    assert alice.get(f"/fr/p/{demo.slug}/").status_code == 200
    assert bob.get(f"/fr/p/{demo.slug}/").status_code == 200
    assert visit_figures(demo).visits == 2
    submit(alice, demo)
    submit(alice, demo, title="Et une fontaine")  # a second one: still one converted visit
    seen = visit_figures(demo)
    assert (seen.visits, seen.contributing_visits) == (2, 1)
    assert seen.visit_to_contribution_percent == 50.0
    # A submission whose page view was not counted (opened yesterday, say) is a visit too.
    submit(browser("192.0.2.44"), demo)
    seen = visit_figures(demo)
    assert (seen.visits, seen.contributing_visits) == (3, 2)
    # Nothing about the browser is kept but the hash.
    stored = " ".join(DailyVisit.objects.values_list("visitor_hash", flat=True))
    assert "203.0.113.7" not in stored and "Firefox" not in stored


def test_a_contribution_without_a_browser_converts_no_visit(demo):
    """Commands, Open311 and staff entering a resident's contribution send no request."""
    browser("203.0.113.7").get(f"/fr/p/{demo.slug}/")
    submit_contribution(
        project=demo,
        submission=Submission(
            kind="report",
            theme=demo.themes.first().slug,
            title="Reçu au guichet",
            geometry=Point(*NICE, srid=4326),
            channel="phone",
            consent=True,
        ),
    )
    assert visit_figures(demo).contributing_visits == 0


def test_a_sign_up_marks_the_visits_of_that_day(demo):
    alice, bob = browser("203.0.113.7"), browser("198.51.100.2", "Chrome")
    alice.get(f"/fr/p/{demo.slug}/")
    bob.get(f"/fr/p/{demo.slug}/")
    response = alice.post("/fr/accounts/signup/", {"email": "alice@example.org"})
    assert response.status_code == 302
    seen = visit_figures(demo)
    assert (seen.visits, seen.sign_ups, seen.visit_to_sign_up_percent) == (2, 1, 50.0)
    # Signing up without any visit that day marks nothing and makes no visit.
    browser("192.0.2.9").post("/fr/accounts/signup/", {"email": "carol@example.org"})
    assert visit_figures(demo).visits == 2


def test_every_perimeter_commune_is_listed_with_zero_where_nothing_was_said(demo):
    members = dict(
        demo.perimeter.members.filter(valid_until__isnull=True).values_list("code", "name")
    )
    rows = dashboard.by_commune(demo).rows
    assert {row[0] for row in rows} == set(members)  # no "(no commune)" row: none is without
    assert len(rows) == len(members)
    assert any(row[3] == 0 for row in rows)
    assert sum(row[3] for row in rows) == figures.contributions(demo)


def test_communes_are_counted_by_code_across_boundary_generations(demo):
    current = Territory.objects.communes().get(code="06088")
    older = Territory.objects.create(
        name=current.name,
        slug=f"{current.slug}-old",
        kind=current.kind,
        code=current.code,
        geom=current.geom,
        generation=current.generation + 100,
        valid_until=timezone.now(),
    )
    moved = figures.counted(demo).filter(commune=current).order_by("pk")[:3]
    Contribution.objects.filter(pk__in=[c.pk for c in moved]).update(commune=older)
    before = {row[0]: row[3] for row in dashboard.by_commune(demo).rows}
    expected = figures.counted(demo).filter(commune__code="06088").count()
    assert before["06088"] == expected
    # A contribution outside every commune gets its own row, and only then.
    Contribution.objects.filter(pk=moved[0].pk).update(commune=None)
    rows = dashboard.by_commune(demo).rows
    assert rows[-1][0] == "" and rows[-1][3] == 1
    assert {row[0]: row[3] for row in rows}["06088"] == expected - 1


def test_the_dashboard_counts_answered_as_the_domain_does(demo):
    Contribution.objects.filter(pk=figures.counted(demo).first().pk).update(status=Status.PLANNED)
    assert dashboard.summary(demo)["answered"] == figures.counted(demo).answered().count()


def _csv(client, project, name):
    response = client.get(f"/fr/staff/{project.slug}/dashboard/{name}.csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _number(text):
    return float(re.search(r"\d+(?:[.,]\d+)?", text).group().replace(",", "."))


@pytest.mark.parametrize("language", ["fr", "it", "en"])
def test_the_page_shows_what_the_csv_says(client, demo, analyst, language):
    browser("203.0.113.7").get(f"/fr/p/{demo.slug}/")
    submit(browser("203.0.113.7"), demo)
    browser("198.51.100.2").get(f"/fr/p/{demo.slug}/")
    Contribution.objects.filter(
        pk__in=figures.counted(demo).order_by("pk").values("pk")[:40]
    ).update(answer="Merci", answered_at=timezone.now())
    client.force_login(analyst)
    page = client.get(f"/{language}/staff/{demo.slug}/dashboard/").content.decode()
    shown = dict(re.findall(r'data-figure="(\w+)">([^<]*)', page))
    csv_figures = dict(_csv(client, demo, "summary")[1:])
    assert set(shown) <= set(csv_figures)
    for name, text in shown.items():
        assert _number(text) == float(csv_figures[name]), name
    # Decimals are written the reader's way.
    rate = shown["answer_rate_percent"]
    assert ("," in rate) == (language in ("fr", "it")), rate
    assert 0 <= float(csv_figures["visit_to_contribution_percent"]) <= 100
    # Every table on the page is the CSV's, row for row.
    communes = _csv(client, demo, "communes")
    assert len(communes) - 1 == len(dashboard.by_commune(demo).rows)
