"""docs/database.md names every function and trigger the migrations install, and nothing else;
for each, the migration it cites defines it last and the tests it cites exist."""

import re

import pytest

from tests.conftest import ROOT
from tests.database.helpers import installed_functions, installed_triggers

pytestmark = pytest.mark.django_db

DOC = ROOT / "docs" / "database.md"
CODE = re.compile(r"`([^`]+)`")
MIGRATION = re.compile(r"^(\w+)/migrations/(\d{4})_\w+\.py$")
TEST = re.compile(r"^(tests/[\w/]+\.py)::(\w+)$")


def section_rows(title):
    """The table rows of a `## title` section, as lists of cells."""
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in body.splitlines()
        if line.startswith("| `")
    ]
    assert rows, f"no table rows under '## {title}' in {DOC.name}"
    return rows


def code(cell):
    return CODE.findall(cell)


def signature(text):
    """A function as pg_proc's regprocedure writes it: name(type,type)."""
    return re.sub(r"\s*,\s*", ",", text.replace(" (", "(").strip())


def documented_functions():
    return {signature(code(row[0])[0]): row for row in section_rows("Functions")}


def documented_triggers():
    return {(code(row[1])[0], code(row[0])[0]): row for row in section_rows("Triggers")}


def test_every_function_is_documented_and_every_documented_one_exists():
    installed, documented = installed_functions(), set(documented_functions())
    assert not installed - documented, (
        f"functions in the database that docs/database.md does not list: "
        f"{sorted(installed - documented)}; add a row (what it guarantees, the migration that "
        "last defines it, the tests that prove it)"
    )
    assert not documented - installed, (
        f"docs/database.md lists functions the migrations no longer install: "
        f"{sorted(documented - installed)}"
    )


def test_every_trigger_is_documented_and_every_documented_one_exists():
    installed, documented = installed_triggers(), set(documented_triggers())
    assert not installed - documented, (
        f"triggers in the database that docs/database.md does not list: "
        f"{sorted(installed - documented)}"
    )
    assert not documented - installed, (
        f"docs/database.md lists triggers the migrations no longer install: "
        f"{sorted(documented - installed)}"
    )


def defining_migrations(statement):
    """Migration files (app, number, path) whose SQL holds the statement."""
    found = []
    for path in sorted(ROOT.glob("*/migrations/[0-9][0-9][0-9][0-9]_*.py")):
        if statement.search(path.read_text(encoding="utf-8")):
            app, number = MIGRATION.match(path.relative_to(ROOT).as_posix()).groups()
            found.append((app, number, path.relative_to(ROOT).as_posix()))
    return found


def check_row(name, statement, cells):
    """The cited migration defines `name` and none after it in its app does; the cited
    tests exist."""
    paths = [c for cell in cells for c in code(cell) if MIGRATION.match(c)]
    tests = [c for cell in cells for c in code(cell) if TEST.match(c)]
    assert len(paths) == 1, f"{name}: cite the one migration that last defines it"
    app, number = MIGRATION.match(paths[0]).groups()
    defining = defining_migrations(statement)
    assert (app, number, paths[0]) in defining, f"{name}: {paths[0]} does not define it"
    later = [path for other, n, path in defining if other == app and n > number]
    assert not later, f"{name}: defined again later, in {later}; cite the last one"
    assert tests, f"{name}: cite the tests that prove it (tests/...py::test_name)"
    for test in tests:
        path, function = TEST.match(test).groups()
        source = ROOT / path
        assert source.is_file() and f"def {function}(" in source.read_text(encoding="utf-8"), (
            f"{name}: {test} does not exist"
        )


def test_each_function_cites_its_last_migration_and_existing_tests():
    for name, row in documented_functions().items():
        bare = re.escape(name.split("(")[0])
        check_row(name, re.compile(rf"CREATE (OR REPLACE )?FUNCTION {bare}\s*\("), row[1:])


def test_each_trigger_cites_its_last_migration_and_existing_tests():
    for (_table, name), row in documented_triggers().items():
        check_row(name, re.compile(rf"CREATE TRIGGER {re.escape(name)}\s"), row[2:])
