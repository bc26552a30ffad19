"""Roles are per project: staff of one project see nothing private of another (404, not 403),
in the HTML workspace and in the API alike."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from contributions.models import Contribution, Status
from staff import permissions
from staff.models import AuditEntry, ImmutableError, Role
from staff.services import moderation
from tests.staff.conftest import give_role, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_item(other_project):
    theme = other_project.themes.get()
    return Contribution.objects.create(
        project=other_project,
        kind="proposal",
        theme=theme,
        title="Secret of project B",
        email="b-resident@example.org",
        geom="SRID=4326;POINT(7.5 43.9)",
        status=Status.SUBMITTED,
    )


def test_moderator_of_a_cannot_see_or_act_on_b(client, demo, moderator, other_project, b_item):
    client.force_login(moderator)
    slug = other_project.slug
    for path in [
        f"/fr/staff/{slug}/",
        f"/fr/staff/{slug}/c/{b_item.pk}/",
        f"/fr/staff/{slug}/dashboard/",
        f"/fr/staff/{slug}/dashboard/summary.csv",
        f"/fr/staff/{slug}/audit/",
        f"/fr/staff/{slug}/record/",
        f"/fr/staff/{slug}/print/flyer/",
        f"/api/projects/{slug}/export.geojson",
        f"/api/projects/{slug}/export.csv",
        f"/api/projects/{slug}/export.gpkg",
    ]:
        assert client.get(path).status_code == 404, path
    # Acting: through B's own address, and by slipping B's item into A's forms.
    response = client.post(
        f"/fr/staff/{slug}/moderate/", {"items": [f"contribution:{b_item.pk}"], "action": "hide"}
    )
    assert response.status_code == 404
    response = client.post(
        f"/fr/staff/{demo.slug}/moderate/",
        {"items": [f"contribution:{b_item.pk}"], "action": "hide"},
    )
    assert response.status_code == 404
    assert client.get(f"/fr/staff/{demo.slug}/c/{b_item.pk}/").status_code == 404
    response = client.post(
        f"/fr/staff/{slug}/c/{b_item.pk}/", {"status": "accepted", "answer": "Yes"}
    )
    assert response.status_code == 404
    b_item.refresh_from_db()
    assert b_item.status == Status.SUBMITTED and b_item.answer == ""
    assert not AuditEntry.objects.exists()
    # Their own project's pages answer, with the private email they may see.
    assert client.get(f"/fr/staff/{demo.slug}/").status_code == 200
    page = client.get(f"/fr/staff/{demo.slug}/").content.decode()
    assert "b-resident@example.org" not in page and "Secret of project B" not in page


def test_the_workspace_lists_only_ones_own_projects(client, demo, moderator, other_project):
    assert list(permissions.visible_projects(moderator)) == [demo]
    client.force_login(moderator)
    page = client.get("/en/staff/").content.decode()
    assert "Another project" not in page and "tomorrow" in page


def test_strangers_get_404_and_visitors_the_sign_in(client, demo):
    stranger = make_user("stranger", is_staff=True)
    client.force_login(stranger)
    assert client.get(f"/fr/staff/{demo.slug}/").status_code == 404
    assert client.get(f"/api/projects/{demo.slug}/export.geojson").status_code == 404
    client.logout()
    response = client.get(f"/fr/staff/{demo.slug}/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(f"/api/projects/{demo.slug}/export.csv").status_code == 404


def test_analysts_read_but_do_not_act(client, demo, analyst):
    item = Contribution.objects.filter(project=demo).first()
    client.force_login(analyst)
    assert client.get(f"/fr/staff/{demo.slug}/dashboard/").status_code == 200
    assert client.get(f"/fr/staff/{demo.slug}/c/{item.pk}/").status_code == 200
    response = client.post(
        f"/fr/staff/{demo.slug}/moderate/", {"items": [f"contribution:{item.pk}"], "action": "hide"}
    )
    assert response.status_code == 404
    assert client.get(f"/fr/staff/{demo.slug}/record/").status_code == 404
    response = client.post(f"/fr/staff/{demo.slug}/c/{item.pk}/", {"status": "done", "answer": "x"})
    assert response.status_code == 404
    assert not AuditEntry.objects.exists()


def test_superusers_manage_every_project(demo, other_project):
    boss = make_user("boss", is_superuser=True)
    assert set(permissions.visible_projects(boss, "templates")) == {demo, other_project}
    assert permissions.role_in(boss, other_project) == Role.MANAGER


def test_one_role_per_person_and_project(demo, moderator):
    with pytest.raises(IntegrityError), transaction.atomic():
        give_role(moderator, demo, Role.MANAGER)


def test_the_audit_log_cannot_be_changed_even_in_sql(demo, moderator):
    item = Contribution.objects.filter(project=demo).first()
    moderation.moderate(
        actor=moderator, project=demo, action="hide", contribution_ids=[item.pk], reason="r"
    )
    entry = AuditEntry.objects.get()
    for sql in (
        "UPDATE staff_auditentry SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM staff_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="cannot be changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.reason == "r"
