"""The diagnostic notebooks run headless (nbclient) on the demo data, and say the right things.

Each notebook ends with a cell tagged `check` that prints its key figures as JSON; those are
compared with figures computed here, straight from the database.
"""

import importlib.util
import json
import time
from pathlib import Path
from urllib.parse import quote

import nbformat
import numpy as np
import pytest
from django.db import connection

from contributions.models import PUBLIC_STATUSES, Contribution
from contributions.selectors import ContributionFilters
from layers.diagnostic import hotspots, queries
from tests.conftest import ROOT, need

pytestmark = pytest.mark.django_db
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["themes_by_commune", "hotspots", "representativeness"]


def _database_url():
    """The test database as a URL for the kernel's environment (never in the notebook)."""
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgis://{quote(s['USER'] or '', safe='')}{password}@{host}{port}/{s['NAME']}"


@pytest.fixture(scope="module")
def kernel_env(demo, django_db_blocker):
    """The kernel (the virtualenv's python3, through ipykernel's own kernelspec) reads the
    test database through the same settings as manage.py."""
    need(
        importlib.util.find_spec("ipykernel") is not None,
        "ipykernel is not installed in the virtualenv",
    )
    mp = pytest.MonkeyPatch()
    with django_db_blocker.unblock():
        mp.setenv("DATABASE_URL", _database_url())
    mp.setenv("DJANGO_SETTINGS_MODULE", "mapping.settings.development")
    mp.setenv("DIAGNOSTIC_PROJECT", demo.slug)
    mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield
    mp.undo()
    # The kernels' database sessions end a moment after the kernels: wait, so the test
    # database can be dropped at the end of the run.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)


def execute(name):
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    ).execute()
    return notebook


def checked(notebook):
    [cell] = [c for c in notebook.cells if "check" in c.metadata.get("tags", [])]
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return json.loads(text.strip().splitlines()[-1])


def images(notebook):
    return sum(
        1
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    )


def public(project):
    return Contribution.objects.filter(project=project, status__in=PUBLIC_STATUSES)


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_kept_without_outputs(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, name
            assert "PASSWORD" not in cell.source and "postgis://" not in cell.source


def test_themes_by_commune(demo, kernel_env):
    notebook = execute("themes_by_commune")
    check = checked(notebook)
    assert check["communes"] == demo.perimeter.members.count()
    assert check["contributions"] == public(demo).count()
    for slug in demo.themes.values_list("slug", flat=True):
        column = "theme_" + slug.replace("-", "_")
        assert check["by_theme"][column] == public(demo).filter(theme__slug=slug).count()
    assert images(notebook) == 1


def test_hotspots(demo, kernel_env):
    notebook = execute("hotspots")
    check = checked(notebook)
    minpoints = hotspots.default_minpoints(public(demo).count(), demo.perimeter.area_m2, 250)
    assert check["minpoints"] == minpoints == 10  # the demo is too small to raise it
    found = hotspots.find(
        queries.Scope(demo, ContributionFilters()),
        eps=250,
        minpoints=minpoints,
        theme_slugs=dict(demo.themes.values_list("id", "slug")),
    )
    assert check["hotspots"] == len(found.hotspots)
    assert check["counts"] == [h.count for h in found.hotspots]
    assert all(count >= 10 for count in check["counts"])
    assert check["clustered"] <= public(demo).count()
    assert images(notebook) == 1


def test_representativeness(demo, kernel_env):
    notebook = execute("representativeness")
    check = checked(notebook)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.population, count(c.id)
            FROM territories_territory t
            JOIN territories_territory_members m ON m.to_territory_id = t.id
            LEFT JOIN contributions_contribution c
                   ON c.commune_id = t.id AND c.status = ANY(%s)
            WHERE m.from_territory_id = %s AND t.population > 0
            GROUP BY t.id
            """,
            [PUBLIC_STATUSES, demo.perimeter_id],
        )
        population, contributions = np.array(cursor.fetchall(), dtype=float).T
    assert check["communes"] == len(population)
    assert check["population"] == int(population.sum())
    assert check["contributions"] == int(contributions.sum())
    # Spearman's rho computed here independently (average ranks for ties).
    rho = np.corrcoef(_ranks(population), _ranks(contributions))[0, 1]
    assert check["spearman"] == pytest.approx(rho, abs=1e-3)
    assert 0 <= check["gini"] <= 1
    assert images(notebook) == 1


def _ranks(values):
    order = values.argsort()
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        same = values == value
        ranks[same] = ranks[same].mean()
    return ranks


def test_notebook_paths_exist():
    assert sorted(p.stem for p in Path(NOTEBOOKS).glob("*.ipynb")) == sorted(NAMES)
