"""The Atom feeds of a project's public contributions: valid Atom 1.0 (RFC 4287's RELAX NG
schema, the GeoRSS points being foreign markup it allows), only public items and no personal
data, the commune's feed agreeing with the JSON list, points where PostGIS puts them,
conditional GET, the feed's language, and hostile query values refused, never a 500."""

import re
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.gis.geos import LineString, Polygon
from django.db import connection
from django.utils import translation
from django.utils.http import http_date
from lxml import etree

from contributions.models import PUBLIC_STATUSES, Contribution, Kind, PlaceFollow, Status
from contributions.services import places
from mapping.feeds import FEED_LENGTH
from territories.models import Territory
from tests.factories import make_contribution

pytestmark = pytest.mark.django_db

SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).parent.parent / "data" / "atom.rng")))
NS = {"atom": "http://www.w3.org/2005/Atom", "georss": "http://www.georss.org/georss"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def feed_url(project, language="fr", query=""):
    return f"/{language}/p/{project.slug}/feed.atom" + (f"?{query}" if query else "")


def read_feed(client, project, language="fr", query=""):
    response = client.get(feed_url(project, language, query))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/atom+xml")
    document = etree.fromstring(response.content)
    assert SCHEMA.validate(document), SCHEMA.error_log
    # The schema's two Schematron rules, which RELAX NG itself does not check.
    assert document.find("atom:author/atom:name", NS).text
    for entry in document.findall("atom:entry", NS):
        assert entry.find("atom:link[@rel='alternate']", NS) is not None
    return response, document


def entries(document):
    return document.findall("atom:entry", NS)


def entry_ids(document):
    return [entry.find("atom:id", NS).text.removeprefix("urn:uuid:") for entry in entries(document)]


def when(element, path="atom:updated"):
    return datetime.fromisoformat(element.find(path, NS).text)


@pytest.fixture
def feed_project(demo):
    return demo


def test_the_project_feed_is_valid_atom_newest_first_and_bounded(client, feed_project):
    response, document = read_feed(client, feed_project)
    found = entries(document)
    public = Contribution.objects.filter(project=feed_project).public().count()
    assert len(found) == min(FEED_LENGTH, public) > 0
    times = [when(entry) for entry in found]
    assert times == sorted(times, reverse=True)
    assert when(document) == times[0]  # the feed's own updated: its newest entry
    assert document.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    first = found[0]
    link = first.find("atom:link[@rel='alternate']", NS).get("href")
    assert link == f"http://testserver/fr/p/{feed_project.slug}/c/{entry_ids(document)[0]}/"
    assert first.find("atom:category", NS).get("term")
    assert first.find("atom:category", NS).get("label")
    assert document.find("atom:link[@rel='self']", NS).get("href").endswith("/feed.atom")


def test_no_hidden_or_unmoderated_item_and_no_personal_data(client, feed_project):
    # Newer than every public item: were they let through, they would head the feed.
    hidden = make_contribution(
        feed_project, status=Status.HIDDEN, title="hidden-item-title", lonlat=(7.30, 43.78)
    )
    waiting = make_contribution(
        feed_project, status=Status.SUBMITTED, title="waiting-item-title", lonlat=(7.30, 43.78)
    )
    shown = make_contribution(
        feed_project, title="shown-item-title", email="resident@example.org", lonlat=(7.30, 43.78)
    )
    response, document = read_feed(client, feed_project)
    body = response.content.decode()
    assert "shown-item-title" in body
    assert str(hidden.pk) not in body and "hidden-item-title" not in body
    assert str(waiting.pk) not in body and "waiting-item-title" not in body
    assert not EMAIL.findall(body), EMAIL.findall(body)
    assert shown.email not in body
    statuses = dict(
        Contribution.objects.filter(pk__in=entry_ids(document)).values_list("pk", "status")
    )
    assert len(statuses) == len(entries(document))
    assert set(statuses.values()) <= set(PUBLIC_STATUSES)
    assert entries(document)[0].find("atom:author", NS) is None  # nobody is named


def _commune_with_public_items(project, most):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.code, count(*) FROM contributions_contribution c
            JOIN territories_territory t ON t.id = c.public_commune_id
            WHERE c.project_id = %s AND c.status = ANY(%s)
            GROUP BY t.code HAVING count(*) <= %s ORDER BY count(*) DESC, t.code LIMIT 1
            """,
            [project.pk, PUBLIC_STATUSES, most],
        )
        return cursor.fetchone()


def test_the_commune_feed_holds_exactly_the_communes_public_items(client, feed_project):
    code, count = _commune_with_public_items(feed_project, FEED_LENGTH)
    assert count > 1
    make_contribution(feed_project, status=Status.HIDDEN, lonlat=(7.30, 43.78))
    _response, document = read_feed(client, feed_project, query=f"commune={code}")
    listed = client.get(
        f"/api/projects/{feed_project.slug}/contributions/?commune={code}&limit=1000"
    ).json()
    assert listed["numberMatched"] == len(entries(document)) == count
    assert set(entry_ids(document)) == {feature["id"] for feature in listed["features"]}
    assert document.find("atom:link[@rel='self']", NS).get("href").endswith(f"?commune={code}")
    alternate = document.find("atom:link[@rel='alternate']", NS).get("href")
    assert alternate.endswith(f"/fr/p/{feed_project.slug}/list/?commune={code}")


def test_the_feed_takes_the_lists_other_filters_too(client, feed_project):
    code, _count = _commune_with_public_items(feed_project, 10_000)
    query = f"commune={code}&kind=report,proposal&status=published"
    _response, document = read_feed(client, feed_project, query=query)
    listed = client.get(
        f"/api/projects/{feed_project.slug}/contributions/?{query}&limit=1000"
    ).json()
    expected = [feature["id"] for feature in listed["features"]]
    assert set(entry_ids(document)) <= set(expected)
    assert len(entries(document)) == min(FEED_LENGTH, listed["numberMatched"])
    with translation.override("fr"):
        published = str(Status.PUBLISHED.label)
    assert all(published in entry.find("atom:summary", NS).text for entry in entries(document))


def test_a_commune_without_public_items_gives_an_empty_valid_feed(client, feed_project):
    used = Contribution.objects.filter(project=feed_project).public().values("public_commune__code")
    code = (
        feed_project.perimeter.members.filter(valid_until__isnull=True)
        .exclude(code__in=used)
        .values_list("code", flat=True)
        .first()
    )
    assert code is not None, "the demo has communes without a public contribution"
    _response, document = read_feed(client, feed_project, query=f"commune={code}")
    assert entries(document) == []


def test_each_point_is_the_public_locations_point_on_surface(client, feed_project):
    commune = feed_project.perimeter.members.get(code="06136", valid_until__isnull=True)
    lon, lat = commune.geom.point_on_surface.coords  # inside Sospel, so inside the perimeter
    line = LineString((lon, lat), (lon + 0.002, lat + 0.001), (lon + 0.003, lat - 0.001), srid=4326)
    area = Polygon.from_bbox((lon - 0.003, lat - 0.002, lon - 0.001, lat + 0.001))
    area.srid = 4326
    theme = feed_project.themes.first()
    for geom, title in ((line, "a line"), (area, "an area")):
        Contribution.objects.create(
            project=feed_project, kind="proposal", theme=theme, title=title, geom=geom,
            status=Status.PUBLISHED,
        )  # fmt: skip
    _response, document = read_feed(client, feed_project)
    points = {}
    for entry in entries(document):
        lat_text, lon_text = entry.find("georss:point", NS).text.split()
        points[entry.find("atom:id", NS).text.removeprefix("urn:uuid:")] = (
            float(lon_text),
            float(lat_text),
        )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id::text, GeometryType(public_geom),
                   ST_X(ST_PointOnSurface(public_geom)), ST_Y(ST_PointOnSurface(public_geom))
            FROM contributions_contribution WHERE id::text = ANY(%s)
            """,
            [list(points)],
        )
        rows = cursor.fetchall()
    assert {kind for _id, kind, _x, _y in rows} >= {"POINT", "LINESTRING", "POLYGON"}
    for pk, _kind, x, y in rows:
        assert abs(points[pk][0] - x) <= 1e-6 and abs(points[pk][1] - y) <= 1e-6, pk


def test_conditional_get_answers_304_until_the_feed_changes(client, feed_project):
    response, _document = read_feed(client, feed_project)
    tag, modified = response["ETag"], response["Last-Modified"]
    control = response["Cache-Control"]
    assert "public" in control and re.search(r"max-age=\d+", control)
    assert "Cookie" not in response.get("Vary", "")
    again = client.get(feed_url(feed_project), headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == tag
    since = client.get(feed_url(feed_project), headers={"if-modified-since": modified})
    assert since.status_code == 304
    older = http_date(datetime.fromisoformat("2000-01-01T00:00:00+00:00").timestamp())
    assert (
        client.get(feed_url(feed_project), headers={"if-modified-since": older}).status_code == 200
    )
    # The Italian feed is another document: its own validator.
    italian = client.get(feed_url(feed_project, "it"), headers={"if-none-match": tag})
    assert italian.status_code == 200
    make_contribution(feed_project, title="a newer one", lonlat=(7.30, 43.78))
    changed = client.get(feed_url(feed_project), headers={"if-none-match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert "a newer one" in changed.content.decode()


def test_the_italian_feed_speaks_italian_and_gives_the_italian_answer(client, feed_project):
    answered = make_contribution(
        feed_project, kind="proposal", status=Status.ACCEPTED, lonlat=(7.30, 43.78)
    )
    Contribution.objects.filter(pk=answered.pk).update(
        answer="Risposta in francese",
        answer_texts={"fr": "Réponse des services", "it": "Risposta dei servizi"},
    )
    _response, italian = read_feed(client, feed_project, "it")
    assert italian.get("{http://www.w3.org/XML/1998/namespace}lang") == "it"
    assert "contributi pubblici" in italian.find("atom:title", NS).text
    entry = next(e for e in entries(italian) if e.find("atom:id", NS).text == answered.pk.urn)
    summary = entry.find("atom:summary", NS)
    assert summary.get("type") == "html"
    text = summary.text
    with translation.override("it"):
        labels = [str(Status.ACCEPTED.label), str(Kind.PROPOSAL.label)]
    with translation.override("en"):
        assert labels != [str(Status.ACCEPTED.label), str(Kind.PROPOSAL.label)]  # translated
    assert all(label in text for label in labels), text
    assert "Stato" in text and "Risposta dei servizi" in text and "Réponse" not in text
    assert "/it/p/" in entry.find("atom:link", NS).get("href")
    _response, french = read_feed(client, feed_project, "fr")
    entry = next(e for e in entries(french) if e.find("atom:id", NS).text == answered.pk.urn)
    text = entry.find("atom:summary", NS).text
    assert "Réponse des services" in text and "Risposta" not in text
    with translation.override("fr"):
        assert str(Status.ACCEPTED.label) in text and "Statut" in text


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("commune=%00", "nul_byte"),
        ("commune=06%0088", "nul_byte"),
        ("commune=" + "9" * 10_000, "invalid"),
        ("commune=99999", "invalid"),
        ("commune=", "invalid"),
        ("commune=06088&commune=<script>", "invalid"),
        ("colour=red", "unknown_parameter"),
    ],
)
def test_hostile_query_values_are_refused_with_a_clear_message(client, feed_project, query, code):
    response = client.get(feed_url(feed_project, query=query))
    assert 400 <= response.status_code < 500, response.content[:300]
    answer = response.json()
    assert answer["code"] == code
    assert answer["detail"]
    if query == "commune=99999":
        assert "99999" in str(answer["fields"]["commune"])


def test_an_unknown_project_is_404_and_a_post_405(client, feed_project):
    assert client.get("/fr/p/no-such-project/feed.atom").status_code == 404
    assert client.post(feed_url(feed_project)).status_code == 405


def test_the_project_page_and_the_commune_list_link_their_feeds(client, feed_project):
    page = client.get(f"/fr/p/{feed_project.slug}/").content.decode()
    assert (
        f'<link rel="alternate" type="application/atom+xml" '
        f'href="/fr/p/{feed_project.slug}/feed.atom"' in page
    )
    code, _count = _commune_with_public_items(feed_project, 10_000)
    listing = client.get(f"/fr/p/{feed_project.slug}/list/?commune={code}").content.decode()
    assert f'href="/fr/p/{feed_project.slug}/feed.atom?commune={code}"' in listing
    unfiltered = client.get(f"/fr/p/{feed_project.slug}/list/").content.decode()
    assert "application/atom+xml" not in unfiltered


def test_the_feed_of_a_followed_place_holds_what_lies_in_it(client, feed_project):
    """`?place=<id>`: a confirmed place follow's feed, by the rule its emails use (the public
    location intersects the place); an unknown, unconfirmed or malformed id is refused."""
    tende = places.commune_place("06163")
    made = places.request_place_follow(
        place=tende, email="valle@example.org", frequency="daily", project=None, language="fr"
    )
    assert client.get(feed_url(feed_project, query=f"place={made.pk}")).status_code == 404
    PlaceFollow.objects.filter(pk=made.pk).update(confirmed_at=made.created_at)
    inside = Territory.objects.communes().get(code="06163").label_point
    make_contribution(feed_project, lonlat=(inside.x, inside.y), status=Status.PUBLISHED)
    make_contribution(feed_project, lonlat=(inside.x, inside.y), status=Status.HIDDEN)
    _response, document = read_feed(client, feed_project, query=f"place={made.pk}")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id::text FROM contributions_contribution c, contributions_placefollow f
            WHERE f.id = %s AND c.project_id = %s AND c.status = ANY(%s)
              AND ST_Intersects(f.geom, c.public_geom)
            """,
            [made.pk, feed_project.pk, PUBLIC_STATUSES],
        )
        expected = {row[0] for row in cursor.fetchall()}
    assert expected and set(entry_ids(document)) == expected
    assert "Tende" in document.find("atom:title", NS).text
    assert document.find("atom:link[@rel='self']", NS).get("href").endswith(f"place={made.pk}")
    for query, status, code in (
        ("place=not-a-place", 400, "invalid_place"),
        ("place=00000000-0000-0000-0000-000000000000", 404, "unknown_place"),
    ):
        response = client.get(feed_url(feed_project, query=query))
        assert (response.status_code, response.json()["code"]) == (status, code)
