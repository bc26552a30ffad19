"""A small hostile world on top of the demo: two projects, six roles, six kinds of object.

Committed once per module (the staff export's ogr2ogr reads through its own connection, so it
must see the rows); each test still runs in a transaction that is rolled back, so votes,
comments and moderation decisions made by one test never reach the next.
"""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model

from contributions.models import Contribution, Project, Status
from staff.models import Role
from tests import factories
from tests.questionnaires.factories import make_survey

PROJECT_1 = "piter-alpimed"
PROJECT_2 = "security-other"


@dataclass
class World:
    p1: Project
    p2: Project
    users: dict = field(default_factory=dict)  # role name -> user (None: anonymous)
    objects: dict = field(default_factory=dict)  # object name -> Contribution
    photos: dict = field(default_factory=dict)  # object name -> Photo
    comments: dict = field(default_factory=dict)  # object name -> Comment
    questionnaire: object = None  # p1's published questionnaire "survey" (map question "where")

    @property
    def private_emails(self):
        emails = {c.email for c in self.objects.values() if c.email}
        return emails | {u.email for u in self.users.values() if u is not None}


@pytest.fixture(scope="module")
def world(demo, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    with django_db_blocker.unblock():
        Project.objects.filter(pk=demo.pk).update(publishes_open_data=True)
        p1 = Project.objects.select_related("perimeter").get(pk=demo.pk)
        p2 = factories.make_project(p1.perimeter, slug=PROJECT_2, publishes_open_data=True)
        users = {
            "anonymous": None,
            "resident_a": factories.make_user("sec-resident-a"),
            "resident_b": factories.make_user("sec-resident-b"),
            "moderator_p1": factories.give_role(
                factories.make_user("sec-moderator-p1"), p1, Role.MODERATOR
            ),
            "analyst_p2": factories.give_role(
                factories.make_user("sec-analyst-p2"), p2, Role.ANALYST
            ),
            "superuser": factories.make_user("sec-superuser", superuser=True),
        }
        a, b = users["resident_a"], users["resident_b"]
        specs = {
            # name: (project, status, author)
            "published": (p1, Status.PUBLISHED, a),
            "submitted": (p1, Status.SUBMITTED, a),  # resident A's own, awaiting moderation
            "hidden": (p1, Status.HIDDEN, a),
            "rejected": (p1, Status.REJECTED, b),
            "other_project": (p2, Status.PUBLISHED, b),
            "draft": (p1, Status.SUBMITTED, b),  # another user's, awaiting moderation
        }
        world = World(p1=p1, p2=p2, users=users)
        for index, (name, (project, status, author)) in enumerate(specs.items()):
            extra = {"answer": factories.hostile("answer")} if status == Status.REJECTED else {}
            contribution = factories.make_contribution(
                project,
                lonlat=(7.2620 + 0.003 * index, 43.7030 + 0.002 * index),
                status=status,
                author=author,
                title=factories.hostile(name)[:140],
                **extra,
            )
            world.objects[name] = contribution
            world.photos[name] = factories.make_photo(contribution)
            world.comments[name] = factories.make_comment(contribution)
        world.questionnaire = make_survey(p1)
    yield world
    with django_db_blocker.unblock():
        world.questionnaire.delete()
        Contribution.objects.filter(pk__in=[c.pk for c in world.objects.values()]).delete()
        get_user_model().objects.filter(username__startswith="sec-").delete()
        Project.objects.filter(pk=p2.pk).delete()
    media.disable()
