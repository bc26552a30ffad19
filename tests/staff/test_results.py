"""The staff's results pages: listed, created and edited by moderators and managers (404 for
an analyst), a milestone added; hostile input is refused with a 4xx, a code and a sentence,
never a 500, and nothing is written: a progress of 101, -1 or NaN, a NUL byte, 10,000-char
texts, a contribution of another project or a hidden one, an invalid geometry."""

import json

import pytest
from django.core import mail

from contributions.models import Result, ResultMilestone, Status
from staff.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(demo):
    return [factories.make_contribution(demo, status=Status.PUBLISHED) for _ in range(2)]


def new_url(project):
    return f"/fr/staff/{project.slug}/results/new/"


def form(items, **changes):
    data = {
        "title_fr": "Éclairage de la place",
        "title_it": "Illuminazione della piazza",
        "text_fr": "Lampadaires posés.",
        "status": "in_progress",
        "progress": "40",
        "geometry": "",
        "contributions": [str(item.pk) for item in items],
    }
    data.update(changes)
    return data


def test_a_moderator_records_a_result_and_a_milestone(
    client, demo, moderator, items, django_capture_on_commit_callbacks
):
    factories.make_follow(items[0], email="f@example.org", language="fr")
    client.force_login(moderator)
    listing = client.get(f"/fr/staff/{demo.slug}/results/")
    assert listing.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(new_url(demo), form(items))
    assert response.status_code == 302, response.content.decode()[:2000]
    result = Result.objects.get()
    assert result.progress == 40 and set(result.contributions.all()) == set(items)
    assert len(mail.outbox) == 1
    edit = client.get(response.url).content.decode()
    assert "Éclairage de la place" in edit and 'id="answer-missing"' in edit
    assert 'id="result-audit-title"' in edit
    response = client.post(
        f"/fr/staff/{demo.slug}/results/{result.pk}/milestones/",
        {"date": "2026-04-01", "milestone_fr": "Chantier ouvert"},
    )
    assert response.status_code == 302
    assert ResultMilestone.objects.get(result=result).text == {"fr": "Chantier ouvert"}
    assert AuditEntry.objects.about(result.pk).count() == 2


def test_an_analyst_gets_404(client, demo, analyst):
    client.force_login(analyst)
    assert client.get(f"/fr/staff/{demo.slug}/results/").status_code == 404
    assert client.post(new_url(demo), {}).status_code == 404


def test_a_result_can_start_from_a_contribution(client, demo, moderator, items):
    client.force_login(moderator)
    page = client.get(new_url(demo), {"contribution": str(items[0].pk)}).content.decode()
    assert f'value="{items[0].pk}"' in page and "checked" in page


def test_search_finds_public_contributions_only(client, demo, moderator):
    hidden = factories.make_contribution(demo, status=Status.HIDDEN, title="Lavoir caché")
    shown = factories.make_contribution(demo, status=Status.PUBLISHED, title="Lavoir public")
    client.force_login(moderator)
    page = client.get(new_url(demo), {"q": "Lavoir"}).content.decode()
    assert str(shown.pk) in page and str(hidden.pk) not in page


HOSTILE = {
    "progress 101": ({"progress": "101"}, "invalid_progress"),
    "progress -1": ({"progress": "-1"}, "invalid_progress"),
    "progress NaN": ({"progress": "NaN"}, "invalid_progress"),
    "progress 1e2": ({"progress": "1e2"}, "invalid_progress"),
    "long title": ({"title_fr": "x" * 10_000}, "max_length"),
    "long text": ({"text_fr": "x" * 10_000}, "max_length"),
    "no title": ({"title_fr": ""}, "title_required"),
    "unknown status": ({"status": "finished"}, "invalid_choice"),
    "bow-tie area": (
        {
            "geometry": json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[7.26, 43.70], [7.27, 43.71], [7.27, 43.70], [7.26, 43.71], [7.26, 43.70]]
                    ],
                }
            )
        },
        None,
    ),
    "not geojson": ({"geometry": "POINT(7 43)"}, "invalid_geometry"),
    "not a uuid": ({"contributions": ["not-a-uuid"]}, "unknown_contribution"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_input_is_refused_with_a_code_and_nothing_is_written(
    client, demo, moderator, items, case
):
    changes, code = HOSTILE[case]
    client.force_login(moderator)
    response = client.post(new_url(demo), form(items, **changes))
    page = response.content.decode()
    assert response.status_code == 422, page[:1000]
    assert 'class="error-summary"' in page
    found = page.split('data-error-code="')[1].split('"')[0]
    assert found and (code is None or found == code)
    assert not Result.objects.exists() and not AuditEntry.objects.exists()


def test_a_nul_byte_is_refused_before_the_view(client, demo, moderator, items):
    client.force_login(moderator)
    response = client.post(new_url(demo), form(items, title_fr="Lampe\x00"))
    assert 400 <= response.status_code < 500
    assert not Result.objects.exists()


def test_no_hidden_or_foreign_contribution_can_be_attached(
    client, demo, other_project, moderator, items
):
    hidden = factories.make_contribution(demo, status=Status.HIDDEN)
    waiting = factories.make_contribution(demo, status=Status.SUBMITTED)
    foreign = factories.make_contribution(other_project, status=Status.PUBLISHED)
    client.force_login(moderator)
    for other, code in (
        (hidden, "hidden_contribution"),
        (waiting, "hidden_contribution"),
        (foreign, "unknown_contribution"),
    ):
        response = client.post(new_url(demo), form([*items, other]))
        page = response.content.decode()
        assert response.status_code == 422
        assert f'data-error-code="{code}"' in page
    assert not Result.objects.exists()


def test_editing_another_projects_result_is_404(client, demo, other_project, moderator_b, items):
    result = Result.objects.create(project=demo, title={"fr": "A"})
    client.force_login(moderator_b)
    assert client.get(f"/fr/staff/{other_project.slug}/results/{result.pk}/").status_code == 404
    assert client.get(f"/fr/staff/{demo.slug}/results/{result.pk}/").status_code == 404


def test_a_milestone_photo_is_reencoded_and_served_a_bad_file_refused(
    client, demo, moderator, items, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    result = Result.objects.create(project=demo, title={"fr": "Banc"})
    result.contributions.set(items)
    client.force_login(moderator)
    url = f"/fr/staff/{demo.slug}/results/{result.pk}/milestones/"
    refused = client.post(
        url,
        {
            "date": "2026-04-01",
            "milestone_fr": "Pose",
            "photo": factories.upload(b"not an image", name="x.jpg"),
        },
    )
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.content.decode()
    assert not ResultMilestone.objects.exists()
    response = client.post(
        url,
        {
            "date": "2026-04-01",
            "milestone_fr": "Pose",
            "photo": factories.upload(factories.jpeg_bytes()),
        },
    )
    assert response.status_code == 302
    photo = ResultMilestone.objects.get().photo
    page = client.get(f"/fr/p/{demo.slug}/results/{result.pk}/").content.decode()
    assert f"/result-photos/{photo.pk}/thumbnail.jpg" in page
    served = client.get(f"/result-photos/{photo.pk}/large.jpg")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8")
