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


# ---------------------------------------------------------------- a real browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    need(Path(CHROMIUM).is_file(), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are
    # still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (cookies, storage) per test, in French unless a test says."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def screenshot(page, name):
    """Saves a screenshot under artifacts/screenshots/ for a person to look at."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
