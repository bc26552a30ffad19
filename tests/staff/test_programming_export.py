"""The export for the programming call: kept proposals with their evaluations, as a CSV that
Excel opens with its accents right, and a GeoPackage GDAL reads; staff with the role only,
and no field of a resident's identity."""

import csv
import datetime
import io
import shutil
import subprocess

import pytest

from staff.models import Outcome, Role
from staff.services.decisions import create_meeting, record_decision
from staff.services.evaluations import save_evaluation
from tests.conftest import need
from tests.factories import give_role, make_contribution, make_user

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2019, 9, 9, 9, tzinfo=datetime.UTC)
PRIVATE_EMAIL = "habitante.privee@example.org"


@pytest.fixture
def kept(demo):
    manager = give_role(make_user("manager-export"), demo, Role.MANAGER)
    evaluator = give_role(make_user("analyste-èze"), demo, Role.ANALYST)
    meeting = create_meeting(
        actor=manager,
        project=demo,
        date=datetime.date(2019, 10, 1),
        period_start=datetime.date(2019, 9, 1),
        period_end=datetime.date(2019, 9, 30),
    )
    proposals = [
        make_contribution(
            demo,
            kind="proposal",
            title=title,
            created_at=DAY,
            email=PRIVATE_EMAIL,
            description="Près de l'école, côté Èze",
        )
        for title in ("Aire de jeux à Èze", "Banc ombragé", '=HYPERLINK("x")')
    ]
    save_evaluation(
        actor=manager,
        contribution=proposals[0],
        scores={"relevance": 5, "cost_band": "under_10k"},
        notes="x",
    )
    save_evaluation(actor=evaluator, contribution=proposals[0], scores={"relevance": 2})
    for proposal, outcome in zip(
        proposals, (Outcome.KEPT, Outcome.NOT_KEPT, Outcome.KEPT), strict=True
    ):
        record_decision(actor=manager, meeting=meeting, contribution=proposal, outcome=outcome)
    return manager, evaluator, meeting, proposals


def test_the_csv_starts_with_a_bom_and_round_trips(client, demo, kept):
    manager, evaluator, meeting, proposals = kept
    client.force_login(evaluator)  # an analyst may export
    response = client.get(f"/en/staff/{demo.slug}/meetings/kept-proposals.csv?meeting={meeting.pk}")
    assert response.status_code == 200
    body = response.content
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    titles = sorted(row["title"] for row in rows)
    assert titles == ['\'=HYPERLINK("x")', "Aire de jeux à Èze"]  # a formula is written as text
    first = next(row for row in rows if row["title"] == "Aire de jeux à Èze")
    assert first["relevance__manager_export"] == "5"
    assert first["relevance__analyste_eze"] == "2"
    assert first["relevance__mean"] == "3.5"
    assert first["cost_band__manager_export"]  # the option's label
    assert first["decision"] == "kept" and first["meeting_date"] == "2019-10-01"
    assert first["answer_fr"] and first["answer_it"]
    assert PRIVATE_EMAIL not in text
    for personal in ("email", "author", "name", "phone", "ip"):
        assert personal not in next(iter(csv.reader(io.StringIO(text))))
    semicolon = client.get(f"/en/staff/{demo.slug}/meetings/kept-proposals.csv?sep=semicolon")
    header = next(csv.reader(io.StringIO(semicolon.content.decode("utf-8-sig")), delimiter=";"))
    assert len(header) == len(rows[0]) and "analyste-èze" in " ".join(header)


def test_ogrinfo_reads_the_geopackage_with_the_evaluation_columns(client, demo, kept, tmp_path):
    need(shutil.which("ogrinfo"), "GDAL's ogrinfo is not installed")
    manager, _evaluator, meeting, _proposals = kept
    client.force_login(manager)
    response = client.get(f"/en/staff/{demo.slug}/meetings/kept-proposals.gpkg")
    assert response.status_code == 200
    path = tmp_path / "kept.gpkg"
    path.write_bytes(response.content)
    info = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Feature Count: 2" in info
    for column in ("relevance__manager_export", "relevance__mean", "cost_band__analyste_eze"):
        assert column in info
    assert "relevance__mean: Real" in info
    features = subprocess.run(
        ["ogrinfo", "-ro", "-al", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Aire de jeux à Èze" in features and PRIVATE_EMAIL not in features


def test_only_managers_and_analysts_export(client, demo, kept):
    moderator = give_role(make_user(), demo, Role.MODERATOR)
    client.force_login(moderator)
    assert client.get(f"/en/staff/{demo.slug}/meetings/kept-proposals.csv").status_code == 404
    client.force_login(make_user())
    assert client.get(f"/en/staff/{demo.slug}/meetings/kept-proposals.gpkg").status_code == 404
    client.force_login(kept[0])
    assert client.get(f"/en/staff/{demo.slug}/meetings/kept-proposals.xls").status_code == 404
    url = f"/en/staff/{demo.slug}/meetings/kept-proposals.csv?meeting="
    assert client.get(url + "99999999").status_code == 404
    assert client.get(url + "x%00").status_code in (400, 404)


def test_an_empty_export_is_still_a_valid_file(client, demo):
    manager = give_role(make_user(), demo, Role.MANAGER)
    client.force_login(manager)
    response = client.get(f"/en/staff/{demo.slug}/meetings/kept-proposals.gpkg")
    assert response.status_code == 200 and response.content[:16] == b"SQLite format 3\x00"
