"""After the demo loads, one vote total wherever a person reads it: the dashboard (page and
CSV), the diagnostic, the API and the public page; and it is the number of vote rows."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from contributions.models import PUBLIC_STATUSES, Vote
from staff.models import ProjectRole, Role

pytestmark = pytest.mark.django_db


def _digits(text):
    return int(re.sub(r"\D", "", text))


def test_the_demo_vote_total_is_one_number(demo, tmp_path):
    rows = Vote.objects.filter(
        contribution__project=demo, contribution__status__in=PUBLIC_STATUSES
    ).count()
    assert rows > 500  # the demo votes through real (synthetic) participants

    readings = {}
    client = Client()
    readings["api project"] = client.get(f"/api/projects/{demo.slug}/").json()["vote_total"]
    listed, url = 0, f"/api/projects/{demo.slug}/contributions/?limit=1000"
    while url:
        page = client.get(url).json()
        listed += sum(f["properties"]["vote_count"] for f in page["features"])
        url = next((link["href"] for link in page.get("links", []) if link["rel"] == "next"), None)
    readings["api list"] = listed
    for language in ("fr", "it", "en"):
        html = client.get(f"/{language}/p/{demo.slug}/").content.decode()
        shown = re.search(r'class="vote-total">([^<]+)<', html).group(1)
        readings[f"public page {language}"] = _digits(shown)

    analyst = get_user_model().objects.create_user("demo-votes-analyst")
    ProjectRole.objects.create(user=analyst, project=demo, role=Role.ANALYST)
    staff = Client()
    staff.force_login(analyst)
    summary = staff.get(f"/fr/staff/{demo.slug}/dashboard/summary.csv").content.decode()
    readings["dashboard csv"] = int(
        next(line.split(",")[1] for line in summary.splitlines() if line.startswith("votes,"))
    )
    page = staff.get(f"/en/staff/{demo.slug}/dashboard/").content.decode()
    readings["dashboard page"] = _digits(re.search(r"([\d,]+) votes, ", page).group(1))

    call_command("diagnostic", project=demo.slug, output=str(tmp_path), verbosity=0)
    summary_json = json.loads((tmp_path / "summary.json").read_text())
    readings["diagnostic"] = summary_json["totals"]["votes"]

    assert readings == dict.fromkeys(readings, rows)
