"""No server error from small hostile input, at every address of the site.

Each URL pattern (walked from the root URLconf by tests/security/hostile_routes.py) is
filled with real values from the demo world, then asked, anonymously and as a superuser:
- with each path parameter replaced by hostile values for its converter (NUL, numbers
  beyond 64 bits, negative, non-numeric, `../`, long, unicode, broken UTF-8);
- with each query parameter the view reads (found by recording what it looks up) set to
  each hostile value of its kind (dates, numbers, boxes, texts), then every parameter name
  the project knows at once, row after row, and broken percent-encoding;
- with each form field the view reads set to each hostile value (urlencoded), the page's
  actions and a real API key tried first, then every known field at once (multipart);
- with hostile JSON bodies (nested 5000 deep, huge numbers, NUL, wrong types);
- with PUT, PATCH and DELETE.
No answer may be a 5xx; a 4xx JSON answer of a machine interface carries a `code`; and a
ValidationError caught by core.input_guard (`invalid_value`) counts as a failure outside the
admin: the site's own views check their ids. Django's admin views, the same few over every
model, get fewer values. The long jobs behind two addresses are stood in for.

Each request runs in a savepoint rolled back after it, so a write (or a refused one) never
leaks into the next, and the signed-in session is put back if a request ends it.

Over 400 lines: the walk, then each 500 it found pinned down with the answer it gets now,
read together.
"""

import datetime
import json
import math
from dataclasses import dataclass
from urllib.parse import unquote, urlencode

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, override_settings
from django.urls import resolve

from contributions.models import AbuseReport, Contribution, Follow, PartnerProject, PartnerVote
from contributions.vocabulary import (
    COMMENT_MAX_LENGTH,
    REPORT_REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from core.i18n import localized
from open311.models import ApiClient
from privacy import links
from privacy.models import LocationMethod, LocationRule
from staff.models import Action, AnswerTemplate, AuditEntry, Meeting, Target
from tests.security import hostile_routes as walker

pytestmark = pytest.mark.django_db

ROUTES = walker.routes()
HUGE = walker.HUGE
RECORDER = "tests.security.hostile_routes.RecordingMiddleware"
FORM = "application/x-www-form-urlencoded"
INVALID_VALUE = "invalid_value"  # core.input_guard's answer to a ValidationError


def test_the_walker_sees_every_pattern():
    assert len(ROUTES) > 100
    labels = [route.label for route in ROUTES]
    assert len(labels) == len(set(labels))
    assert not [r.label for r in ROUTES if r.problem], "patterns the walker cannot fill"


# ------------------------------------------------------------------ the world's extras


@dataclass
class Extras:
    follow: Follow
    template: AnswerTemplate
    meeting: Meeting
    api_key: str
    partner_project: PartnerProject


@pytest.fixture
def extras(world):
    """One row of every kind an address names, beyond the security world's."""
    published, superuser = world.objects["published"], world.users["superuser"]
    Group.objects.create(name="hostile-group")
    EmailAddress.objects.create(user=superuser, email=superuser.email, verified=True, primary=True)
    LocationRule.objects.create(project=world.p2, method=LocationMethod.GRID, precision_m=100)
    api_client = ApiClient.objects.create(name="hostile-client")
    AbuseReport.objects.create(contribution=published, participant="session:hostile")
    partner = PartnerProject.objects.create(
        project=world.p1,
        theme=world.p1.themes.first(),
        title={"fr": "hostile"},
        location=published.geom,
        published=True,
    )
    PartnerVote.objects.create(
        partner_project=partner, project=world.p1, participant="user:0", value=1
    )
    AuditEntry.objects.create(
        project=world.p1,
        actor=superuser,
        actor_name="superuser",
        action=Action.PUBLISH,
        target_type=Target.CONTRIBUTION,
        target_id=published.pk,
    )
    return Extras(
        follow=Follow.objects.create(contribution=published, email="follower@example.org"),
        template=AnswerTemplate.objects.create(
            project=world.p1, name="hostile", texts={"fr": "text"}
        ),
        api_key=api_client.key,  # shown once, at creation
        partner_project=partner,
        meeting=Meeting.objects.create(
            project=world.p1,
            date=datetime.date(2026, 6, 1),
            period_start=datetime.date(2026, 5, 1),
            period_end=datetime.date(2026, 5, 31),
        ),
    )


@pytest.fixture(autouse=True)
def _no_sign_in_limits(settings):
    """Thousands of posts to the sign-in pages would leave allauth's counters (in the shared
    cache) over their limits for the tests that run next."""
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.fixture(autouse=True)
def _quick_jobs(monkeypatch):
    """The long jobs behind two addresses (ogr2ogr for the staff export, the diagnostic
    bundle) are stood in for: what is under test is how their views read input, and the jobs
    have their own tests (tests/staff/test_export.py, test_diagnostic_download.py)."""

    def bundle(*, output, **_options):
        output.mkdir(parents=True)
        (output / "README.txt").write_text("stand-in")

    monkeypatch.setattr("staff.views.exports._stream_ogr2ogr", lambda *_args: iter([b""]))
    monkeypatch.setattr("layers.diagnostic.bundle.run", bundle)


def _tile(contribution, z=16):
    contribution.refresh_from_db(fields=["public_geom"])
    point = contribution.public_geom.point_on_surface
    n = 2**z
    x = int((point.x + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(point.y))) / math.pi) / 2 * n)
    return {"z": z, "x": x, "y": y}


def _admin_object(route):
    """The pk of a row of the model an admin address names."""
    if route.label.startswith("admin/r/"):
        return None
    app_label, model_name = route.parts[1].strip("/").split("/")
    row = apps.get_model(app_label, model_name)._default_manager.first()
    return row.pk if row is not None else None


def real_values(route, world, extras) -> tuple[dict, list[str]]:
    """Values that lead each path parameter to a real object, and the parameters left
    without one (the test then fails: add a value here)."""
    published, superuser = world.objects["published"], world.users["superuser"]
    by_name = {
        "slug": world.p1.slug,
        "pk": published.pk,
        "contribution_id": published.pk,
        "photo_id": world.photos["published"].pk,
        "size": "large",
        "collection_id": f"{world.p1.slug}-contributions",
        # A questionnaire's map question (layers.ogc_questionnaires) and a map answer's id.
        "question_collection": f"{world.p1.slug}-q-survey-where",
        "answer_id": "0" * 32,
        # The questionnaire "survey" (questionnaires.api, the staff's builder).
        "qslug": "survey",
        "questionnaire_id": world.questionnaire.pk,
        "page_id": world.questionnaire.pages.first().pk,
        "question_id": world.questionnaire.questions.first().pk,
        "feature_id": published.pk,
        "fmt": "json",
        "request_id": published.pk,
        "token": extras.follow.token,
        "name": "communes",
        "template_id": extras.template.pk,
        "meeting_id": extras.meeting.pk,
        "content_type_id": ContentType.objects.get_for_model(Contribution).pk,
        "object_id": published.pk,
        "id": superuser.pk,
        "app_label": "contributions",
        "url": "no-such-page/",
        "uidb36": user_pk_to_url_str(superuser),
        "key": default_token_generator.make_token(superuser),
        **_tile(published),
    }
    by_route = {
        ("territory-geojson", "slug"): world.p1.perimeter.slug,
        ("staff:print", "size"): "flyer",
        ("opendata", "fmt"): "geojson",
        ("staff-export", "fmt"): "geojson",
        ("privacy-email-link", "token"): links.make_token(superuser.email),
        ("staff:partner-project", "pk"): extras.partner_project.pk,
        ("staff:partner-project-photo", "pk"): extras.partner_project.pk,
        ("staff:partner-project-outcome", "pk"): extras.partner_project.pk,
    }
    values, missing = {}, []
    for name, _kind in route.parameters:
        if name == "object_id" and route.is_admin and not route.label.startswith("admin/r/"):
            value = _admin_object(route)
        else:
            value = by_route.get((route.name, name), by_name.get(name))
        if value is None:
            missing.append(name)
        values[name] = value
    return values, missing


# ------------------------------------------------------------------ sending and judging


class Prober:
    """Sends requests for one route and keeps what went wrong."""

    def __init__(self, route, world):
        self.route = route
        self.failures = []
        self.count = 0
        self.clients = {"anonymous": Client(raise_request_exception=False)}
        signed_in = Client(raise_request_exception=False)
        signed_in.force_login(world.users["superuser"])
        self.session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
        self.clients["superuser"] = signed_in
        # A client loads its middleware at its first request: this one's, with the recorder.
        recorder = Client(raise_request_exception=False)
        recorder.cookies[settings.SESSION_COOKIE_NAME] = self.session
        self.clients["recorder"] = recorder

    def send(self, role, method, path, *, body=None, content_type=None, label=""):
        client = self.clients[role]
        kwargs = {} if content_type is None else {"content_type": content_type}
        self.count += 1
        with transaction.atomic():
            if body is None:
                response = getattr(client, method)(path, **kwargs)
            else:
                response = getattr(client, method)(path, body, **kwargs)
            content = (
                b"".join(response.streaming_content)
                if getattr(response, "streaming", False)
                else response.content
            )
            transaction.set_rollback(True)
        if role != "anonymous":
            # A sign-out (or an erasure) was rolled back: put the session back.
            client.cookies[settings.SESSION_COOKIE_NAME] = self.session
        self._judge(response, content, f"{role} {method.upper()} {path[:160]} {label}".strip())
        return response

    def _judge(self, response, content, what):
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            cause = f"{error[0].__name__}: {str(error[1])[:200]}" if error else ""
            self.failures.append(f"{response.status_code} <- {what} {cause}")
            return
        if not 400 <= response.status_code < 500 or "json" not in response.get("Content-Type", ""):
            return
        try:
            data = json.loads(content)
        except ValueError:
            data = None
        items = data if isinstance(data, list) else [data]
        if self.route.is_api and not all(isinstance(i, dict) and i.get("code") for i in items):
            self.failures.append(
                f"{response.status_code} without a code <- {what}: {content[:120]!r}"
            )
        if not self.route.is_admin and isinstance(data, dict) and data.get("code") == INVALID_VALUE:
            # core.input_guard caught a ValidationError: the site's own views check their ids.
            self.failures.append(f"a ValidationError escaped the view <- {what}")


def query(path, params):
    return f"{path}?{urlencode(params, doseq=True)}"


def discover(prober, path, *, post=None):
    """The query and form names the view looks up for this request (superuser)."""
    walker.start_recording()
    with override_settings(MIDDLEWARE=[RECORDER, *settings.MIDDLEWARE]):
        if post is None:
            response = prober.send("recorder", "get", path, label="(discovery)")
        else:
            body = urlencode(post)
            response = prober.send("recorder", "post", path, body=body, content_type=FORM)
    guard = walker.GUARD_NAMES
    return response, walker.RecordedQuery.seen - guard, walker.RecordedForm.seen - guard


# ------------------------------------------------------------------ the walk


@pytest.mark.parametrize("route", ROUTES, ids=[route.label for route in ROUTES])
def test_no_server_error_from_hostile_input(route, world, extras):
    assert not route.problem, f"the walker cannot fill {route.label}: {route.problem}"
    real, missing = real_values(route, world, extras)
    assert not missing, f"{route.label}: no real value for {missing}; add one in real_values()"
    prober = Prober(route, world)
    path = route.url(real)
    match = resolve(unquote(path))
    assert match.route.replace("^", "") == route.label.replace("^", ""), (
        f"{path} reaches {match.route}, not {route.label}: fix its real values"
    )
    roles = ("anonymous", "superuser")
    # Django's admin views are the same few over every model: fewer values there, and its
    # pages beyond lists and forms (history, delete, redirects) are asked about their path
    # and one row of everything.
    admin = route.is_admin
    admin_page = admin and not route.name.endswith(("_changelist", "_add", "_change"))

    # Path parameters.
    for name, kind in route.parameters:
        for value in walker.ADMIN_PATH_VALUES if admin else walker.PATH_VALUES[kind]:
            hostile_path = route.url({**real, name: value})
            for role in ("superuser",) if admin else roles:
                prober.send(role, "get", hostile_path)
            if not admin:
                prober.send("superuser", "post", hostile_path, body="", content_type=FORM)

    # Query parameters: each one the view reads with each hostile value of its kind, then
    # every name the project knows at once (rows: the first one NUL everywhere; two rows
    # where the view reads no name by itself).
    _response, read_query, _f = discover(prober, path)
    unknown = read_query - walker.KNOWN_QUERY
    assert not unknown, f"{route.label} reads {unknown}: add them to KNOWN_QUERY"
    for name in sorted(read_query) if not admin_page else ():
        for value in walker.ADMIN_VALUES if admin else walker.values_for(name):
            prober.send("superuser", "get", query(path, {name: value}))
    count = 1 if admin_page else 2 if admin or not read_query else None
    for index, row in enumerate(walker.rows(walker.KNOWN_QUERY, count=count)):
        prober.send("superuser", "get", query(path, row))
        if index == 1:
            prober.send("anonymous", "get", query(path, row))
    for raw in walker.RAW_QUERIES[: 0 if admin_page else 1 if admin else None]:
        prober.send("superuser", "get", f"{path}?{raw}")

    # Form fields: the page's actions first (and a real API key), then each field the view
    # reads with each hostile value of its kind (urlencoded), then every known field at once
    # (multipart).
    response, _q, read_form = discover(prober, path, post={})
    if response.status_code != 405 and not admin_page:
        choices = {**walker.SELECTORS, "api_key": [extras.api_key]}
        bases = [{}]
        for selector, values in choices.items():
            if selector in read_form:
                bases += [{selector: value} for value in values]
        for base in bases:
            _response, _q, fields = discover(prober, path, post=base)
            # The admin's forms are its models' fields: those are not listed.
            unknown = set() if admin else fields - walker.KNOWN_FORM
            assert not unknown, f"{route.label} reads {unknown}: add them to KNOWN_FORM"
            for name in sorted(fields - set(base)) if not admin else ():
                for value in walker.values_for(name):
                    body = urlencode({**base, name: value})
                    prober.send("superuser", "post", path, body=body, content_type=FORM)
            count = 2 if admin or base or not fields else None
            for index, row in enumerate(walker.rows(walker.KNOWN_FORM | fields, count=count)):
                prober.send("superuser", "post", path, body={**row, **base})  # multipart
                if index == 1:
                    prober.send("anonymous", "post", path, body={**row, **base})

    # JSON bodies, all of them for views that read their body themselves (the API, the
    # addresses exempt from CSRF), and the other methods.
    if route.is_drf:
        bodies = [*walker.JSON_BODIES, *map(walker.json_for_every_field, walker.JSON_FIELD_VALUES)]
    elif getattr(route.callback, "csrf_exempt", False):
        bodies = walker.JSON_BODIES
    else:
        bodies = walker.JSON_BODIES[: 0 if admin_page else 1]
    for index, body in enumerate(bodies):
        prober.send("superuser", "post", path, body=body, content_type="application/json")
        if route.is_drf and index < 2:
            prober.send("anonymous", "post", path, body=body, content_type="application/json")
            prober.send("superuser", "put", path, body=body, content_type="application/json")
    for method in ("delete",) if admin_page else ("put", "patch", "delete"):
        for role in ("superuser",) if admin else roles:
            prober.send(role, method, path)

    assert not prober.failures, f"{len(prober.failures)} of {prober.count} requests:\n" + (
        "\n".join(prober.failures[:40])
    )


# ------------------------------------------------------------------ what the walk found
# Each 500 the walk met, pinned down with the answer it gets now.


def test_nul_bytes_are_refused_in_path_query_and_form(client, world):
    published = world.objects["published"]
    page = f"/fr/p/{world.p1.slug}/c/{published.pk}/"
    answers = [
        client.get("/fr/unfollow/a%00b/"),
        client.get(f"/fr/p/{world.p1.slug}/list/?theme=%00"),
        client.get(f"/api/projects/{world.p1.slug}/contributions/?theme=a%00b"),
        client.get("/open311/v2/requests.json?service_code=%00"),
        client.post(page, {"action": "comment", "body": "a\x00b"}),
    ]
    for response in answers:
        assert (response.status_code, response.json()["code"]) == (400, "nul_byte")
    assert not published.comments.filter(body__startswith="a").exists()


def test_a_cookie_holding_a_nul_is_dropped(client, world):
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijkl"
    assert client.get(f"/fr/p/{world.p1.slug}/").status_code == 200
    published = world.objects["published"]
    response = client.post(f"/fr/p/{world.p1.slug}/c/{published.pk}/", {"action": "vote"})
    assert response.status_code < 500


def test_a_nul_in_an_open311_multipart_form_is_refused(client, extras):
    response = client.post(
        "/open311/v2/requests.json", {"api_key": extras.api_key, "description": "a\x00b"}
    )
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("[nul_byte]")  # the spec's shape


@pytest.mark.parametrize("body", [walker.JSON_BODIES[0], walker.JSON_BODIES[1]], ids=["[", "{"])
def test_json_nested_thousands_deep_is_bad_json(client, world, body):
    published = world.objects["published"]
    url = f"/api/projects/{world.p1.slug}/contributions/{published.pk}/comments/"
    response = client.post(url, body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    response = client.post("/csp-report/", body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "malformed_report")


def test_offsets_beyond_64_bits_and_dates_out_of_range(client, world):
    collection = f"/ogc/collections/{world.p1.slug}-contributions/items"
    answers = {
        "invalid": client.get(f"/api/projects/{world.p1.slug}/contributions/?offset={HUGE}"),
        "invalid_paging": client.get(f"{collection}?offset={HUGE}&f=json"),
        "invalid_datetime": client.get(f"{collection}?datetime=0000-01-01T00:00:00Z&f=json"),
    }
    for code, response in answers.items():
        assert (response.status_code, response.json()["code"]) == (400, code)
    # An end_date in the first hours of year 1: the default 90 days before it do not exist.
    end = "0001-01-01T00:00:00%2B14:00"
    assert client.get(f"/open311/v2/requests.json?end_date={end}").status_code == 200


# ----------------------------------------------------------------- staff forms and the admin


@pytest.fixture
def moderator(client, world):
    client.force_login(world.users["moderator_p1"])
    return client


def test_a_malformed_original_is_answered_as_an_unknown_one(moderator, world):
    published = world.objects["published"]
    url = f"/fr/staff/{world.p1.slug}/c/{published.pk}/duplicate/"
    for original in ("not-a-uuid", HUGE, "", "x" * 5000):
        assert moderator.post(url, {"original": original}).status_code == 404
    assert moderator.post(url).status_code == 404


@pytest.mark.parametrize("item", ["contribution:not-a-uuid", f"comment:{HUGE}", "other:x"])
def test_malformed_moderation_items_are_a_form_error(moderator, world, item):
    published = world.objects["published"]
    url = f"/fr/staff/{world.p1.slug}/moderate/"
    response = moderator.post(
        url, {"action": "hide", "items": [f"contribution:{published.pk}", item]}, follow=True
    )
    assert response.status_code == 200
    assert any(item in str(message) for message in response.context["messages"])
    published.refresh_from_db()
    assert published.status == "published"  # nothing written: the whole batch is refused


def test_a_bare_word_as_next_goes_back_to_the_queue(moderator, world):
    published = world.objects["published"]
    response = moderator.post(
        f"/fr/staff/{world.p1.slug}/moderate/",
        {"action": "hide", "items": [f"contribution:{published.pk}"], "next": "not-a-path"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/fr/staff/{world.p1.slug}/"


def test_the_admin_refuses_malformed_ids_and_an_empty_to_field(client, world):
    client.force_login(world.users["superuser"])
    published = world.objects["published"]
    kind = ContentType.objects.get_for_model(Contribution).pk
    response = client.get(f"/admin/r/{kind}/not-a-uuid/")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_value")
    response = client.get(f"/admin/contributions/contribution/{published.pk}/change/?_to_field=")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    # A translations field holding a number: the form says so, the page still renders.
    response = client.post(
        f"/admin/contributions/project/{world.p1.pk}/change/", {"title": HUGE, "slug": ""}
    )
    assert response.status_code == 200


# ------------------------------------------------------------------ one limit per text


def test_the_page_holds_comments_and_reasons_to_the_api_limits(client, world):
    published = world.objects["published"]
    page = f"/fr/p/{world.p1.slug}/c/{published.pk}/"
    comments = f"/api/projects/{world.p1.slug}/contributions/{published.pk}/comments/"
    too_long = "é" * (COMMENT_MAX_LENGTH + 1)
    before = published.comments.count()

    response = client.post(comments, {"body": too_long}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")

    response = client.post(page, {"action": "comment", "body": too_long})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="comment-error"' in html  # the sentence, on the form
    assert f">{too_long}</textarea>" in html  # the typed text, kept
    assert f'maxlength="{COMMENT_MAX_LENGTH}"' in html
    assert published.comments.count() == before

    reason = "r" * (REPORT_REASON_MAX_LENGTH + 1)
    response = client.post(page, {"action": "report", "reason": reason})
    assert response.status_code == 400
    assert f">{reason}</textarea>" in response.content.decode()
    assert not published.abuse_reports.filter(reason=reason).exists()

    response = client.post(page, {"action": "comment", "body": "é" * COMMENT_MAX_LENGTH})
    assert response.status_code == 302


def test_the_staff_form_holds_titles_to_the_api_limit(moderator, world):
    response = moderator.post(
        f"/fr/staff/{world.p1.slug}/record/", {"title": "t" * (TITLE_MAX_LENGTH + 1)}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["title"]


def test_a_translated_text_is_always_a_string():
    assert localized(12) == "12"
    assert localized({"fr": 7}) == "7"
    assert localized(None) == ""
