"""The list endpoint's GeoJSON, against rest_framework_gis and raw json_agg in psql.

One 10,000-feature page of the PITER ALPIMED project, the same rows for every method,
measured in alternating rounds in one run:

- endpoint: GET /api/projects/piter-alpimed/contributions/?limit=10000 through Django's
  handler (middleware, view, the database-built FeatureCollection);
- drf-gis: rest_framework_gis's GeoFeatureModelSerializer on the same rows, rendered to JSON;
- psql: json_agg(ST_AsGeoJSON(row)) over the same rows, timed by psql itself (\\timing).

    .venv/bin/python bench/list_endpoint.py [--rounds 7] [--page 10000]
    (needs a project with at least --page public contributions: generate_contributions)
"""

import argparse
import json
import re
import statistics
import subprocess
import time

from _setup import BENCH_DB, ROOT, django_on_bench_database, emit, machine


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--page", type=int, default=10_000)
    parser.add_argument("--project", default="piter-alpimed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    django_on_bench_database()

    from django.test import Client
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer
    from rest_framework_gis.serializers import GeoFeatureModelSerializer

    from contributions.models import Contribution, Project
    from contributions.selectors import PUBLIC_PROPERTIES

    project = Project.objects.get(slug=args.project)
    public = Contribution.objects.public().of_project(project)
    total = public.count()
    if total < args.page:
        raise SystemExit(f"only {total} public contributions; generate more first")
    ids = list(public.order_by("-created_at", "id").values_list("id", flat=True)[: args.page])

    class Reference(GeoFeatureModelSerializer):
        theme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
        commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
        commune_name = serializers.CharField(source="commune.name", read_only=True, default=None)

        class Meta:
            model = Contribution
            geo_field = "geom"
            fields = PUBLIC_PROPERTIES

    def endpoint():
        response = Client().get(
            f"/api/projects/{project.slug}/contributions/",
            {"limit": args.page},
            HTTP_HOST="127.0.0.1",
        )
        assert response.status_code == 200
        return len(response.content)

    def drf_gis():
        rows = (
            Contribution.objects.filter(pk__in=ids)
            .select_related("theme", "commune")
            .order_by("-created_at", "id")
        )
        data = Reference(rows, many=True).data
        return len(JSONRenderer().render(data))

    ids_literal = ",".join(f"'{i}'" for i in ids)  # UUIDs from the database itself
    psql_sql = (
        "\\timing on\n"
        "SELECT json_build_object('type', 'FeatureCollection', 'features', "
        "json_agg(ST_AsGeoJSON(c.*, 'geom', 6)::json ORDER BY c.created_at DESC, c.id))::text "
        "FROM (SELECT c.id, c.kind, c.sentiment, th.slug AS theme, c.title, c.description, "
        "c.status, t.code AS commune, t.name AS commune_name, c.answer, c.answered_at, "
        "c.vote_count, c.comment_count, c.channel, c.created_at, c.geom "
        "FROM contributions_contribution c JOIN contributions_theme th ON th.id = c.theme_id "
        "LEFT JOIN territories_current_of t ON t.id = c.commune_id "
        f"WHERE c.id IN ({ids_literal})) c;\n"
    )

    def psql():
        result = subprocess.run(
            [
                ROOT / "scripts" / "localdb.sh",
                "psql",
                "-d",
                BENCH_DB,
                "-X",
                "-q",
                "-A",
                "-t",
            ],
            input=psql_sql,
            capture_output=True,
            text=True,
            check=True,
        )
        (ms,) = re.findall(r"Time: ([\d.]+) ms", result.stdout)
        return float(ms) / 1000, len(result.stdout)

    timings = {"endpoint": [], "drf-gis": [], "psql": []}
    sizes = {}
    for name, run in (("endpoint", endpoint), ("drf-gis", drf_gis)):
        sizes[name] = run()  # warm up
    sizes["psql"] = psql()[1]
    for round_ in range(args.rounds):
        order = ["endpoint", "drf-gis", "psql"]
        for name in order[round_ % 3 :] + order[: round_ % 3]:
            if name == "psql":
                seconds, _size = psql()
            else:
                t0 = time.perf_counter()
                (endpoint if name == "endpoint" else drf_gis)()
                seconds = time.perf_counter() - t0
            timings[name].append(seconds)
    ms = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    print(f"machine: {machine()}")
    print(
        f"{total:,} public contributions in the project; page of {args.page:,} features; "
        f"{args.rounds} rounds; response sizes (bytes): {json.dumps(sizes)}"
    )
    print("| method | median (ms) | drf-gis / method | method / psql |")
    print("|---|---|---|---|")
    for name in ("endpoint", "drf-gis", "psql"):
        print(
            f"| {name} | {ms[name]:.0f} | {ms['drf-gis'] / ms[name]:.1f}x "
            f"| {ms[name] / ms['psql']:.2f}x |"
        )
    emit(args, {"total": total, "page": args.page, **{f"{k}_ms": v for k, v in ms.items()}})


if __name__ == "__main__":
    main()
