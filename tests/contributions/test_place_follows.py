"""Following a place (a commune, a circle, a drawn area): only a confirmed follow is emailed;
matching is by geometry in PostGIS (the contribution's public location against the place),
for the follow's project or all; immediate followers get one email per event, the others a
daily or weekly digest of what happened there. Hostile input is refused with a code and a
sentence, and nothing is written."""

import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.core.management import call_command
from django.test import Client

from contributions.models import Frequency, PlaceEvent, PlaceFollow, Status
from contributions.services import places
from contributions.services.submission import Submission, submit_contribution
from staff.models import Action, Role
from staff.services import answers, moderation
from territories.models import Territory
from tests import factories

pytestmark = pytest.mark.django_db

SITE = "https://participer.example.org"
NICE = (7.2620, 43.7030)
LINK = re.compile(r"https?://\S+/follow-place/confirm/\S+/")


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def moderator(demo):
    return factories.give_role(factories.make_user(staff=True), demo, Role.MODERATOR)


@pytest.fixture
def tende(demo):
    return Territory.objects.communes().get(code="06163")


def inside(territory, dx=0.0, dy=0.0):
    point = territory.label_point
    return (point.x + dx, point.y + dy)


def follow(place, *, email, frequency=Frequency.DAILY, project=None, confirmed=True, lang="fr"):
    made = places.request_place_follow(
        place=place, email=email, frequency=frequency, project=project, language=lang
    )
    if confirmed:
        PlaceFollow.objects.filter(pk=made.pk).update(confirmed_at=made.created_at)
    mail.outbox.clear()
    return made


def publish(project, moderator, capture, lonlat):
    item = factories.make_contribution(project, lonlat=lonlat, status=Status.SUBMITTED)
    with capture(execute=True):
        moderation.moderate(
            actor=moderator, project=project, action=Action.PUBLISH, contribution_ids=[item.pk]
        )
    item.refresh_from_db()
    return item


def test_a_daily_follower_of_tende_gets_a_digest_of_the_two_published_there_not_nice(
    demo, tende, moderator, django_capture_on_commit_callbacks
):
    follower = follow(places.commune_place("06163"), email="tende@example.org", project=demo)
    first = publish(demo, moderator, django_capture_on_commit_callbacks, inside(tende))
    second = publish(demo, moderator, django_capture_on_commit_callbacks, inside(tende, 0.002))
    nice = publish(demo, moderator, django_capture_on_commit_callbacks, NICE)
    assert mail.outbox == []  # a digest follower is not emailed at each event
    assert PlaceEvent.objects.filter(follow=follower).count() == 2

    call_command("send_place_digests", "--frequency", "daily")
    [digest] = mail.outbox
    assert digest.to == ["tende@example.org"]
    assert "Tende" in digest.subject
    assert f"/c/{first.pk}/" in digest.body and f"/c/{second.pk}/" in digest.body
    assert f"/c/{nice.pk}/" not in digest.body
    assert first.email not in digest.body and second.email not in digest.body
    assert digest.extra_headers["List-Unsubscribe"] == (
        f"<{SITE}/fr/follow-place/stop/{follower.token}/>"
    )
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    follower.refresh_from_db()
    assert follower.last_digest_at is not None
    assert not PlaceEvent.objects.filter(follow=follower).exists()
    # Nothing new since: no second digest; a weekly run does not send daily follows.
    mail.outbox.clear()
    call_command("send_place_digests", "--frequency", "daily")
    call_command("send_place_digests", "--frequency", "weekly")
    assert mail.outbox == []


def test_an_unconfirmed_place_follow_receives_nothing(
    demo, tende, moderator, django_capture_on_commit_callbacks
):
    for frequency in Frequency.values:
        follow(
            places.commune_place("06163"),
            email=f"unconfirmed-{frequency}@example.org",
            frequency=frequency,
            confirmed=False,
        )
    publish(demo, moderator, django_capture_on_commit_callbacks, inside(tende))
    call_command("send_place_digests", "--frequency", "daily")
    call_command("send_place_digests", "--frequency", "weekly")
    assert mail.outbox == []
    assert not PlaceEvent.objects.exists()


def test_an_immediate_follower_gets_one_email_per_published_contribution(
    demo, tende, moderator, django_capture_on_commit_callbacks
):
    follower = follow(
        places.commune_place("06163"),
        email="now@example.org",
        frequency=Frequency.IMMEDIATE,
        project=demo,
        lang="it",
    )
    items = [
        publish(demo, moderator, django_capture_on_commit_callbacks, inside(tende, dx))
        for dx in (0, 0.001, 0.002)
    ]
    publish(demo, moderator, django_capture_on_commit_callbacks, NICE)
    assert len(mail.outbox) == 3
    for message, item in zip(mail.outbox, items, strict=True):
        assert message.to == ["now@example.org"]
        assert f"/c/{item.pk}/" in message.body
        assert message.extra_headers["Content-Language"] == "it"
        assert message.extra_headers["List-Unsubscribe"] == (
            f"<{SITE}/it/follow-place/stop/{follower.token}/>"
        )
    assert not PlaceEvent.objects.exists()


def test_a_status_change_with_an_answer_reaches_the_place_followers(
    demo, tende, moderator, django_capture_on_commit_callbacks
):
    follow(places.commune_place("06163"), email="now@example.org", frequency="immediate")
    item = factories.make_contribution(demo, lonlat=inside(tende), status=Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        answers.set_status(
            actor=moderator,
            contribution=item,
            status=Status.PLANNED,
            answers={"fr": "Prévu au printemps.", "it": "Previsto in primavera."},
        )
    [message] = mail.outbox
    assert "Prévu au printemps." in message.body


def test_a_hidden_item_is_never_told(demo, tende, moderator, django_capture_on_commit_callbacks):
    follower = follow(places.commune_place("06163"), email="tende@example.org")
    item = publish(demo, moderator, django_capture_on_commit_callbacks, inside(tende))
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(
            actor=moderator, project=demo, action=Action.HIDE, contribution_ids=[item.pk]
        )
    assert PlaceEvent.objects.filter(follow=follower).count() == 1
    call_command("send_place_digests", "--frequency", "daily")
    assert mail.outbox == []  # hidden since: left out, and the digest would be empty
    assert not PlaceEvent.objects.exists()


def test_circle_and_drawn_area_follows_match_by_geometry(
    demo, tende, moderator, django_capture_on_commit_callbacks
):
    lon, lat = inside(tende)
    circle = follow(places.circle_place(lon, lat, 500), email="circle@example.org")
    far_circle = follow(places.circle_place(lon + 0.05, lat, 500), email="far@example.org")
    d = 0.01
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [lon - d, lat - d],
                [lon + d, lat - d],
                [lon + d, lat + d],
                [lon - d, lat + d],
                [lon - d, lat - d],
            ]
        ],
    }
    area = follow(places.area_place(json.dumps(square)), email="area@example.org")
    item = publish(demo, moderator, django_capture_on_commit_callbacks, (lon + 0.001, lat))
    told = set(PlaceEvent.objects.filter(contribution=item).values_list("follow", flat=True))
    assert told == {circle.pk, area.pk} and far_circle.pk not in told
    assert circle.radius_m == 500 and circle.label == "Tende"
    with_language = places.display_label(circle)
    assert "500" in with_language and "Tende" in with_language


def test_a_follow_for_all_projects_matches_any_project_one_for_a_project_only_it(
    demo, tende, moderator, django_capture_on_commit_callbacks
):
    other = factories.make_project(demo.perimeter, slug="other-project")
    factories.give_role(moderator, other, Role.MODERATOR)
    everywhere = follow(places.commune_place("06163"), email="all@example.org", project=None)
    only_demo = follow(places.commune_place("06163"), email="demo@example.org", project=demo)
    item = publish(other, moderator, django_capture_on_commit_callbacks, inside(tende))
    told = set(PlaceEvent.objects.filter(contribution=item).values_list("follow", flat=True))
    assert told == {everywhere.pk}
    assert only_demo.pk not in told


def test_the_confirmation_link_confirms_and_the_stop_link_stops(
    demo, tende, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/p/{demo.slug}/follow-place/",
            {
                "place": "commune",
                "commune": "06163",
                "frequency": "weekly",
                "email": "a@example.org",
            },
        )
    assert response.status_code == 200
    follow_row = PlaceFollow.objects.get(email="a@example.org")
    assert follow_row.confirmed_at is None and follow_row.project == demo
    [message] = mail.outbox
    assert "Tende" in message.body
    link = LINK.search(message.body).group(0).removeprefix(SITE)
    assert client.get(link).status_code == 200
    follow_row.refresh_from_db()
    assert follow_row.confirmed_at is None  # opening the link changes nothing
    page = client.post(link)
    assert "You follow Tende" in page.content.decode()
    follow_row.refresh_from_db()
    assert follow_row.confirmed_at is not None
    # A contribution's confirmation page refuses a place follow's link, never a 500.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert Client().get(f"/en/confirm/{token}/").status_code == 404
    # One-click unsubscribe: no session, no CSRF token.
    stop = f"/en/follow-place/stop/{follow_row.token}/"
    assert Client(enforce_csrf_checks=True).get(stop).status_code == 200
    assert PlaceFollow.objects.filter(pk=follow_row.pk).exists()
    response = Client(enforce_csrf_checks=True).post(stop, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not PlaceFollow.objects.filter(pk=follow_row.pk).exists()


def test_a_contribution_link_does_not_confirm_a_place_follow(demo):
    from contributions import email_links

    item = factories.make_contribution(demo, status=Status.PUBLISHED)
    token = email_links.token_for(
        email_links.EmailLink(
            purpose=email_links.FOLLOW, contribution_id=str(item.pk), email="x@example.org"
        )
    )
    assert Client().post(f"/en/follow-place/confirm/{token}/").status_code == 404
    assert Client().post("/en/follow-place/confirm/not-a-token/").status_code == 404


HUGE = {
    "type": "Polygon",
    "coordinates": [[[6.0, 43.0], [8.5, 43.0], [8.5, 45.0], [6.0, 45.0], [6.0, 43.0]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[7.5, 44.0], [7.6, 44.1], [7.6, 44.0], [7.5, 44.1], [7.5, 44.0]]],
}
OPEN_RING = {"type": "Polygon", "coordinates": [[[7.5, 44.0], [7.6, 44.1], [7.6, 44.0]]]}
FAR_AWAY = {
    "type": "Polygon",
    "coordinates": [[[2.3, 48.8], [2.31, 48.8], [2.31, 48.81], [2.3, 48.81], [2.3, 48.8]]],
}


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"place": "commune", "commune": "99999"}, 404, "unknown_commune"),
        ({"place": "commune", "commune": ""}, 404, "unknown_commune"),
        ({"place": "commune", "commune": "x" * 5000}, 404, "unknown_commune"),
        ({"place": "circle", "lon": "7.59", "lat": "44.08", "radius": "0"}, 422, "invalid_radius"),
        (
            {"place": "circle", "lon": "7.59", "lat": "44.08", "radius": "1e9"},
            422,
            "invalid_radius",
        ),
        (
            {"place": "circle", "lon": "7.59", "lat": "44.08", "radius": "nan"},
            422,
            "invalid_radius",
        ),
        ({"place": "circle", "lon": "700", "lat": "44.08", "radius": "500"}, 422, "invalid_point"),
        ({"place": "circle", "lon": "", "lat": "", "radius": "500"}, 422, "invalid_point"),
        ({"place": "area", "area": json.dumps(BOWTIE)}, 422, "invalid_area"),
        ({"place": "area", "area": json.dumps(OPEN_RING)}, 422, "invalid_area"),
        ({"place": "area", "area": json.dumps(HUGE)}, 422, "area_too_large"),
        ({"place": "area", "area": "{not json"}, 422, "invalid_area"),
        (
            {"place": "area", "area": '{"type": "Point", "coordinates": [7, 44]}'},
            422,
            "invalid_area",
        ),
        ({"place": "area", "area": json.dumps(FAR_AWAY)}, 422, "outside_perimeter"),
        ({"place": "elsewhere"}, 422, "unknown_place"),
        ({"place": "commune", "commune": "06163", "frequency": "hourly"}, 422, "unknown_frequency"),
        ({"place": "commune", "commune": "06163", "email": "not an address"}, 400, "invalid_email"),
        ({"place": "commune", "commune": "06\x00163"}, 400, "nul_byte"),
    ],
)
def test_hostile_input_is_refused_with_a_code_and_nothing_is_written(demo, fields, status, code):
    data = {"frequency": "daily", "email": "someone@example.org", **fields}
    response = Client().post(f"/en/p/{demo.slug}/follow-place/", data)
    assert response.status_code == status
    assert code in response.content.decode()
    assert not PlaceFollow.objects.exists()
    assert mail.outbox == []


def test_the_follow_page_opens_with_the_map_centre_and_hostile_query(demo):
    client = Client()
    ok = client.get(f"/fr/p/{demo.slug}/follow-place/?lon=7.59&lat=44.08")
    assert ok.status_code == 200 and 'name="radius"' in ok.content.decode()
    assert client.get(f"/fr/p/{demo.slug}/follow-place/?lon=nan&lat=1e999").status_code == 200
    assert client.get("/fr/p/no-such-project/follow-place/").status_code == 404


def test_following_the_same_place_twice_keeps_one_follow_with_the_last_frequency(
    demo, django_capture_on_commit_callbacks
):
    first = follow(places.commune_place("06163"), email="twice@example.org", project=demo)
    with django_capture_on_commit_callbacks(execute=True):
        second = places.request_place_follow(
            place=places.commune_place("06163"),
            email="Twice@example.org",
            frequency=Frequency.WEEKLY,
            project=demo,
        )
    # Until the second link is confirmed, the first follow stands and the second gets nothing.
    assert PlaceFollow.objects.filter(confirmed_at__isnull=False).get().pk == first.pk
    token = LINK.search(mail.outbox[0].body).group(0).rstrip("/").rsplit("/", 1)[1]
    places.confirm_place_follow(token=token)
    [kept] = PlaceFollow.objects.all()
    assert kept.pk == second.pk and kept.frequency == Frequency.WEEKLY


def test_a_signed_in_persons_verified_address_follows_at_once(demo, tende):
    from allauth.account.models import EmailAddress

    user = factories.make_user(email="resident@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/en/p/{demo.slug}/follow-place/",
        {"place": "commune", "commune": "06163", "frequency": "daily"},
    )
    assert response.status_code == 200
    assert "You follow Tende" in response.content.decode()
    assert PlaceFollow.objects.get().confirmed_at is not None
    assert mail.outbox == []
    # The follow page then lists it, with its stop button.
    page = client.get(f"/en/p/{demo.slug}/follow-place/").content.decode()
    assert "Stop following Tende" in page


def test_a_result_reaches_the_followers_of_its_place_through_the_hook(demo, tende):
    """Results (or any other public item) call notify_place_followers with their geometry."""
    from django.contrib.gis.geos import Point

    now = follow(places.commune_place("06163"), email="now@example.org", frequency="immediate")
    later = follow(places.commune_place("06163"), email="later@example.org", project=demo)
    follow(places.commune_place("06088"), email="nice@example.org", frequency="immediate")
    told = places.notify_place_followers(
        "result",
        object(),
        geometry=Point(*inside(tende), srid=4326),
        project=demo,
        details={"title": "Un nouvel abri", "path": "/fr/p/x/results/1/"},
    )
    assert told == 2
    [message] = mail.outbox
    assert message.to == [now.email] and "Un nouvel abri" in message.body
    assert f"{SITE}/fr/p/x/results/1/" in message.body
    mail.outbox.clear()
    places.send_digests(frequency="daily")
    [digest] = mail.outbox
    assert digest.to == [later.email] and "Un nouvel abri" in digest.body


def test_an_area_given_as_far_too_much_text_is_refused(demo):
    response = Client().post(
        f"/en/p/{demo.slug}/follow-place/",
        {"place": "area", "area": "[" * 300_000, "frequency": "daily", "email": "a@example.org"},
    )
    assert response.status_code == 422 and "area_too_complex" in response.content.decode()
    assert not PlaceFollow.objects.exists()


def test_a_contribution_published_at_submission_reaches_the_place_followers(
    demo, tende, django_capture_on_commit_callbacks
):
    """Moderation after publication: the contribution is public when it is sent, so the
    place's followers hear of it then, not when a moderator looks at it."""
    assert demo.moderation == "after"
    follow(places.commune_place("06163"), email="now@example.org", frequency="immediate")
    follow(places.commune_place("06088"), email="nice@example.org", frequency="immediate")
    submission = Submission(
        kind="proposal",
        theme=demo.themes.first().slug,
        title="Un banc à Tende",
        geometry=Point(*inside(tende), srid=4326),
        consent=True,
        language="fr",
    )
    with django_capture_on_commit_callbacks(execute=True):
        item = submit_contribution(project=demo, submission=submission)
    assert item.status == Status.PUBLISHED
    assert [message.to for message in mail.outbox] == [["now@example.org"]]
    assert f"/c/{item.pk}/" in mail.outbox[0].body
