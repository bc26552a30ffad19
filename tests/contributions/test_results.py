"""Results ("you said, we did"): recording one emails the confirmed followers of the
contributions it answers once each, in their language, after the commit, with one-click
unsubscribe headers; a change of status or progress and a new milestone tell them again, a
reworded text does not; its place is the union of its contributions' public locations when
none is drawn; the OGC API serves the results as a collection; the figures count them."""

import datetime
import re

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from contributions import figures
from contributions.models import Result, ResultStatus, Status
from contributions.models.places import Frequency, PlaceFollow, PlaceKind
from contributions.results import public_results
from core.errors import DomainError
from staff.models import AuditEntry, Role, Target
from staff.services.results import add_milestone, save_result
from tests import factories

pytestmark = pytest.mark.django_db

SITE = "https://participer.example.org"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def moderator(demo):
    return factories.give_role(factories.make_user(staff=True), demo, Role.MODERATOR)


@pytest.fixture
def three(demo):
    return [
        factories.make_contribution(demo, lonlat=lonlat, status=Status.PUBLISHED)
        for lonlat in ((7.2620, 43.7030), (7.2650, 43.7050), (7.2700, 43.7010))
    ]


def record(moderator, project, contributions, capture, **fields):
    mail.outbox.clear()
    fields.setdefault("title", {"fr": "Nouvelle piste cyclable", "it": "Nuova pista ciclabile"})
    with capture(execute=True):
        return save_result(
            actor=moderator,
            project=project,
            contribution_ids=[c.pk for c in contributions],
            **fields,
        )


def test_a_new_result_on_three_contributions_emails_each_follower_once(
    demo, moderator, three, django_capture_on_commit_callbacks
):
    a, b, c = three
    factories.make_follow(a, email="both@example.org", language="it")
    factories.make_follow(b, email="Both@Example.org", language="fr")  # the same address
    factories.make_follow(b, email="bea@example.org", language="fr")
    factories.make_follow(c, email="carl@example.org", language="en")
    factories.make_follow(c, email="unconfirmed@example.org", confirmed=False)
    result = record(moderator, demo, three, django_capture_on_commit_callbacks, progress=30)

    addresses = sorted(message.to[0].lower() for message in mail.outbox)
    assert addresses == ["bea@example.org", "both@example.org", "carl@example.org"]
    by_address = {message.to[0].lower(): message for message in mail.outbox}
    italian = by_address["both@example.org"]
    assert italian.extra_headers["Content-Language"] == "it"
    assert "Nuova pista ciclabile" in italian.subject
    assert italian.extra_headers["List-Unsubscribe"].startswith(f"<{SITE}/")
    assert italian.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{SITE}/it/p/{demo.slug}/results/{result.pk}/" in italian.body
    # English is not a language of this result: the reader gets the main language's title.
    assert "Nouvelle piste cyclable" in by_address["carl@example.org"].subject
    entry = AuditEntry.objects.about(result.pk).get()
    assert (entry.target_type, entry.action) == (Target.RESULT, "result")


def test_news_is_a_status_progress_or_milestone_never_a_reworded_text(
    demo, moderator, three, django_capture_on_commit_callbacks
):
    factories.make_follow(three[0], email="f@example.org", language="fr")
    result = record(moderator, demo, three, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    same = {"result_id": result.pk, "progress": 0}
    record(moderator, demo, three, django_capture_on_commit_callbacks, text={"fr": "Mot."}, **same)
    assert mail.outbox == []
    record(
        moderator,
        demo,
        three,
        django_capture_on_commit_callbacks,
        result_id=result.pk,
        status=ResultStatus.IN_PROGRESS,
        progress=40,
    )
    assert len(mail.outbox) == 1 and re.search(r"40\s?%", mail.outbox[0].body)  # "40 %" in French
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        add_milestone(
            actor=moderator,
            result=result,
            date=datetime.date(2026, 5, 1),
            text={"fr": "Travaux commencés"},
        )
    assert len(mail.outbox) == 1 and "Travaux commencés" in mail.outbox[0].body


def test_done_is_one_hundred_percent(demo, moderator, three, django_capture_on_commit_callbacks):
    result = record(
        moderator,
        demo,
        three,
        django_capture_on_commit_callbacks,
        status=ResultStatus.DONE,
        progress=10,
    )
    assert Result.objects.get(pk=result.pk).progress == 100


def test_the_place_is_the_union_of_the_public_contributions_unless_drawn(
    demo, moderator, three, django_capture_on_commit_callbacks
):
    result = record(moderator, demo, three, django_capture_on_commit_callbacks)
    place = public_results(demo).get(pk=result.pk).place
    assert place.geom_type == "MultiPoint" and len(place) == 3
    # Hidden later: it stops shaping the place at once (computed on read).
    three[2].status = Status.HIDDEN
    three[2].save(update_fields=["status"])
    assert len(public_results(demo).get(pk=result.pk).place) == 2
    drawn = Point(7.25, 43.70, srid=4326)
    record(
        moderator,
        demo,
        three[:2],
        django_capture_on_commit_callbacks,
        result_id=result.pk,
        geom=drawn,
    )
    assert public_results(demo).get(pk=result.pk).place.equals(drawn)


def test_results_by_status_counts_every_status(
    demo, moderator, three, django_capture_on_commit_callbacks
):
    record(moderator, demo, three[:1], django_capture_on_commit_callbacks)
    record(
        moderator, demo, three[1:], django_capture_on_commit_callbacks, status=ResultStatus.PLANNED
    )
    counts = figures.results_by_status(demo)
    assert list(counts) == list(ResultStatus.values)
    assert counts["studied"] == 1 and counts["planned"] == 1 and sum(counts.values()) == 2


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_the_ogc_results_collection_returns_it(
    client, demo, moderator, three, django_capture_on_commit_callbacks
):
    result = record(moderator, demo, three, django_capture_on_commit_callbacks, progress=25)
    collections = client.get("/ogc/collections").json()["collections"]
    assert f"{demo.slug}-results" in [c["id"] for c in collections]
    items = client.get(f"/ogc/collections/{demo.slug}-results/items").json()
    assert items["type"] == "FeatureCollection"
    (found,) = [f for f in items["features"] if f["id"] == str(result.pk)]
    assert found["properties"]["progress"] == 25
    assert found["geometry"]["type"] == "MultiPoint"
    one = client.get(f"/ogc/collections/{demo.slug}-results/items/{result.pk}")
    assert one.status_code == 200 and one.json()["id"] == str(result.pk)
    missing = client.get(f"/ogc/collections/{demo.slug}-results/items/not-a-uuid")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_the_map_layer_and_the_pages_show_it(
    client, demo, moderator, three, django_capture_on_commit_callbacks
):
    result = record(moderator, demo, three, django_capture_on_commit_callbacks, progress=60)
    layer = client.get(f"/api/projects/{demo.slug}/results.geojson", {"lang": "it"}).json()
    (found,) = [f for f in layer["features"] if f["id"] == str(result.pk)]
    assert found["properties"]["title"] == "Nuova pista ciclabile"
    page = client.get(f"/fr/p/{demo.slug}/results/{result.pk}/").content.decode()
    assert 'value="60"' in page and "Nouvelle piste cyclable" in page
    contribution = client.get(f"/fr/p/{demo.slug}/c/{three[0].pk}/").content.decode()
    assert f"/fr/p/{demo.slug}/results/{result.pk}/" in contribution
    project = client.get(f"/fr/p/{demo.slug}/").content.decode()
    assert 'id="loop-title"' in project
    listing = client.get(f"/it/p/{demo.slug}/list/").content.decode()
    assert "Nuova pista ciclabile" in listing and 'value="60"' in listing
    assert f"/it/p/{demo.slug}/results/{result.pk}/" in listing


def test_followers_of_a_place_it_lies_in_are_told_too(
    demo, moderator, three, django_capture_on_commit_callbacks
):
    PlaceFollow.objects.create(
        email="quartier@example.org",
        language="fr",
        token="place-token-results",
        project=demo,
        kind=PlaceKind.AREA,
        geom=MultiPolygon(Polygon.from_bbox((7.25, 43.69, 7.28, 43.72)), srid=4326),
        label="Quartier",
        frequency=Frequency.IMMEDIATE,
        confirmed_at=timezone.now(),
    )
    record(moderator, demo, three, django_capture_on_commit_callbacks)
    assert "quartier@example.org" in [message.to[0] for message in mail.outbox]


@pytest.mark.parametrize(
    "value", [101, -1, float("nan"), float("inf"), 40.5, True, "NaN", "1e2", "٣", "", None]
)
def test_progress_is_a_whole_number_from_0_to_100(
    demo, moderator, three, value, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError) as refused:
        record(moderator, demo, three, django_capture_on_commit_callbacks, progress=value)
    assert refused.value.code == "invalid_progress" and refused.value.status == 422
    assert refused.value.message and not Result.objects.exists()


@pytest.mark.parametrize(
    "fields,code",
    [
        ({"title": {"fr": "Lampe\x00"}}, "invalid"),
        ({"title": {"fr": "x" * 10_000}}, "too_long"),
        ({"text": {"fr": "x" * 10_000}}, "too_long"),
        ({"title": {"de": "Lampe"}}, "unknown_language"),
        ({"status": "finished"}, "unknown_status"),
        (
            {
                "geom": Polygon(
                    ((7.26, 43.70), (7.27, 43.71), (7.27, 43.70), (7.26, 43.71), (7.26, 43.70)),
                    srid=4326,
                )
            },
            "invalid_geometry",
        ),
    ],
)
def test_the_service_refuses_hostile_input_and_writes_nothing(
    demo, moderator, three, fields, code, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError) as refused:
        record(moderator, demo, three, django_capture_on_commit_callbacks, **fields)
    assert refused.value.code == code and 400 <= refused.value.status < 500
    assert not Result.objects.exists()
