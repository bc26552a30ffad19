"""The project map page in headless Chromium: time to its first pins or clusters, and bytes.

Two projects on the same perimeter in the bench database: the 1,000,000-contribution one
and one with 1,000 contributions (created here on first run). Each load is a fresh browser
context (empty cache) against gunicorn with production settings (WhiteNoise static files,
compressed); basemap tiles are refused so the figure is the application's own. The time is
the page's own mark when the first cluster response is drawn (performance.mark), from
navigation start; bytes are what the browser transferred until then.

    .venv/bin/python bench/map_page.py [--runs 15]
    (needs the bench database with contributions: bench/generate.py; Debian's chromium)
"""

import argparse
import os
import statistics
import subprocess
import sys

from _setup import BENCH_DB, ROOT, Server, django_on_bench_database, machine

SMALL = "bench-1k"
SMALL_COUNT = 1_000


def small_project(big):
    from contributions import services, synthetic

    themes = [
        {"slug": t.slug, "name": t.name, "colour": t.colour, "icon": t.icon}
        for t in big.themes.all()
    ]
    _created, project = services.upsert_project(
        slug=SMALL,
        perimeter=big.perimeter,
        themes=themes,
        title={"fr": "Banc d'essai, 1 000 contributions"},
    )
    missing = SMALL_COUNT - project.contributions.count()
    if missing > 0:
        synthetic.generate(project=project, count=missing, seed=11)
    return project


# A mountain valley's mobile network: 1.6 Mbit/s down, 750 kbit/s up, 150 ms latency.
SLOW_NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6e6 / 8,
    "uploadThroughput": 750e3 / 8,
}


def measure(browser, url, slow=False):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    if slow:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK)
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(url)
    page.wait_for_selector("#map[data-loaded=true]", timeout=60_000)
    figures = page.evaluate(
        """() => {
          const drawn = performance.getEntriesByName("contributions-drawn")[0].startTime;
          const nav = performance.getEntriesByType("navigation")[0];
          let bytes = nav.transferSize, clusters = 0;
          for (const r of performance.getEntriesByType("resource")) {
            if (r.startTime > drawn) continue;
            bytes += r.transferSize;
            if (r.name.includes("/clusters/")) clusters += r.transferSize;
          }
          return {ms: drawn, bytes: bytes, clusters: clusters};
        }"""
    )
    context.close()
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    django_on_bench_database()
    from contributions.models import Project

    big = Project.objects.select_related("perimeter").get(slug="piter-alpimed")
    small = small_project(big)
    counts = {p.slug: p.contributions.public().count() for p in (big, small)}

    env = {
        "DJANGO_SETTINGS_MODULE": "mapping.settings.production",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "DATABASE_URL": f"postgis://mapping@127.0.0.1:54329/{BENCH_DB}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(ROOT / "bench" / "out" / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    from playwright.sync_api import sync_playwright

    results = {}
    with Server(workers=2, extra_env=env) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        for project in (small, big):
            url = f"http://127.0.0.1:{server.port}/fr/p/{project.slug}/"
            measure(browser, url)  # warm the server's connections and caches
            results[project.slug] = [measure(browser, url) for _ in range(args.runs)]
            results[project.slug, "slow"] = [
                measure(browser, url, slow=True) for _ in range(max(3, args.runs // 3))
            ]
        browser.close()

    print(f"machine: {machine()}")
    print(
        "| contributions | network | runs | first pins, median (ms) | p90 (ms) "
        "| bytes until then | of which clusters |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|")
    for key in (SMALL, big.slug, (SMALL, "slow"), (big.slug, "slow")):
        runs = results[key]
        slug, network = (key, "loopback") if isinstance(key, str) else (key[0], "slow mobile")
        ms = sorted(r["ms"] for r in runs)
        print(
            f"| {counts[slug]:,} | {network} | {len(runs)} | {statistics.median(ms):.0f} "
            f"| {ms[int(0.9 * (len(ms) - 1))]:.0f} "
            f"| {statistics.median(r['bytes'] for r in runs):,.0f} "
            f"| {statistics.median(r['clusters'] for r in runs):,.0f} |"
        )
    ratio = statistics.median(r["ms"] for r in results[big.slug]) / statistics.median(
        r["ms"] for r in results[SMALL]
    )
    print(f"1M / 1k time ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
