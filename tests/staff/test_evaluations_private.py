"""Evaluations never leave the staff workspace: a walk over the public outputs (pages, API,
feed, OGC API, open data, tiles' neighbours) and the general staff export finds no
evaluation note, criterion or score."""

import pytest

from contributions.models import Project
from staff.models import Role
from staff.services.evaluation_grid import save_criterion
from staff.services.evaluations import save_evaluation
from tests.factories import give_role, make_contribution, make_user

pytestmark = pytest.mark.django_db

NOTE = "NOTEPRIVEEZQX"
CRITERION = "critereprivezqx"
OPTION = "optionpriveezqx"


def test_no_public_output_shows_an_evaluation(client, demo):
    Project.objects.filter(pk=demo.pk).update(publishes_open_data=True)
    manager = give_role(make_user(), demo, Role.MANAGER)
    save_criterion(
        actor=manager,
        project=demo,
        label={"fr": CRITERION},
        code=CRITERION,
        kind="choice",
        choices=[{"value": OPTION, "label": {"fr": OPTION}}, {"label": {"fr": "autre"}}],
    )
    proposal = make_contribution(demo, kind="proposal", title="Une fontaine au village")
    save_evaluation(
        actor=manager,
        contribution=proposal,
        scores={CRITERION: OPTION, "relevance": 4},
        notes=NOTE,
    )
    slug, pk = demo.slug, proposal.pk
    public = [
        f"/fr/p/{slug}/",
        f"/it/p/{slug}/list/",
        f"/fr/p/{slug}/c/{pk}/",
        f"/en/p/{slug}/c/{pk}/",
        f"/fr/p/{slug}/feed.atom",
        f"/api/projects/{slug}/",
        f"/api/projects/{slug}/contributions/?limit=500",
        f"/api/projects/{slug}/contributions/{pk}/",
        f"/api/projects/{slug}/opendata.geojson",
        f"/api/projects/{slug}/opendata.csv",
        f"/ogc/collections/{slug}-contributions/items?limit=1000",
        f"/ogc/collections/{slug}-contributions/items/{pk}",
        f"/ogc/collections/{slug}-contributions/queryables",
        "/api/schema/",
    ]
    seen = 0
    for url in public:
        response = client.get(url)
        if response.status_code != 200:
            continue
        seen += 1
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        for secret in (NOTE, CRITERION, OPTION, "evaluation"):
            assert secret not in text, f"{url} shows {secret}"
    assert seen >= 8
    # The staff's general export does not carry them either (only the programming call's).
    client.force_login(manager)
    for fmt in ("csv", "geojson"):
        response = client.get(f"/api/projects/{slug}/export.{fmt}")
        assert response.status_code == 200
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        assert NOTE not in text and OPTION not in text and CRITERION not in text
