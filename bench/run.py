"""The benchmark suite: every measure with its reference, at several data sizes, in one run.

    .venv/bin/python bench/run.py --quick   # 10k and 100k contributions, about 10 minutes
    .venv/bin/python bench/run.py --full    # 10k, 100k and 1M (1M generation alone: ~3 min)

Each size has its own database (bench/generate.py, kept between runs when it already holds
the contributions; --regenerate to rebuild). Every script prints its Markdown table and,
with --json, one machine-readable line; this collects them into bench/plots/figures.json,
draws each figure against data size (bench/plots/*.png) and rewrites the "Suite" section of
bench/RESULTS.md (the prose sections below it are kept).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PLOTS = BENCH / "plots"
SIZES = {"quick": [10_000, 100_000], "full": [10_000, 100_000, 1_000_000]}
DB_PORT = int(os.environ.get("DB_PORT", "54329"))
START, END = "<!-- suite:start -->", "<!-- suite:end -->"

# Per mode: the scripts' arguments (quick keeps the whole run under ten minutes).
ARGS = {
    "quick": {
        "containment": ["--points", "400"],
        "list_endpoint": ["--rounds", "3", "--page", "5000"],
        "clusters": ["--viewports", "100"],
        "tiles": ["--tiles", "300", "--pgbench-seconds", "15"],
        "exports": [],
        "submissions": ["--seconds", "10"],
    },
    "full": {
        "containment": ["--points", "2000"],
        "list_endpoint": ["--rounds", "7", "--page", "10000"],
        "clusters": ["--viewports", "200"],
        "tiles": ["--tiles", "1000", "--pgbench-seconds", "60"],
        "exports": [],
        "submissions": ["--seconds", "30"],
    },
}


def database(size):
    return "mapping_bench" if size == 1_000_000 else f"mapping_bench_{size // 1000}k"


def count_in(db):
    try:
        with psycopg.connect(host="127.0.0.1", port=DB_PORT, user="mapping", dbname=db) as conn:
            return conn.execute("SELECT count(*) FROM contributions_contribution").fetchone()[0]
    except psycopg.Error:
        return 0


def run(script, args, env, timeout=1800):
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(BENCH / f"{script}.py"), *args, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    elapsed = time.monotonic() - started
    if result.returncode:
        print(f"  {script}: failed ({elapsed:.0f} s)\n{result.stderr[-1500:]}", flush=True)
        return None
    print(f"  {script}: {elapsed:.0f} s", flush=True)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    return {"stdout": result.stdout}


def diagnostic(env):
    """bench/diagnostic.py prints Markdown only: its median wall time and SQL floor."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(BENCH / "diagnostic.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    print(f"  diagnostic: {time.monotonic() - started:.0f} s", flush=True)
    figures = {}
    for line in result.stdout.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("diagnostic wall time, median"):
            figures["median_s"] = float(cells[1])
        elif len(cells) >= 2 and cells[0].startswith("raw SQL grid count"):
            figures["grid_sql_s"] = float(cells[1])
    return figures or None


def settings_of_postgres():
    names = ["server_version", "shared_buffers", "work_mem", "max_wal_size", "synchronous_commit"]
    with psycopg.connect(host="127.0.0.1", port=DB_PORT, user="mapping", dbname="postgres") as c:
        values = {n: c.execute(f"SHOW {n}").fetchone()[0] for n in names}
        values["postgis"] = "3"
    return values


def main():
    parser = argparse.ArgumentParser()
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_const", dest="mode", const="quick")
    mode.add_argument("--full", action="store_const", dest="mode", const="full")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--only", nargs="*", help="measures to run (default: all)")
    parser.set_defaults(mode="full")
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    from _setup import machine

    started = time.monotonic()
    figures = {"mode": args.mode, "date": date.today().isoformat(), "sizes": {}}
    figures["machine"] = machine()
    figures["postgres"] = settings_of_postgres()
    wanted = set(args.only or [*ARGS[args.mode], "diagnostic"])
    for size in SIZES[args.mode]:
        db = database(size)
        env = {
            **os.environ,
            "BENCH_DB": db,
            "RATE_LIMITS_ENABLED": "false",  # one client address sends everything
            "CACHE_KEY_PREFIX": f"bench-{time.time_ns()}",
        }
        print(f"{size:,} contributions ({db})", flush=True)
        results = figures["sizes"][str(size)] = {}
        # Regenerated when short, or grown past the size it is named after (a run that
        # stopped before cleaning up what it wrote).
        if args.regenerate or not size <= count_in(db) <= size * 1.2:
            results["generate"] = run("generate", ["--count", str(size)], env)
        for script, script_args in ARGS[args.mode].items():
            if script in wanted:
                results[script] = run(script, script_args, env)
        if "diagnostic" in wanted:
            results["diagnostic"] = diagnostic(env)
    figures["seconds"] = time.monotonic() - started
    PLOTS.mkdir(exist_ok=True)
    (PLOTS / "figures.json").write_text(json.dumps(figures, indent=1) + "\n")
    rows = measures(figures)
    plot(rows)
    write_results(figures, rows)
    print(f"suite: {figures['seconds'] / 60:.1f} min; bench/RESULTS.md and bench/plots/ written")


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


# measure: (title, unit, ours, reference label, reference, ratio(ours, ref), target text, met)
def measures(figures):
    table = {}
    for size, r in figures["sizes"].items():
        size = int(size)

        def add(name, title, unit, ours, ref_label, ref, ratio, target, met, size=size):
            if ours is None or ref is None:
                return
            value = ratio(ours, ref)
            table.setdefault(name, {"title": title, "unit": unit, "ref": ref_label, "rows": []})
            table[name]["target"] = target
            table[name]["rows"].append((size, ours, ref, value, met(value)))

        add(
            "containment",
            "Containment check, per point (selector vs naive query on the union)",
            "ms",
            _get(r, "containment", "tolerance_0", "selector"),
            "naive SQL",
            _get(r, "containment", "tolerance_0", "naive"),
            lambda o, f: f / o,
            "naive / ours at least 20x",
            lambda v: v >= 20,
        )
        add(
            "list",
            "List page GeoJSON (endpoint vs json_agg in psql)",
            "ms",
            _get(r, "list_endpoint", "endpoint_ms"),
            "psql json_agg",
            _get(r, "list_endpoint", "psql_ms"),
            lambda o, f: o / f,
            "ours / psql at most 1.5x",
            lambda v: v <= 1.5,
        )
        sc = _get(r, "clusters", "supercluster_p95_ms")
        empty = _get(r, "clusters", "empty_p95_ms")
        add(
            "clusters",
            "Cluster viewport p95 (HTTP, in-memory index) vs supercluster in-process p95"
            " + empty-endpoint p95",
            "ms",
            _get(r, "clusters", "p95_ms"),
            "supercluster + HTTP",
            None if sc is None or empty is None else sc + empty,
            lambda o, f: o / f,
            "ours / reference at most 3x",
            lambda v: v <= 3,
        )
        add(
            "clusters_sql",
            "Cluster viewport p95, SQL path only (no in-memory index), vs the same reference",
            "ms",
            _get(r, "clusters", "sql_p95_ms"),
            "supercluster + HTTP",
            None if sc is None or empty is None else sc + empty,
            lambda o, f: o / f,
            "for comparison: the index's fallback",
            lambda v: None,
        )
        add(
            "clusters_cached",
            "Cluster viewport p95 from the shared cache (same viewports asked again)",
            "ms",
            _get(r, "clusters", "cached_p95_ms"),
            "supercluster + HTTP",
            None if sc is None or empty is None else sc + empty,
            lambda o, f: o / f,
            "ours / reference at most 3x",
            lambda v: v <= 3,
        )
        add(
            "tiles",
            "Vector tiles throughput (HTTP, 2 clients) vs raw ST_AsMVT via pgbench",
            "tiles/s",
            _get(r, "tiles", "tiles_per_s"),
            "pgbench",
            _get(r, "tiles", "raw_tiles_per_s"),
            lambda o, f: o / f,
            "ours / raw at least 0.6",
            lambda v: v >= 0.6,
        )
        for fmt in ("geojson", "gpkg"):
            add(
                f"exports_{fmt}",
                f"Public export, {fmt} (export_layer in a running process vs ogr2ogr)",
                "s",
                _get(r, "exports", fmt, "ours_s"),
                "ogr2ogr",
                _get(r, "exports", fmt, "ogr2ogr_s"),
                lambda o, f: o / f,
                "ours / ogr2ogr at most 1.2x",
                lambda v: v <= 1.2,
            )
        add(
            "diagnostic",
            "Diagnostic bundle, median wall time vs its raw SQL grid count",
            "s",
            _get(r, "diagnostic", "median_s"),
            "SQL grid count",
            _get(r, "diagnostic", "grid_sql_s"),
            lambda o, f: o / f if f else float("inf"),
            "under 120 s at 1M (reference: the floor)",
            lambda v: None,
        )
        add(
            "submissions",
            "Submissions per second through gunicorn vs pgbench INSERT (the ceiling)",
            "per s",
            _get(r, "submissions", "per_s"),
            "pgbench INSERT",
            _get(r, "submissions", "pgbench_per_s"),
            lambda o, f: o / f,
            "no target: the share of the ceiling",
            lambda v: None,
        )
    return table


def plot(table):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for name, m in table.items():
        rows = sorted(m["rows"])
        sizes = [r[0] for r in rows]
        fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
        ax.plot(sizes, [r[1] for r in rows], "o-", label="ours")
        ax.plot(sizes, [r[2] for r in rows], "s--", label=m["ref"])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("contributions in the project")
        ax.set_ylabel(m["unit"])
        ax.set_title(m["title"], fontsize=8)
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        fig.savefig(PLOTS / f"{name}.png")
        plt.close(fig)


def write_results(figures, table):
    pg = figures["postgres"]
    lines = [
        START,
        "## Suite",
        "",
        f"Reproduce: `make bench-quick` (10k and 100k contributions) or `make bench` (also 1M):"
        f" `bench/run.py`. This run: {figures['date']}, mode {figures['mode']}, "
        f"{figures['seconds'] / 60:.1f} minutes, {figures['machine']}; PostgreSQL "
        f"{pg['server_version'].split()[0]}, shared_buffers {pg['shared_buffers']}, work_mem "
        f"{pg['work_mem']}, max_wal_size {pg['max_wal_size']}, synchronous_commit "
        f"{pg['synchronous_commit']}. Medians (p95 where said), ours and the reference measured "
        "side by side at each size; raw figures in `bench/plots/figures.json`, one plot per "
        "measure in `bench/plots/`.",
        "",
    ]
    for name, m in table.items():
        lines += [f"### {m['title']}", "", f"![{name}](plots/{name}.png)", ""]
        lines += [
            f"| size | ours ({m['unit']}) | {m['ref']} ({m['unit']}) | ratio | target: "
            f"{m['target']} |",
            "|---|---|---|---|---|",
        ]
        for size, ours, ref, ratio, met in sorted(m["rows"]):
            verdict = "-" if met is None else ("met" if met else "**not met**")
            lines.append(f"| {size:,} | {ours:,.3g} | {ref:,.3g} | {ratio:.2f} | {verdict} |")
        lines.append("")
    lines.append(END)
    path = BENCH / "RESULTS.md"
    text = path.read_text()
    section = "\n".join(lines)
    if START in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        first = text.index("\n## ")
        text = text[: first + 1] + section + "\n\n" + text[first + 1 :]
    path.write_text(text)


if __name__ == "__main__":
    main()
