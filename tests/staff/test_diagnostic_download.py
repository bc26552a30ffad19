"""Analysts download the diagnostic bundle from the workspace; other projects' staff cannot."""

import io
import json
import zipfile

import pytest

from contributions.models import PUBLIC_STATUSES, Contribution

pytestmark = pytest.mark.django_db


def test_an_analyst_downloads_the_bundle_in_their_language(client, demo, analyst):
    client.force_login(analyst)
    response = client.get(f"/it/staff/{demo.slug}/diagnostic/bundle.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"diagnostic-{demo.slug}-" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    expected = {"map.html", "density.tif", "areas.geojson", "areas.csv", "hotspots.geojson"}
    assert expected | {"summary.json", "report.html"} <= names
    summary = json.loads(archive.read("summary.json"))
    public = Contribution.objects.filter(project=demo, status__in=PUBLIC_STATUSES).count()
    assert summary["totals"]["contributions"] == public
    assert '<html lang="it"' in archive.read("report.html").decode()


def test_staff_of_another_project_get_404(client, demo, moderator_b):
    client.force_login(moderator_b)
    assert client.get(f"/fr/staff/{demo.slug}/diagnostic/bundle.zip").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, demo):
    response = client.get(f"/fr/staff/{demo.slug}/diagnostic/bundle.zip")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
