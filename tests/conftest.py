import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_BOUNDARIES = ROOT.parent / "shared" / "data" / "boundaries"
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition, reason):
    """Skip when a test's outside requirement is missing; in CI that is a failure instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def boundaries_dir():
    need(
        SHARED_BOUNDARIES.is_dir(),
        f"the shared boundary files are not beside this clone ({SHARED_BOUNDARIES})",
    )
    return SHARED_BOUNDARIES


@pytest.fixture(scope="session")
def local_cluster():
    """The project-local PostGIS script, when the suite runs on it (not on a DATABASE_URL)."""
    need(
        not os.environ.get("DATABASE_URL"),
        "DATABASE_URL points at an external database; this test drives the local cluster",
    )
    return ROOT / "scripts" / "localdb.sh"


@pytest.fixture(autouse=True)
def _fresh_containment_cache():
    """Territory ids are not reused, but a test must never see another test's boundaries."""
    from territories import containment

    containment.forget()
    yield
    containment.forget()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The PITER ALPIMED demo (communes, perimeter, project, 300 contributions), once a module."""
    from contributions.models import Contribution, Project
    from mapping.demo import load_demo
    from territories.models import Territory

    with django_db_blocker.unblock():
        project = load_demo()
        Project.objects.filter(pk=project.pk).update(
            allow_lines=True,
            allow_polygons=True,
            max_line_length_m=5_000,
            max_polygon_area_m2=1_000_000,
        )
        yield Project.objects.select_related("perimeter").get(pk=project.pk)
        Contribution.objects.all().delete()
        Project.objects.all().delete()
        Territory.objects.all().delete()
