"""House rules that CI enforces: ruff format and lint, ESLint, migrations in step with the models,
and a lockfile that pins every dependency with hashes."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT, need

RUFF = Path(sys.executable).with_name("ruff")
ESLINT = ROOT / "tools/node_modules/.bin/eslint"
ESLINT_CONFIG = ROOT / "tools/eslint.config.mjs"
LOCK = ROOT / "requirements/lock.txt"


@pytest.mark.parametrize("args", [["format", "--check", "."], ["check", "."]])
def test_ruff(args):
    result = subprocess.run([RUFF, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_migrations_are_in_step_with_models():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def eslint(*args, stdin=None):
    need(ESLINT.exists(), "ESLint is not installed (make lint, or: cd tools && npm ci)")
    return subprocess.run(
        [ESLINT, "--config", ESLINT_CONFIG, "--max-warnings", "0", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_eslint():
    # The same directories as make lint: each app's own scripts (vendored ones are ignored).
    static = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/static") if p.is_dir())
    assert "mapping/static" in static
    result = eslint(*static)
    assert result.returncode == 0, result.stdout + result.stderr


def test_eslint_knows_the_page_globals_and_catches_the_rest():
    probe = "mapping/static/mapping/probe.js"
    # Leaflet, then Django's JavaScript catalogue, are loaded before the site's scripts.
    known = 'L.map(gettext(interpolate("%s", [ngettext("a", "b", 2)])));\n'
    result = eslint("--stdin", "--stdin-filename", probe, stdin=known)
    assert result.returncode == 0, result.stdout + result.stderr
    result = eslint(
        "--stdin", "--stdin-filename", probe, stdin="(function () { leaflet.map(); })();\n"
    )
    assert result.returncode == 1 and "'leaflet' is not defined" in result.stdout, result.stdout


def pins():
    """{name: (version, number of hashes)} from the lockfile."""
    found = {}
    for entry in re.split(r"\n(?=\S)", LOCK.read_text()):
        if match := re.match(r"([A-Za-z0-9._-]+)==(\S+)", entry):
            found[canonicalize_name(match[1])] = (match[2], entry.count("--hash=sha256:"))
    return found


def test_the_lockfile_pins_every_dependency_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = pins()
    assert all(hashes for _, hashes in locked.values()), "every pin carries its hashes"
    stale = []
    for line in project["dependencies"] + project["optional-dependencies"]["dev"]:
        requirement = Requirement(line)
        version, _ = locked.get(canonicalize_name(requirement.name), (None, 0))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            stale.append(f"{requirement} (locked: {version})")
    assert not stale, "requirements/lock.txt is behind pyproject.toml, run make lock: " + ", ".join(
        stale
    )


def test_the_eslint_lockfile_pins_what_tools_package_json_asks_for():
    wanted = json.loads((ROOT / "tools/package.json").read_text())["devDependencies"]
    packages = json.loads((ROOT / "tools/package-lock.json").read_text())["packages"]
    for name, version in wanted.items():
        locked = packages[f"node_modules/{name}"]
        assert locked["version"] == version and locked["integrity"].startswith("sha512-"), name
