"""Rights: download what one made, erase it (account or email link), retention, profiles."""

import json
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from contributions.models import (
    AbuseReport,
    Comment,
    CommentStatus,
    Contribution,
    Follow,
    PartnerVote,
    Vote,
)
from contributions.participants import email_participant
from contributions.services import partner_projects as partner_services
from contributions.services import places
from core.postgis import STORAGE_SRID
from privacy import selectors, services
from privacy.models import ParticipantProfile

from .test_location import post_report

pytestmark = pytest.mark.django_db
API = "/api/projects/piter-alpimed"
EMAIL = "jeanne.dupont@example.org"


@pytest.fixture
def resident(client):
    user = get_user_model().objects.create_user(
        "jeanne", email=EMAIL, first_name="Jeanne", last_name="Dupont"
    )
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    client.force_login(user)
    return user


@pytest.fixture
def others(demo):
    """Someone else's activity on the same items, which no export or erasure may touch."""
    other = get_user_model().objects.create_user("autre", email="autre@example.org")
    return other


def take_part(client, user, other, demo):
    """The resident posts, comments, votes, reports; the other person comments on it."""
    mine = post_report(client, email=EMAIL, age_bracket="30_44", residence="06088")
    target = Contribution.objects.filter(project=demo).public().exclude(pk=mine).first()
    Comment.objects.create(
        contribution=target, author=user, body="Je confirme", status=CommentStatus.PUBLISHED
    )
    Comment.objects.create(
        contribution_id=mine, author=other, body="Secret d'autrui", status="published"
    )
    Vote.objects.create(contribution=target, user=user, participant=f"user:{user.pk}")
    Vote.objects.create(contribution_id=mine, user=other, participant=f"user:{other.pk}")
    AbuseReport.objects.create(contribution=target, participant=f"user:{user.pk}", reason="x")
    Follow.objects.create(contribution=target, email=EMAIL, user=user)
    places.request_place_follow(
        place=places.commune_place("06163"),
        email=EMAIL,
        frequency="daily",
        project=None,
        language="fr",
    )
    return mine


def test_the_export_holds_what_the_user_made_and_nothing_of_others(client, demo, resident, others):
    mine = take_part(client, resident, others, demo)
    data = json.loads(client.get("/fr/privacy/my-data/", {"format": "json"}).content)
    assert [c["id"] for c in data["contributions"]] == [mine]
    assert data["contributions"][0]["email"] == EMAIL
    assert data["contributions"][0]["consent_at"] and data["contributions"][0]["terms_version"]
    assert data["profiles"] == [
        {"contribution": mine, "age_bracket": "30_44", "commune_of_residence": "06088"}
    ]
    assert [c["body"] for c in data["comments"]] == ["Je confirme"]
    assert len(data["votes"]) == 1 and len(data["abuse_reports"]) == 1
    assert len(data["follows"]) == 2  # the follow made at submission, and the explicit one
    assert [(f["place"], f["email"]) for f in data["place_follows"]] == [("Tende", EMAIL)]
    text = json.dumps(data)
    assert "autre@example.org" not in text and "Secret d'autrui" not in text
    assert str(others.pk) not in [str(v) for v in data["subject"]["account"].values()]
    csv_text = client.get("/fr/privacy/my-data/", {"format": "csv"}).content.decode()
    assert csv_text.startswith("section,record,field,value")
    assert "Je confirme" in csv_text and "Secret d'autrui" not in csv_text


def leftovers(user_id, email):
    """Every row that still names the person, by email, name or user link (SQL)."""
    checks = {
        "auth_user": (
            "SELECT count(*) FROM auth_user WHERE id = %s OR email ILIKE %s "
            "OR last_name = 'Dupont'",
            [user_id, email],
        ),
        "account_emailaddress": (
            "SELECT count(*) FROM account_emailaddress WHERE user_id = %s OR email ILIKE %s",
            [user_id, email],
        ),
        "contributions": (
            "SELECT count(*) FROM contributions_contribution WHERE author_id = %s"
            " OR recorded_by_id = %s OR email ILIKE %s",
            [user_id, user_id, email],
        ),
        "follows": (
            "SELECT count(*) FROM contributions_follow WHERE user_id = %s OR email ILIKE %s",
            [user_id, email],
        ),
        "place_follows": (
            "SELECT count(*) FROM contributions_placefollow WHERE user_id = %s OR email ILIKE %s",
            [user_id, email],
        ),
        "votes": (
            "SELECT count(*) FROM contributions_vote WHERE user_id = %s OR participant = %s",
            [user_id, f"user:{user_id}"],
        ),
        "comments": ("SELECT count(*) FROM contributions_comment WHERE author_id = %s", [user_id]),
        "abuse": (
            "SELECT count(*) FROM contributions_abusereport WHERE participant = %s",
            [f"user:{user_id}"],
        ),
        "idempotency": (
            "SELECT count(*) FROM contributions_idempotencyrecord "
            "WHERE scope LIKE %s OR response_body ILIKE %s",
            [f"%user:{user_id}", f"%{email}%"],
        ),
    }
    found = {}
    with connection.cursor() as cursor:
        for name, (sql, params) in checks.items():
            cursor.execute(sql, params)
            found[name] = cursor.fetchone()[0]
    return {name: n for name, n in found.items() if n}


def test_deleting_the_account_leaves_no_trace_and_keeps_the_contributions(
    client, demo, resident, others
):
    mine = take_part(client, resident, others, demo)
    client.post(
        f"{API}/contributions/",
        json.dumps(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [7.27, 43.70]},
                "properties": {"kind": "proposal", "theme": "infrastructure", "title": "Un banc"},
            }
        ),
        content_type="application/geo+json",
        headers={"Idempotency-Key": "0f5d0f1e-0000-4000-8000-000000000001"},
    )
    user_id = resident.pk
    votes_before = Vote.objects.count()
    response = client.post("/fr/privacy/my-data/", {"confirm": "on"})
    assert response.status_code == 200
    assert leftovers(user_id, EMAIL) == {}
    assert Vote.objects.count() == votes_before  # the votes stay, anonymous
    kept = Contribution.objects.get(pk=mine)
    assert kept.author_id is None and kept.email == "" and kept.title
    assert not ParticipantProfile.objects.filter(contribution=kept).exists()
    assert Comment.objects.filter(body="Je confirme", author__isnull=True).exists()
    # Anonymous in every output: the public feature carries no trace of the person.
    feature = client.get(f"{API}/contributions/{mine}/").content.decode()
    assert EMAIL not in feature and "jeanne" not in feature.lower()
    page = client.get(f"/fr/p/piter-alpimed/c/{mine}/").content.decode()
    assert EMAIL not in page and "Dupont" not in page
    # Signed out, and the session that named the account is gone.
    assert client.get("/fr/privacy/my-data/").status_code == 302


def test_an_anonymous_contributor_erases_by_an_emailed_link(client, demo, others, settings):
    settings.SITE_URL = "https://participer.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    mine = post_report(client, email="anonyme@example.org")
    someone = post_report(client, email="quelquun@example.org")
    # A forged Host header never reaches the link: it is built from the configured address.
    response = client.post(
        "/fr/privacy/by-email/", {"email": "Anonyme@example.org"}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 200
    # The same answer for an address nobody used: no one learns who took part.
    assert (
        client.post("/fr/privacy/by-email/", {"email": "personne@example.org"}).status_code == 200
    )
    [message] = mail.outbox
    assert message.to == ["anonyme@example.org"]
    link = re.search(r"https?://\S+", message.body).group(0)
    assert link.startswith("https://participer.example.org/") and "evil" not in message.body
    path = link.split("participer.example.org", 1)[1]
    data = json.loads(client.get(path, {"format": "json"}).content)
    assert [c["id"] for c in data["contributions"]] == [mine]
    assert client.post(path, {"confirm": "on"}).status_code == 200
    assert not Contribution.objects.filter(email__iexact="anonyme@example.org").exists()
    assert not Follow.objects.filter(email__iexact="anonyme@example.org").exists()
    assert Contribution.objects.filter(pk=mine).exists()
    assert Contribution.objects.get(pk=someone).email == "quelquun@example.org"
    # A forged or expired link opens nothing.
    assert client.get(path[:-3] + "abc/").status_code == 400


def test_an_expired_link_is_refused(client, demo, settings):
    from privacy import links

    post_report(client, email="anonyme@example.org")
    token = links.make_token("anonyme@example.org")
    settings.PRIVACY_LINK_MAX_AGE_HOURS = 0
    response = client.get(f"/fr/privacy/by-email/{token}/")
    assert response.status_code == 400


def test_staff_handle_a_request_by_post(client, demo, tmp_path):
    post_report(client, email="courrier@example.org")
    out = tmp_path / "data.json"
    call_command("privacy_request", "--email", "courrier@example.org", "--export", str(out))
    assert json.loads(out.read_text())["contributions"]
    call_command("privacy_request", "--email", "courrier@example.org", "--erase")
    assert not Contribution.objects.filter(email="courrier@example.org").exists()


def test_retention_clears_what_is_due_and_nothing_else(client, demo, resident, others):
    mine = take_part(client, resident, others, demo)
    now = timezone.now()
    # The demo project closed 400 days ago: due. Another project, closed 10 days ago: not.
    demo.opens_at, demo.closes_at = now - timedelta(days=800), now - timedelta(days=400)
    demo.save(update_fields=["opens_at", "closes_at"])
    report = services.apply_retention(days=365)
    assert report.projects == [demo.slug] and report.emails >= 1
    assert not Contribution.objects.filter(project=demo).exclude(email="").exists()
    assert not Contribution.objects.filter(project=demo, author__isnull=False).exists()
    assert not Follow.objects.filter(contribution__project=demo).exists()
    assert not ParticipantProfile.objects.filter(contribution__project=demo).exists()
    assert not Vote.objects.filter(contribution__project=demo, user__isnull=False).exists()
    assert Contribution.objects.filter(pk=mine).exists()
    # The account itself is not the project's: it stays.
    assert get_user_model().objects.filter(pk=resident.pk).exists()
    # Nothing left to do the second time.
    assert services.apply_retention(days=365).total == 0


def test_retention_leaves_open_and_recently_closed_projects(client, demo):
    mine = post_report(client, email="recent@example.org")
    assert services.apply_retention(days=365).total == 0  # open
    demo.opens_at = timezone.now() - timedelta(days=100)
    demo.closes_at = timezone.now() - timedelta(days=10)
    demo.save(update_fields=["opens_at", "closes_at"])
    call_command("apply_retention")
    assert Contribution.objects.get(pk=mine).email == "recent@example.org"
    call_command("apply_retention", "--days", "5")
    assert Contribution.objects.get(pk=mine).email == ""


def test_profile_aggregates_hide_groups_under_five(client, demo):
    for _ in range(5):
        post_report(client, age_bracket="30_44", residence="06088")
    for _ in range(2):
        post_report(client, age_bracket="75_plus", residence="06083")
    aggregates = selectors.profile_aggregates(demo)
    assert aggregates["age_bracket"]["groups"] == {"30_44": 5}
    assert aggregates["age_bracket"]["other"] is None and aggregates["age_bracket"]["suppressed"]
    assert aggregates["residence"]["groups"] == {"06088": 5}
    # A profile answer is refused when it is not one of the choices; nothing is written.
    before = Contribution.objects.count()
    response = client.post(
        f"{API}/contributions/",
        json.dumps(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [7.27, 43.7]},
                "properties": {
                    "kind": "proposal",
                    "theme": "infrastructure",
                    "title": "x",
                    "age_bracket": "12",
                },
            }
        ),
        content_type="application/geo+json",
    )
    assert response.status_code == 400 and Contribution.objects.count() == before


def test_the_privacy_notice_names_the_controller_and_the_basemap(client, demo, settings):
    settings.PRIVACY_CONTROLLER = "Communauté d'agglomération de la Riviera"
    settings.PRIVACY_CONTACT_EMAIL = "dpo@example.org"
    html = client.get("/en/privacy/").content.decode()
    assert "Riviera" in html and "dpo@example.org" in html
    # By default the background map is the site's own: no third party is named.
    assert "The background map comes from this server." in html
    assert "tile.openstreetmap.org" not in html
    assert "version 1" in html
    tiles = [("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", {"attribution": "OSM"})]
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": tiles}
    html = client.get("/en/privacy/").content.decode()
    assert "loaded from tile.openstreetmap.org" in html


def test_votes_confirmed_from_an_address_are_found_and_erased_by_it(demo):
    item = Contribution.objects.public().filter(project=demo).first()
    before = item.vote_count
    Vote.objects.create(contribution=item, participant=email_participant("Voteur@Example.org"))
    data = selectors.personal_data(email="voteur@example.org")
    assert [v["contribution"] for v in data["votes"]] == [str(item.pk)]
    services.erase_person(email="voteur@example.org")
    assert not Vote.objects.filter(participant=email_participant("voteur@example.org")).exists()
    assert selectors.personal_data(email="voteur@example.org")["votes"] == []
    item.refresh_from_db()
    assert item.vote_count == before + 1  # the vote still counts, tied to no one


def test_partner_votes_are_in_the_export_and_unlinked_at_erasure(demo):
    now = timezone.now()
    item = partner_services.save_partner_project(
        project=demo,
        title={"fr": "Navette"},
        location=Point(7.262, 43.703, srid=STORAGE_SRID),
        theme=demo.themes.first(),
        published=True,
    )
    partner_services.open_partner_vote(
        project=demo,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        confirm_gaps=True,
    )
    participant = email_participant("voteuse@example.org")
    PartnerVote.objects.create(
        partner_project=item, project=demo, participant=participant, value=1, comment="Oui !"
    )
    data = selectors.personal_data(email="voteuse@example.org")
    assert [(v["partner_project"], v["value"], v["comment"]) for v in data["partner_votes"]] == [
        (str(item.pk), 1, "Oui !")
    ]
    assert "partner_votes" in selectors.personal_data_csv(data)
    services.erase_person(email="voteuse@example.org")
    assert selectors.personal_data(email="voteuse@example.org")["partner_votes"] == []
    kept = PartnerVote.objects.get(partner_project=item)
    assert (kept.value, kept.comment, kept.user) == (1, "", None)  # still counted, tied to no one
