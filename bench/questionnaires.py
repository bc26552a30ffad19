"""A questionnaire's export and summaries at 100,000 responses with 3 map answers each, against
ogr2ogr on the same SQL and a raw SQL count.

On a database of its own (`mapping_bench_questionnaires`, never the demo's or the main bench's):
the PITER ALPIMED demo's territories and project, one questionnaire (a single choice, a
personal scale, a number, a multiple choice, and a point, a line and an area question), and
`--responses` responses written by set-based SQL inserts (each answers every question; one
point, one line and one area each, at random places inside the perimeter, attributed to their
commune by the database's own territories_attribute). Then, `--rounds` times, alternating:

- **export**: `layers.exports.questionnaire_files.export_questionnaire` in this process, the
  staff GeoPackage (EPSG:2154: the three q_<code> layers with their styles, the answers table,
  the communes and the perimeter), against ogr2ogr run by hand on the same SELECTs
  (questionnaire_sql), one run per layer into one GeoPackage;
- **summary**: `questionnaires.results.question_summaries` and `commune_rates`, against a raw
  SQL count of the answers and the map answers per question.

Medians; the questionnaire's rows are deleted at the end (`--keep` keeps them).

    .venv/bin/python bench/questionnaires.py [--responses 100000] [--rounds 3] [--keep]
"""

import os

os.environ.setdefault("BENCH_DB", "mapping_bench_questionnaires")

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _setup import django_on_bench_database, emit, machine

SLUG = "bench-mobility"
CHOICES = ["bus", "car", "never_bus", "bike", "walk"]


def _label(text):
    return {"fr": text, "it": text, "en": text}


def questionnaire_with_questions(project):
    from questionnaires.models import Question, Questionnaire, QuestionPage

    Questionnaire.objects.filter(project=project, slug=SLUG).delete()
    questionnaire = Questionnaire.objects.create(
        project=project, slug=SLUG, title=_label("Mobility"), published=True
    )
    page = QuestionPage.objects.create(questionnaire=questionnaire, position=0)
    specs = [
        (
            "travel",
            "single_choice",
            {"choices": [{"value": v, "label": _label(v)} for v in CHOICES]},
        ),
        ("satisfaction", "scale", {"personal": True}),
        ("trips", "number", {}),
        ("modes", "multi_choice", {"choices": [{"value": v, "label": _label(v)} for v in CHOICES]}),
        ("unsafe", "map_point", {}),
        ("route", "map_line", {}),
        ("protect", "map_area", {}),
    ]
    for position, (code, kind, extra) in enumerate(specs):
        Question.objects.create(
            questionnaire=questionnaire,
            page=page,
            position=position,
            code=code,
            kind=kind,
            text=_label(code),
            **extra,
        )
    return questionnaire


def generate(questionnaire, count: int) -> float:
    """The responses and their answers, by set-based INSERTs (seconds taken)."""
    from django.db import connection, transaction

    q = {question.code: question.pk for question in questionnaire.questions.all()}
    project = questionnaire.project
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO questionnaires_response (id, questionnaire_id, project_id, participant,
                client_key, channel, language, submitted_at)
            SELECT gen_random_uuid(), %s, %s, '', 'bench:' || g,
                   CASE WHEN g %% 10 = 0 THEN 'paper' ELSE 'online' END, 'fr',
                   now() - make_interval(secs => g)
            FROM generate_series(1, %s) g
            """,
            [questionnaire.pk, project.pk, count],
        )
        choices = "ARRAY[" + ", ".join(f"'{c}'" for c in CHOICES) + "]"
        values = {
            "travel": f"to_jsonb(({choices})[1 + h %% 5])",
            "satisfaction": "to_jsonb(1 + h %% 5)",
            "trips": "to_jsonb(h %% 40)",
            "modes": f"jsonb_build_array(({choices})[1 + h %% 5], ({choices})[1 + (h / 5) %% 5])",
        }
        for code, value in values.items():
            cursor.execute(
                f"""
                INSERT INTO questionnaires_answer (response_id, question_id, project_id, value)
                SELECT r.id, %s, %s, {value}
                FROM (SELECT id, abs(hashtext(id::text)) AS h FROM questionnaires_response
                      WHERE questionnaire_id = %s) r
                """,
                [q[code], project.pk, questionnaire.pk],
            )
        # Random places inside the perimeter, one per response, shared by its three answers:
        # the point itself, a line of about 300 m from it, a square of about 100 m around it.
        cursor.execute(
            """
            CREATE TEMPORARY TABLE bench_places ON COMMIT DROP AS
            SELECT row_number() OVER () AS n, d.geom AS p
            FROM territories_territory t, ST_Dump(ST_GeneratePoints(t.geom, %s, 27)) d
            WHERE t.id = %s
            """,
            [count, project.perimeter_id],
        )
        cursor.execute(
            """
            CREATE TEMPORARY TABLE bench_responses ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) AS n, id FROM questionnaires_response
            WHERE questionnaire_id = %s
            """,
            [questionnaire.pk],
        )
        for code, shape in (
            ("unsafe", "pl.p"),
            ("route", "ST_MakeLine(pl.p, ST_Translate(pl.p, 0.003, 0.001))"),
            ("protect", "ST_Expand(pl.p, 0.0006)"),
        ):
            cursor.execute(
                f"""
                INSERT INTO questionnaires_mapanswer (response_id, question_id, project_id,
                    geometry, comment, commune_id, position)
                SELECT r.id, %s, %s, ST_SetSRID({shape}, 4326), '',
                       territories_attribute(pl.p, 'commune', %s, 5000), 0
                FROM bench_responses r JOIN bench_places pl ON pl.n = r.n
                """,
                [q[code], project.pk, project.perimeter_id],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE questionnaires_response")
        cursor.execute("ANALYZE questionnaires_answer")
        cursor.execute("ANALYZE questionnaires_mapanswer")
    return time.perf_counter() - started


def reference_export(questionnaire, path: Path, env, source) -> None:
    """ogr2ogr by hand: the same SELECTs, one run per layer into one GeoPackage."""
    from layers.exports.questionnaire_files import map_questions
    from layers.exports.questionnaire_sql import answers_sql, layer_name, map_answers_sql

    layers = [
        (layer_name(q), map_answers_sql(q, public=False)) for q in map_questions(questionnaire)
    ]
    layers.append(("answers", answers_sql(questionnaire)))
    for index, (name, sql) in enumerate(layers):
        command = ["ogr2ogr", "-f", "GPKG", *(["-update"] if index else [])]
        command += ["-s_srs", "EPSG:4326", "-t_srs", "EPSG:2154", "-nln", name]
        command += [str(path), source, "-sql", sql]
        subprocess.run(command, check=True, env=env, capture_output=True)


def raw_count(questionnaire):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT question_id, count(*) FROM questionnaires_answer a "
            "JOIN questionnaires_question q ON q.id = a.question_id "
            "WHERE q.questionnaire_id = %s GROUP BY 1",
            [questionnaire.pk],
        )
        answers = cursor.fetchall()
        cursor.execute(
            "SELECT question_id, count(*) FROM questionnaires_mapanswer m "
            "JOIN questionnaires_question q ON q.id = m.question_id "
            "WHERE q.questionnaire_id = %s GROUP BY 1",
            [questionnaire.pk],
        )
        return answers + cursor.fetchall()


def main():
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    django_on_bench_database()
    from contributions.models import Project
    from layers.exports.ogr2ogr import pg_source
    from layers.exports.questionnaire_files import export_questionnaire
    from mapping.demo import load_demo
    from questionnaires import results

    project = Project.objects.filter(slug="piter-alpimed").first() or load_demo(count=0)
    project = Project.objects.select_related("perimeter").get(pk=project.pk)
    questionnaire = questionnaire_with_questions(project)
    generated = generate(questionnaire, args.responses)
    source, pg_env = pg_source()
    env = {**os.environ, **pg_env}
    runs = {"export": [], "ogr2ogr": [], "summary": [], "count": []}
    try:
        with tempfile.TemporaryDirectory() as scratch:
            for _ in range(args.rounds):
                started = time.perf_counter()
                export_questionnaire(
                    questionnaire=questionnaire,
                    fmt="gpkg",
                    srid=2154,
                    output=Path(scratch) / "ours",
                    public=False,
                    overwrite=True,
                )
                runs["export"].append(time.perf_counter() - started)
                theirs = Path(scratch) / "theirs.gpkg"
                theirs.unlink(missing_ok=True)
                started = time.perf_counter()
                reference_export(questionnaire, theirs, env, source)
                runs["ogr2ogr"].append(time.perf_counter() - started)
                started = time.perf_counter()
                results.question_summaries(questionnaire, "fr")
                results.commune_rates(questionnaire)
                runs["summary"].append(time.perf_counter() - started)
                started = time.perf_counter()
                raw_count(questionnaire)
                runs["count"].append(time.perf_counter() - started)
    finally:
        if not args.keep:
            questionnaire.delete()
    medians = {name: statistics.median(values) for name, values in runs.items()}
    print(f"machine: {machine()}")
    print(
        f"{args.responses:,} responses, {3 * args.responses:,} map answers, "
        f"{4 * args.responses:,} other answers (generated in {generated:.1f} s by SQL)"
    )
    print(f"{args.rounds} rounds, medians")
    print("| measure | ours (s) | reference (s) | ratio |")
    print("|---|---|---|---|")
    print(
        f"| staff GeoPackage export vs ogr2ogr on the same SQL | {medians['export']:.2f} "
        f"| {medians['ogr2ogr']:.2f} | {medians['export'] / medians['ogr2ogr']:.2f}x |"
    )
    print(
        f"| summaries + commune rates vs raw SQL count | {medians['summary']:.2f} "
        f"| {medians['count']:.2f} | {medians['summary'] / medians['count']:.2f}x |"
    )
    emit(args, {**medians, "responses": args.responses, "generate_s": generated})


if __name__ == "__main__":
    main()
