"""The diagnostic bundle (`manage.py diagnostic`) and the notebooks that read through the
same functions. A bundle is written once per filter combination and read by several outputs;
the notebook runs in its own kernel, against the committed test database."""

import csv
import io
import json
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests.consistency.outputs.common import command_options, number, only, rows_by_code, used
from tests.consistency.truth import Figures
from tests.layers import test_notebooks

_bundles: dict[str, Path] = {}
_scratch: list[Path] = []


def forget():
    """Drops the bundles written so far (the seeded project is going)."""
    _bundles.clear()
    while _scratch:
        shutil.rmtree(_scratch.pop(), ignore_errors=True)


def bundle(project, filters) -> Path | None:
    """The bundle's folder for these filters, written on first use; None when the command
    cannot express them (its options: --kind, --theme, --status, --commune)."""
    if not only(filters, "kinds", "themes", "statuses", "commune"):
        return None
    key = f"{project.pk}:{filters!r}"
    if key not in _bundles:
        folder = Path(tempfile.mkdtemp(prefix="consistency-diagnostic-"))
        _scratch.append(folder)
        call_command(
            "diagnostic",
            *("--project", project.slug, "--output", str(folder), "--no-progress"),
            *command_options(filters),
            stdout=io.StringIO(),
        )
        _bundles[key] = folder
    return _bundles[key]


def _summary(folder):
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def summary_totals(client, project, filters):
    if (folder := bundle(project, filters)) is None:
        return None
    totals = _summary(folder)["totals"]
    return Figures(totals["contributions"], votes=totals["votes"])


def _summed(part):
    def read(client, project, filters):
        if (folder := bundle(project, filters)) is None:
            return None
        return Figures(sum(_summary(folder)[part].values()))

    read.__name__ = f"summary_{part}"
    return read


summary_by_kind = _summed("by_kind")
summary_by_theme = _summed("by_theme")
summary_by_status = _summed("by_status")


def _with_outside(folder, rows):
    """Per-commune rows plus the contributions attributed to no commune (summary.json)."""
    outside = _summary(folder)["totals"]["outside_communes"]
    communes = rows_by_code([*rows, (None, outside)])
    return Figures(sum(communes.values()), communes=communes)


def areas_csv(client, project, filters):
    if (folder := bundle(project, filters)) is None:
        return None
    with open(folder / "areas.csv", newline="", encoding="utf-8") as stream:
        rows = [(row["code"], row["contributions"]) for row in csv.DictReader(stream)]
    return _with_outside(folder, rows)


def areas_geojson(client, project, filters):
    if (folder := bundle(project, filters)) is None:
        return None
    features = json.loads((folder / "areas.geojson").read_text(encoding="utf-8"))["features"]
    rows = [(f["properties"]["code"], f["properties"]["contributions"]) for f in features]
    return _with_outside(folder, rows)


def report_html(client, project, filters):
    if (folder := bundle(project, filters)) is None:
        return None
    html = (folder / "report.html").read_text(encoding="utf-8")
    match = re.search(r'id="figure-contributions"><b>([^<]+)</b>', html)
    return Figures(number(match.group(1)))


@contextmanager
def _kernel_environment(project):
    """The notebook kernel reads the test database through manage.py's settings; its
    sessions are waited for, so the database can be dropped at the end of the run."""
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", test_notebooks._database_url())
    patch.setenv("DJANGO_SETTINGS_MODULE", "mapping.settings.development")
    patch.setenv("DIAGNOSTIC_PROJECT", project.slug)
    patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        yield
    finally:
        patch.undo()
        with connection.cursor() as cursor:
            for _ in range(100):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.1)


def notebook_themes_by_commune(client, project, filters):
    if used(filters):
        return None  # the notebooks describe the public contributions, unfiltered
    with _kernel_environment(project):
        check = test_notebooks.checked(test_notebooks.execute("themes_by_commune"))
    return Figures(check["contributions"])
