"""One truth for every figure: each output, under each filter combination, gives the number
of contributions (and where it carries them, the votes and the count per commune) that the
rows themselves give.

The rule for staff outputs: the staff export follows StaffFilterQuery (every status unless
the filter names some, the bbox over the exact location); the dashboard the same with hidden
contributions left out unless the hidden status is asked for. Every other output is public
(PUBLIC_STATUSES, public location). tests/consistency/truth.py states all three.
"""

import dataclasses

import pytest
from django.contrib.auth import get_user_model

from contributions.filters import ContributionFilters
from territories.models import Territory
from tests.consistency.combos import BY_NAME, COMBOS, REIMPORTED
from tests.consistency.compare import disagreements
from tests.consistency.outputs import diagnostic
from tests.consistency.registry import BY_OUTPUT, OUTPUTS
from tests.consistency.seed import ANALYST, seed
from tests.consistency.truth import PUBLIC, STAFF, Figures, Truth, differences

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(demo, django_db_blocker):
    """The seeded project, committed (exports and notebooks read through connections of
    their own), and the truth computed from its rows."""
    with django_db_blocker.unblock():
        world = seed(demo)
        truth = Truth.of(world.project)
    yield world, truth
    diagnostic.forget()
    with django_db_blocker.unblock():
        get_user_model().objects.filter(username=ANALYST).delete()


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda output: output.name)
def test_every_output_gives_the_same_figures(client, seeded, output):
    """Every filter combination the output can express is compared; one it cannot (its
    reader answers None, saying why) is not a test. Every output expresses some (Open311
    knows only reports), so none is ever left untested."""
    world, truth = seeded
    problems, compared = {}, []
    for combo in COMBOS:
        reading = output.read(client, world.project, combo.filters)
        if reading is None:
            continue
        compared.append(combo.name)
        expected = truth.expected(combo.filters, output.meaning, output.box, output.communes)
        if found := differences(reading, expected):
            problems[combo.name] = found
    assert compared
    assert problems == {}


def test_the_seed_holds_what_the_comparisons_need(seeded):
    world, truth = seeded
    statuses = {row.status for row in truth.rows}
    assert {"hidden", "submitted", "duplicate", "under_review", "done"} <= statuses
    assert {row.geom.geom_type for row in truth.rows} >= {"Point", "LineString", "Polygon"}
    assert any(row.votes for row in truth.rows if row.status == "hidden")
    assert any(row.public_geom != row.geom for row in truth.rows)  # location rules apply
    assert Territory.objects.filter(code=REIMPORTED).count() == 2  # two generations
    # The searches find some, public and not (a search never shows an unpublished one).
    searched = ContributionFilters(text="apres")
    assert truth.expected(searched, STAFF).count > truth.expected(searched, PUBLIC).count > 0


def test_contributions_after_a_reimport_go_to_the_reimported_commune(seeded):
    world, _truth = seeded
    after = world.added[3:7]
    codes = {c.title: c.commune.code if c.commune else None for c in after}
    assert codes == dict.fromkeys(codes, REIMPORTED)


# ---------------------------------------------------------------- the comparison, proven


def _ignoring(reader, field):
    def read(client, project, filters):
        return reader(client, project, dataclasses.replace(filters, **{field: None}))

    return read


def _miscounting(reader, by):
    def read(client, project, filters):
        figures = reader(client, project, filters)
        return Figures(figures.count + by, figures.votes, None)

    return read


@pytest.mark.parametrize(
    ("name", "combo", "mutate"),
    [
        ("open data geojson", "kind", lambda r: _ignoring(r, "kinds")),
        ("clusters", "text-french", lambda r: _ignoring(r, "text")),
        ("list page", "theme", lambda r: _miscounting(r, -1)),  # drops one item
        ("staff export", "commune-reimported", lambda r: _miscounting(r, +1)),  # doubles one
    ],
)
def test_the_comparison_names_the_one_output_that_drops_or_ignores(
    client, seeded, monkeypatch, name, combo, mutate
):
    world, truth = seeded
    output = BY_OUTPUT[name]
    assert disagreements(client, world.project, truth, BY_NAME[combo]) == {}
    monkeypatch.setattr(output, "reader", mutate(output.reader))
    after = disagreements(client, world.project, truth, BY_NAME[combo])
    assert set(after) == {name}
