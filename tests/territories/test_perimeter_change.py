"""A perimeter rebuilt without a commune: contributions already attributed to it are kept,
counted outside the perimeter's communes, and every breakdown still sums to the total."""

import json

import pytest
from django.core.management import call_command

from contributions.filters import ContributionFilters
from contributions.models import Contribution, Project
from layers.diagnostic import areas, queries
from staff.selectors import dashboard
from territories.services import build_perimeter

pytestmark = pytest.mark.django_db
SOSPEL = "06136"


def test_a_commune_left_out_of_the_perimeter_is_counted_outside(demo, tmp_path):
    public = Contribution.objects.public().filter(project=demo)
    in_sospel = public.filter(commune__code=SOSPEL).count()
    assert in_sospel > 0
    codes = [m.code for m in demo.perimeter.members.all() if m.code != SOSPEL]
    build_perimeter(slug=demo.perimeter.slug, name=demo.perimeter.name, codes=codes)
    project = Project.objects.get(pk=demo.pk)
    assert not project.perimeter.members.filter(code=SOSPEL).exists()

    scope = queries.Scope(project, ContributionFilters())
    themes = queries.themes(project)
    table = areas.build(scope, themes)
    assert SOSPEL not in {row["code"] for row in table.rows}
    assert table.outside["total"] == in_sospel
    total = public.count()
    assert sum(row["contributions"] for row in table.rows) + table.outside["total"] == total
    assert sum(table.outside["kinds"].values()) == in_sospel
    assert sum(table.outside["themes"].values()) == in_sospel

    # The dashboard keeps the commune's row while it has contributions.
    communes = {row[0]: row for row in dashboard.by_commune(project).rows}
    assert SOSPEL in communes

    call_command("diagnostic", project=project.slug, output=str(tmp_path), verbosity=0)
    figures = json.loads((tmp_path / "summary.json").read_text())
    assert figures["totals"]["contributions"] == total
    assert figures["totals"]["outside_communes"] == in_sospel
    assert sum(figures["by_kind"].values()) == total
    assert sum(figures["by_theme"].values()) == total
    assert sum(figures["by_status"].values()) == total
