import pytest
from django.contrib.auth import get_user_model

from contributions.services import upsert_project
from staff.models import ProjectRole, Role


def make_user(username, **extra):
    return get_user_model().objects.create_user(username, password="x", **extra)


def give_role(user, project, role):
    ProjectRole.objects.create(user=user, project=project, role=role)
    return user


@pytest.fixture
def other_project(demo):
    """Project B: same perimeter, its own staff."""
    _created, project = upsert_project(
        slug="other-project",
        perimeter=demo.perimeter,
        themes=[{"slug": "roads", "name": {"fr": "Routes", "en": "Roads"}}],
        title={"fr": "Autre projet", "en": "Another project"},
    )
    return project


@pytest.fixture
def moderator(demo):
    return give_role(make_user("moderator-a"), demo, Role.MODERATOR)


@pytest.fixture
def analyst(demo):
    return give_role(make_user("analyst-a"), demo, Role.ANALYST)


@pytest.fixture
def manager(demo):
    return give_role(make_user("manager-a"), demo, Role.MANAGER)


@pytest.fixture
def moderator_b(other_project):
    return give_role(make_user("moderator-b"), other_project, Role.MODERATOR)
