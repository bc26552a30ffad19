"""The meeting pack: the PDF (read back with pdftotext) holds every proposal of the period
with its evaluations, and nothing outside it, hidden, unmoderated or personal; the French
and Italian packs hold the proposals' own texts; the page is for staff only; bad periods
get a 4xx with a code."""

import shutil
import subprocess
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Polygon
from django.utils import translation

from contributions.models import CommentStatus, Contribution, ProjectPartner, Status
from core.postgis import STORAGE_SRID
from privacy.models import LocationMethod, LocationRule
from privacy.services import recompute_public_locations
from staff.meeting_pack import maps
from staff.meeting_pack.data import gather
from staff.models import Evaluation, EvaluationCriterion, Meeting, Role
from tests.factories import assert_escaped, make_comment, make_contribution, make_photo, make_user
from tests.staff.conftest import give_role

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
START, END = date(2019, 3, 1), date(2019, 3, 31)
PERIOD = "start=2019-03-01&end=2019-03-31"


def _at(day, hour=12):
    return datetime(2019, 3, day, hour, tzinfo=PARIS)


@pytest.fixture
def pack(demo):
    return build_pack(demo)


def build_pack(project):
    """Three proposals of March 2019 (one an area, one placed by a blurring rule), evaluated
    by two partners who disagree; beside them what must stay out: a proposal of February, a
    hidden one, one awaiting moderation, a report, a hidden comment, residents' names and
    addresses."""
    theme = project.themes.first()
    resident = make_user(
        "resident-pack",
        email="resident.secret@example.org",
        first_name="Residentname",
        last_name="Secretsurname",
    )
    LocationRule.objects.create(project=project, method=LocationMethod.GRID, precision_m=1000)

    def proposal(token, day, **fields):
        fields.setdefault("description", f"Texte {token} propre au lieu")
        return make_contribution(
            project,
            kind="proposal",
            theme=theme,
            title=f"Proposal {token}",
            created_at=_at(day),
            author=resident,
            email=f"{token.lower()}@resident.example",
            **fields,
        )

    fr = proposal("PROPFRANCE", 3, description="Réaménager la placette DESCFRANCE près de l'école")
    it = proposal(
        "PROPITALIA",
        10,
        lonlat=(7.2700, 43.7100),
        description="Sistemare il sentiero DESCITALIA verso la chiesa",
    )
    shape = Polygon.from_bbox((7.255, 43.700, 7.262, 43.705))
    shape.srid = STORAGE_SRID
    area = Contribution.objects.create(
        project=project,
        kind="proposal",
        theme=theme,
        title="Proposal PROPAREA",
        description="Une aire DESCAREA",
        status=Status.PUBLISHED,
        created_at=_at(20),
        email="area@resident.example",
        geom=shape,
    )
    outside = proposal("PROPFEBRUARY", 1, lonlat=(7.2800, 43.7200))
    Contribution.objects.filter(pk=outside.pk).update(
        created_at=datetime(2019, 2, 20, tzinfo=PARIS)
    )
    hidden = proposal("PROPHIDDEN", 5, status=Status.HIDDEN)
    waiting = proposal("PROPWAITING", 6, status=Status.SUBMITTED)
    report = make_contribution(
        project, kind="report", title="Report REPORTMARCH", created_at=_at(7)
    )
    make_contribution(
        project,
        kind="report",
        title="Proposal PROPFRANCE DUPLIREPORT",
        created_at=_at(8),
        description=fr.description,
    )
    make_comment(fr, body="Commentaire COMMENTPUBLIC très utile", author=resident)
    make_comment(fr, body="Commentaire COMMENTHIDDEN injurieux", status=CommentStatus.HIDDEN)
    make_photo(fr)
    recompute_public_locations(project=project)

    scale = EvaluationCriterion.objects.create(
        project=project,
        position=90,
        code="pack-feasibility",
        kind="scale",
        label={
            "fr": "Faisabilite CRITFAIS",
            "it": "Fattibilita CRITFAIS",
            "en": "Feasibility CRITFAIS",
        },
    )
    choice = EvaluationCriterion.objects.create(
        project=project,
        position=91,
        code="pack-cost",
        kind="choice",
        label={"fr": "Cout CRITCOST", "it": "Costo CRITCOST", "en": "Cost CRITCOST"},
        choices=[
            {"value": "low", "label": {"fr": "Faible", "it": "Basso", "en": "Low"}},
            {"value": "high", "label": {"fr": "Eleve", "it": "Elevato", "en": "High"}},
        ],
    )
    partners = [
        ProjectPartner.objects.create(project=project, name=f"Partner{n} PARTNER", position=n)
        for n in (1, 2)
    ]
    evaluators = [give_role(make_user(f"evaluator-{n}"), project, Role.ANALYST) for n in (1, 2)]
    for evaluator, partner, score, cost in zip(
        evaluators, partners, (1, 5), ("low", "high"), strict=True
    ):
        Evaluation.objects.create(
            project=project,
            contribution=fr,
            evaluator=evaluator,
            partner=partner,
            scores={scale.code: score, choice.code: cost},
            notes=f"NOTEPRIVEE{score}",
        )
    Evaluation.objects.create(
        project=project,
        contribution=it,
        evaluator=evaluators[0],
        partner=partners[0],
        scores={scale.code: 4, choice.code: "low"},
    )
    Evaluation.objects.create(
        project=project, contribution=hidden, evaluator=evaluators[0], scores={scale.code: 2}
    )
    return SimpleNamespace(
        project=project,
        fr=fr,
        it=it,
        area=area,
        outside=outside,
        hidden=hidden,
        waiting=waiting,
        report=report,
        resident=resident,
        scale=scale,
        choice=choice,
        analyst=evaluators[0],
        second=evaluators[1],
    )


def _pdf_text(client, url) -> tuple[str, bytes]:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    return text, response.content


def _images(pdf: bytes, tmp_path) -> list[str]:
    """The PDF's images as `pdfimages -list` lists them (one line each)."""
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return listing.splitlines()[2:]


FORBIDDEN = (
    "PROPFEBRUARY",
    "PROPHIDDEN",
    "PROPWAITING",
    "REPORTMARCH",
    "COMMENTHIDDEN",
    "NOTEPRIVEE",
    "resident.secret@example.org",
    "Residentname",
    "Secretsurname",
    "resident-pack",
    "@resident.example",
)


def test_the_french_pdf_holds_the_period_with_its_evaluations_and_nothing_private(
    client, pack, tmp_path
):
    client.force_login(pack.analyst)
    text, pdf = _pdf_text(client, f"/fr/staff/{pack.project.slug}/meeting-pack.pdf?{PERIOD}")
    for token in ("PROPFRANCE", "PROPITALIA", "PROPAREA", "DESCFRANCE", "DESCITALIA"):
        assert token in text
    assert "Réaménager la placette" in text  # the proposal's own words, accents kept
    assert "COMMENTPUBLIC" in text
    # Evaluations: both criteria's French labels, both evaluators, their values and the mean
    # written the French way.
    for label in (
        pack.scale.label["fr"],
        pack.choice.label["fr"],
        "Partner1 PARTNER",
        "Partner2 PARTNER",
    ):
        assert label in text
    assert "Faible" in text and "Eleve" in text
    assert "3,0" in text  # (1 + 5) / 2, with a decimal comma
    assert len(_images(pdf, tmp_path)) == 1  # the French proposal's photo
    for forbidden in FORBIDDEN:
        assert forbidden not in text, forbidden


def test_the_italian_pdf_holds_the_proposals_own_texts_and_italian_labels(client, pack):
    client.force_login(pack.analyst)
    text, _pdf = _pdf_text(client, f"/it/staff/{pack.project.slug}/meeting-pack.pdf?{PERIOD}")
    assert "Sistemare il sentiero DESCITALIA" in text
    assert "DESCFRANCE" in text
    assert pack.scale.label["it"] in text and "Basso" in text and "Elevato" in text
    assert pack.scale.label["fr"] not in text
    for forbidden in FORBIDDEN:
        assert forbidden not in text, forbidden


def test_the_staff_edition_holds_the_private_notes_labelled(client, pack):
    client.force_login(pack.analyst)
    url = f"/en/staff/{pack.project.slug}/meeting-pack/?{PERIOD}"
    partners = client.get(url).content.decode()
    assert "NOTEPRIVEE" not in partners
    staff = client.get(url + "&edition=staff").content.decode()
    assert "NOTEPRIVEE1" in staff and "NOTEPRIVEE5" in staff
    assert 'id="staff-warning"' in staff and 'class="staff-notes"' in staff
    text, _pdf = _pdf_text(
        client, f"/en/staff/{pack.project.slug}/meeting-pack.pdf?{PERIOD}&edition=staff"
    )
    assert "NOTEPRIVEE1" in text and "NOTEPRIVEE5" in text


def test_the_page_groups_numbers_and_marks_disagreements(client, pack):
    client.force_login(pack.analyst)
    html = client.get(f"/it/staff/{pack.project.slug}/meeting-pack/?{PERIOD}").content.decode()
    assert '<html lang="it">' in html
    assert html.count('class="slide proposal"') == 3
    for forbidden in FORBIDDEN:
        assert forbidden not in html, forbidden
    section = html.split(f'data-contribution="{pack.fr.pk}"')[1].split("</article>")[0]
    assert section.count('class="disagrees"') == 2  # the scale (1 vs 5) and the choice
    assert 'data-criterion="pack-feasibility"' in section
    assert "data:image/jpeg;base64," in section  # its photo, embedded
    # A public report alike and at the same place is named; the hidden and the unmoderated
    # proposals there (FORBIDDEN) are not.
    assert "DUPLIREPORT" in section.split('class="duplicates"')[1]
    assert "<svg" in section and 'class="pack-map"' in section


def test_places_are_the_public_ones(pack):
    with translation.override("fr"):
        groups, items = gather(pack.project, START, END)
    assert [i.title for i in items].count("Proposal PROPFRANCE") == 1
    assert {i.id for i in items} == {str(pack.fr.pk), str(pack.it.pk), str(pack.area.pk)}
    assert [i.number for i in items] == [1, 2, 3]
    assert sum(len(t.items) for g in groups for t in g.territories) == 3
    fr = next(i for i in items if i.id == str(pack.fr.pk))
    pack.fr.refresh_from_db()
    public = pack.fr.public_geom.point_on_surface
    assert fr.spot == pytest.approx((public.x, public.y))
    assert fr.spot != pytest.approx((pack.fr.geom.x, pack.fr.geom.y), abs=1e-6)
    area = next(i for i in items if i.id == str(pack.area.pk))
    assert area.extent is not None
    with translation.override("fr"):
        drawing = maps.item_map(pack.project, area)
        overview = maps.overview(pack.project, items)
    assert drawing.shape_kind == "area" and drawing.shape.startswith("M")
    assert (
        0 < drawing.markers[0]["x"] < drawing.width and 0 < drawing.markers[0]["y"] < drawing.height
    )
    assert [m["number"] for m in overview.markers] == [1, 2, 3]
    assert overview.communes and overview.names


def test_an_evaluator_sees_the_others_scores_once_they_have_scored(client, pack):
    """The second partner scored the French proposal only: on the Italian one, scored by the
    first, they see that it was evaluated, not the score; a moderator sees every score."""
    url = f"/fr/staff/{pack.project.slug}/meeting-pack/?{PERIOD}"

    def section(html, contribution):
        return html.split(f'data-contribution="{contribution.pk}"')[1].split("</article>")[0]

    client.force_login(pack.second)
    html = client.get(url).content.decode()
    assert "Partner1 PARTNER" in section(html, pack.fr)
    assert 'class="hint blind"' in section(html, pack.it)
    assert "Partner1 PARTNER" not in section(html, pack.it)
    assert 'data-criterion="pack-feasibility"' not in section(html, pack.it)
    moderator = give_role(make_user("pack-moderator"), pack.project, Role.MODERATOR)
    client.force_login(moderator)
    html = client.get(url).content.decode()
    assert 'data-criterion="pack-feasibility"' in section(html, pack.it)
    assert 'class="hint blind"' not in html


def test_markers_on_one_spot_are_spread_apart_with_their_place_kept():
    markers = [{"x": 5.0, "y": 50.0, "number": n, "colour": "#000000"} for n in range(1, 13)]
    spread = maps.spread(markers, radius=10, bounds=(400, 300))
    for i, a in enumerate(spread):
        if a["moved"]:  # the first stays on its place; the others inside the drawing
            assert 10 <= a["x"] <= 390 and 10 <= a["y"] <= 290
        assert (a["at_x"], a["at_y"]) == (5.0, 50.0)
        for b in spread[i + 1 :]:
            assert (a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2 >= 19.9**2
    assert not spread[0]["moved"] and all(m["moved"] for m in spread[1:])


def test_hostile_texts_come_out_escaped(client, pack):
    hostile = make_contribution(pack.project, kind="proposal", created_at=_at(25))
    make_comment(hostile)
    client.force_login(pack.analyst)
    html = client.get(f"/fr/staff/{pack.project.slug}/meeting-pack/?{PERIOD}").content.decode()
    assert_escaped(html, hostile.title)
    assert f'data-contribution="{hostile.pk}"' in html


def test_a_meeting_gives_its_period_and_date(client, pack):
    meeting = Meeting.objects.create(
        project=pack.project,
        date=date(2019, 4, 8),
        title="Comitato MEETINGTITLE",
        period_start=START,
        period_end=END,
    )
    client.force_login(pack.analyst)
    html = client.get(
        f"/fr/staff/{pack.project.slug}/meeting-pack/?meeting={meeting.pk}"
    ).content.decode()
    assert "MEETINGTITLE" in html and "8 avril 2019" in html
    assert html.count('class="slide proposal"') == 3


def test_the_choice_page_lists_the_meetings(client, pack):
    Meeting.objects.create(
        project=pack.project, date=date(2019, 4, 8), period_start=START, period_end=END
    )
    client.force_login(pack.analyst)
    response = client.get(f"/fr/staff/{pack.project.slug}/meeting-pack/")
    assert response.status_code == 200
    assert "?meeting=" in response.content.decode()


def test_only_the_projects_staff_open_it(client, pack, moderator_b):
    url = f"/fr/staff/{pack.project.slug}/meeting-pack/?{PERIOD}"
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(url.replace("meeting-pack/", "meeting-pack.pdf")).status_code == 302
    client.force_login(pack.resident)
    assert client.get(url).status_code == 404
    client.force_login(moderator_b)
    assert client.get(url).status_code == 404
    assert client.get(url.replace("meeting-pack/", "meeting-pack.pdf")).status_code == 404


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("start=2019-03-01", 400, "period_incomplete"),
        ("end=2019-03-01", 400, "period_incomplete"),
        ("start=2019-13-01&end=2019-03-31", 400, "invalid_date"),
        ("start=2019-03-01&end=yesterday", 400, "invalid_date"),
        ("start=2019-03-31&end=2019-03-01", 400, "period_reversed"),
        ("start=2001-01-01&end=2019-03-01", 400, "period_too_long"),
        (f"{PERIOD}&edition=everyone", 400, "invalid_edition"),
        ("meeting=abc", 400, "invalid_meeting"),
        ("meeting=99999999999999999999999", 400, "invalid_meeting"),
        ("meeting=" + "9" * 5000, 400, "invalid_meeting"),
        ("meeting=2147483647", 404, "unknown_meeting"),
        (f"meeting=1&{PERIOD}", 400, "meeting_and_period"),
    ],
)
@pytest.mark.parametrize("suffix", ["meeting-pack/", "meeting-pack.pdf"])
def test_bad_periods_get_a_4xx_with_a_code(client, demo, analyst, query, status, code, suffix):
    client.force_login(analyst)
    response = client.get(f"/fr/staff/{demo.slug}/{suffix}?{query}")
    assert response.status_code == status
    assert response["X-Error-Code"] == code
    assert f'data-code="{code}"' in response.content.decode()


@pytest.mark.parametrize("suffix", ["meeting-pack/", "meeting-pack.pdf"])
def test_a_nul_byte_is_refused_before_the_view(client, demo, analyst, suffix):
    client.force_login(analyst)
    response = client.get(f"/fr/staff/{demo.slug}/{suffix}?start=2019-03-01%00&end=2019-03-31")
    assert response.status_code == 400
    assert response.json()["code"]


def test_too_many_proposals_is_refused(client, pack, analyst, monkeypatch):
    monkeypatch.setattr("staff.meeting_pack.render.MAX_PROPOSALS", 2)
    monkeypatch.setattr("staff.meeting_pack.request.MAX_PROPOSALS", 2)
    client.force_login(analyst)
    response = client.get(f"/fr/staff/{pack.project.slug}/meeting-pack.pdf?{PERIOD}")
    assert response.status_code == 422
    assert response["X-Error-Code"] == "too_many_proposals"


def test_an_empty_period_gives_a_pack_saying_so(client, demo, analyst):
    client.force_login(analyst)
    html = client.get(
        f"/fr/staff/{demo.slug}/meeting-pack/?start=1990-01-01&end=1990-01-31"
    ).content.decode()
    assert 'id="no-proposals"' in html
