"""The shape of the code base: the import contract, migrations, lazy imports, module size.

The contract itself lives in pyproject.toml ([tool.importlinter]) and is checked by
`lint-imports`; the other rules are read here from the source with `ast`.
"""

import ast
import io
import os
import re
import subprocess
import sys
import tokenize
import tomllib
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
APP_PACKAGES = tuple(CONTRACT["root_packages"])
# Top-level packages that are not the application, so stand outside the contract.
OUTSIDE = {"tests", "fixtures", "bench", "notebooks", "scripts", "tools", "docs", "locale"}
MAX_LINES = 400
STDLIB = sys.stdlib_module_names


def lint_imports():
    # Wide columns: the report names each offending import on one line.
    env = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1"}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def app_modules(*, migrations=False):
    """Every Python file of the app packages, with or without their migrations."""
    for package in APP_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if ("migrations" in path.parts) == migrations:
                yield path


def rel(path):
    return path.relative_to(ROOT).as_posix()


def reached_packages(node, module_path):
    """The top-level packages an import statement reaches (a relative import: its own)."""
    if isinstance(node, ast.Import):
        return {alias.name.split(".")[0] for alias in node.names}
    if node.level:
        return {rel(module_path).split("/")[0]}
    return {node.module.split(".")[0]}


# ---------------------------------------------------------------- the import contract


def test_every_app_package_is_in_the_contract():
    on_disk = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in OUTSIDE and not path.parent.name.startswith(".")
    }
    missing = sorted(set(APP_PACKAGES) - on_disk)
    unchecked = sorted(on_disk - set(APP_PACKAGES))
    assert not missing, f"in [tool.importlinter] root_packages but not a package here: {missing}"
    assert not unchecked, (
        f"packages outside the import contract: {unchecked}; add them to [tool.importlinter] "
        "root_packages and to a layer in pyproject.toml (or to OUTSIDE in this test)"
    )


def test_the_tree_keeps_the_import_contract():
    result = lint_imports()
    assert result.returncode == 0, "lint-imports:\n" + result.stdout + result.stderr
    assert re.search(r"Contracts: [1-9]\d* kept, 0 broken", result.stdout), result.stdout


@pytest.mark.parametrize(
    ("package", "statement", "target"),
    [
        ("core", "import mapping.urls", "mapping.urls"),
        ("territories", "from staff import models", "staff.models"),
        # Siblings on one layer do not know each other.
        ("layers", "import privacy.services", "privacy.services"),
    ],
)
def test_a_forbidden_import_breaks_the_contract(package, statement, target):
    name = f"_planted_{uuid.uuid4().hex[:8]}"
    planted = ROOT / package / f"{name}.py"
    broken = f"{package} is not allowed to import {target.split('.')[0]}"
    try:
        planted.write_text(f"{statement}  # noqa: F401\n")
        result = lint_imports()
    finally:
        planted.unlink(missing_ok=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert broken in output, output
    assert f"{package}.{name} -> {target}" in output, output


# ---------------------------------------------------------------- migrations


def migration_offenders(source, path):
    """Imports of anything but Django and the standard library, anywhere in a migration."""
    offenders = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        outside = reached_packages(node, path) - {"django"} - STDLIB
        if outside or getattr(node, "level", 0):
            offenders.append((node.lineno, f"{rel(path)}:{node.lineno}: {ast.unparse(node)}"))
    return [offender for _, offender in sorted(offenders)]


def test_migrations_import_only_django_and_the_standard_library():
    offenders = []
    for path in app_modules(migrations=True):
        offenders += migration_offenders(path.read_text(), path)
    assert not offenders, (
        "a migration must not import live code (it runs against the models of its day; copy "
        "what it needs into the migration):\n" + "\n".join(offenders)
    )


def test_the_migration_check_sees_application_imports():
    path = ROOT / "contributions/migrations/0099_example.py"
    source = (
        "import json\nfrom django.db import migrations\nimport contributions.models\n"
        "def forward(apps, schema_editor):\n    from layers.counts import refresh\n"
        "from . import helpers\n"
    )
    assert migration_offenders(source, path) == [
        "contributions/migrations/0099_example.py:3: import contributions.models",
        "contributions/migrations/0099_example.py:5: from layers.counts import refresh",
        "contributions/migrations/0099_example.py:6: from . import helpers",
    ]


# ---------------------------------------------------------------- lazy imports


def allowed_lazy(path, function, enclosing_class):
    """Where an import inside a function is the house's accepted practice."""
    # AppConfig.ready() connects signal receivers once the app registry is ready.
    if path.name == "apps.py" and function.name == "ready" and enclosing_class is not None:
        return True
    return "settings" in path.relative_to(ROOT).parts or path.name == "settings.py"


def lazy_import_offenders(source, path):
    """Imports of an app package inside a function body, outside the allowlist."""
    offenders = []

    def visit(node, function, enclosing_class):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child, enclosing_class)
            elif isinstance(child, ast.ClassDef):
                visit(child, function, child)
            elif isinstance(child, ast.Import | ast.ImportFrom) and function is not None:
                if reached_packages(child, path) & set(APP_PACKAGES) and not allowed_lazy(
                    path, function, enclosing_class
                ):
                    offenders.append(
                        f"{rel(path)}:{child.lineno}: {ast.unparse(child)} inside {function.name}()"
                    )
            else:
                visit(child, function, enclosing_class)

    visit(ast.parse(source, filename=str(path)), None, None)
    return offenders


def test_no_function_level_import_of_application_code():
    offenders = []
    for path in app_modules():
        offenders += lazy_import_offenders(path.read_text(), path)
    assert not offenders, (
        "application code imported inside a function (import it at the top of the module; a "
        "cycle it hides is a layering problem to fix, not to defer):\n" + "\n".join(offenders)
    )


def test_the_lazy_import_check_sees_them_and_allows_ready():
    source = (
        "import json\nfrom django.db import models\n"
        "def f():\n    import json\n    from contributions.models import Project\n"
        "class C:\n    def ready(self):\n        from . import signals\n"
        "    def g(self):\n        from . import signals\n"
        "        def h():\n            import staff.roles\n"
    )
    assert lazy_import_offenders(source, ROOT / "layers/apps.py") == [
        "layers/apps.py:5: from contributions.models import Project inside f()",
        "layers/apps.py:10: from . import signals inside g()",
        "layers/apps.py:12: import staff.roles inside g()",
    ]
    assert len(lazy_import_offenders(source, ROOT / "layers/views.py")) == 4  # ready() too
    assert lazy_import_offenders(source, ROOT / "mapping/settings/base.py") == []


# ---------------------------------------------------------------- module size

REASON = re.compile(rf"(?:^|[.!?]\s+|\n\s*)Over {MAX_LINES} lines:\s*\w")


def oversized(source, path):
    lines = len(source.splitlines())
    if lines <= MAX_LINES:
        return None
    docstring = ast.get_docstring(ast.parse(source, filename=str(path))) or ""
    if REASON.search(docstring):
        return None
    return f"{rel(path)}: {lines} lines"


def test_modules_stay_under_400_lines_or_say_why():
    offenders = [o for path in app_modules() if (o := oversized(path.read_text(), path))]
    assert not offenders, (
        f"modules over {MAX_LINES} lines: split them into a package of modules, one idea each, "
        f'or give the reason in the module docstring ("Over {MAX_LINES} lines: ..."):\n'
        + "\n".join(offenders)
    )


def test_the_size_check_reads_the_reason():
    body = "x = 1\n" * MAX_LINES
    path = ROOT / "layers/big.py"
    assert oversized('"""Clusters."""\n' + body, path) == f"layers/big.py: {MAX_LINES + 1} lines"
    assert oversized('"""Clusters. Over 400 lines: one query plan."""\n' + body, path) is None
    assert oversized('"""Clusters.\n\nOver 400 lines: one query plan."""\n' + body, path) is None
    assert oversized('"""Clusters, not over 400 lines: no."""\n' + body, path) is not None
    assert oversized('"""Over 400 lines:"""\n' + body, path) is not None
    assert oversized(body[: -len("x = 1\n")], path) is None


def test_the_architecture_page_shows_the_imports_as_they_are():
    result = subprocess.run(
        [sys.executable, "scripts/import_graph.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# The SRIDs are named once (core/postgis.py); code and SQL read the names. Prose may say
# "EPSG:4326".
SRID_NUMBERS = {"4326", "3857", "3035"}
SRID_IN_SQL = re.compile(r"[(,]\s*(4326|3857|3035)\s*\)")


def srid_offenders(source, path):
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NUMBER and token.string in SRID_NUMBERS:
            found.append(f"{path}:{token.start[0]}: {token.string}")
        elif token.type == tokenize.STRING and SRID_IN_SQL.search(token.string):
            found.append(f"{path}:{token.start[0]}: {SRID_IN_SQL.search(token.string).group(0)}")
    return found


def test_srids_are_named_once():
    offenders = [
        offender
        for path in app_modules()
        if rel(path) != "core/postgis.py"
        for offender in srid_offenders(path.read_text(encoding="utf-8"), rel(path))
    ]
    assert not offenders, "write STORAGE_SRID, METRIC_SRID or WEB_MERCATOR_SRID:\n" + "\n".join(
        offenders
    )


def test_the_srid_check_sees_numbers_and_sql():
    source = 'p = Point(1, 2, srid=4326)\nsql = "ST_Transform(g, 3857)"\nnote = "EPSG:4326"\n'
    assert len(srid_offenders(source, "planted.py")) == 2
