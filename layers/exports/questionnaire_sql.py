"""The SELECTs a questionnaire's exports and OGC collections read: one per map question (its
map answers, one row each, with the respondent's choice answers beside them for
cross-tabulations) and one for the non-map answers (one row per response, keyed by the
pseudonymous response id).

Why raw SQL: ogr2ogr writes the files straight from PostgreSQL (100,000 responses are one
pass, no Python per row), and it cannot bind parameters, so every value is rendered as a
psycopg literal (layers.exports.sql._literal); identifiers are question codes (slugs),
quoted by the connection.

Public variants (docs/questionnaire_results.md): individual responses are never public, so a public
map layer holds only the map answers themselves, each at a generalised place (the project's
location rules, applied by the database's own privacy_public_location, or a grid of
PUBLIC_GRID_M metres when the project has none), with the commune of that place, and nothing
that ties two answers to one response: no response id, no comment, no date, no other answer.
"""

from django.db import connection

from core.postgis import METRIC_SRID, STORAGE_SRID
from layers.exports.sql import _literal, spreadsheet_safe
from questionnaires.models import CHOICE_KINDS, Kind

# Where a project has no location rule, public map answers are snapped to this grid.
PUBLIC_GRID_M = 250
# The map answers' fixed columns; a choice column whose code is one of them gets a suffix.
FIXED_COLUMNS = (
    "id",
    "response_id",
    "question",
    "comment",
    "commune_code",
    "commune_name",
    "channel",
    "submitted",
    "position",
    "geom",
)
ANSWER_COLUMNS = ("response_id", "channel", "language", "submitted", "commune_code")
OGR_GEOMETRY = {
    Kind.MAP_POINT: "wkbPoint",
    Kind.MAP_LINE: "wkbLineString",
    Kind.MAP_AREA: "wkbPolygon",
}


def layer_name(question) -> str:
    """A map question's layer: `q_<code>`, its hyphens made underscores (SQL-friendly)."""
    return "q_" + question.code.replace("-", "_")


def column_name(code: str, taken=FIXED_COLUMNS) -> str:
    name = code.replace("-", "_")
    return f"{name}_answer" if name in taken else name


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _value_text(alias="a") -> str:
    """An answer's value as text: a multiple choice's values joined by `;`."""
    return (
        f"CASE jsonb_typeof({alias}.value) WHEN 'array' THEN (SELECT string_agg(x, ';') "  # noqa: S608
        f"FROM jsonb_array_elements_text({alias}.value) x) ELSE {alias}.value #>> '{{}}' END"
    )


def _typed_value(question, alias="a") -> str:
    if question.kind == Kind.SCALE:
        return f"({alias}.value #>> '{{}}')::integer"
    if question.kind == Kind.NUMBER:
        return f"({alias}.value #>> '{{}}')::float8"
    return _value_text(alias)


def _pivot(questions, response_sql: str, taken) -> tuple[str, str]:
    """(columns, LEFT JOIN LATERAL) giving one column per question, read from the answers of
    the response `response_sql`: one index probe per response, not a subquery per cell."""
    if not questions:
        return "", ""
    cells = ", ".join(
        f"max({_typed_value(q)}) FILTER (WHERE a.question_id = {int(q.pk)}) "
        f"AS {_quote(column_name(q.code, taken))}"
        for q in questions
    )
    columns = "".join(f"ans.{_quote(column_name(q.code, taken))}, " for q in questions)
    join = (
        f"LEFT JOIN LATERAL (SELECT {cells} FROM questionnaires_answer a "  # noqa: S608
        f"WHERE a.response_id = {response_sql}) ans ON true"
    )
    return columns, join


def location_rule(project) -> tuple | None:
    """The location rule public map answers follow: the project's rule for any kind and any
    theme, else its coarsest one; None when it has none. (kind, theme_id) to pass to
    privacy_public_location, which then picks that very rule."""
    with connection.cursor() as cursor:
        # privacy's table, read here since layers and privacy do not import each other.
        cursor.execute(
            "SELECT kind, theme_id FROM privacy_locationrule WHERE project_id = %s "
            "ORDER BY (kind = '' AND theme_id IS NULL) DESC, precision_m DESC, id LIMIT 1",
            [project.pk],
        )
        return cursor.fetchone()


def public_geometry_sql(project, alias="m") -> str:
    """The generalised place of a map answer (`alias`.geometry), in STORAGE_SRID."""
    rule = location_rule(project)
    if rule is not None:
        kind, theme_id = rule
        # A key per map answer (never the response's, which would move all of its answers
        # alike), hashed with the database's secret by privacy_public_location.
        key = f"md5('questionnaire-map-answer:' || {alias}.id::text)::uuid"
        return (
            f"privacy_public_location({key}, {_literal(int(project.pk))}, {_literal(kind)}, "
            f"{_literal(theme_id)}::bigint, {alias}.geometry)"
        )
    grid = float(PUBLIC_GRID_M)
    metric = f"ST_Transform({alias}.geometry, {METRIC_SRID})"
    anchor = (
        f"CASE WHEN GeometryType({alias}.geometry) = 'POINT' THEN {metric} "
        f"ELSE ST_PointOnSurface({metric}) END"
    )
    return (
        f"ST_Transform(ST_Translate({metric}, "
        f"round(ST_X({anchor}) / {grid}) * {grid} - ST_X({anchor}), "
        f"round(ST_Y({anchor}) / {grid}) * {grid} - ST_Y({anchor})), {STORAGE_SRID})"
    )


# A public map answer's id: keyed with the database's secret location key (privacy), so it
# cannot be traced back to the stored id, whose order would tie answers of one response.
PUBLIC_ID_SQL = (
    "md5((SELECT key FROM contributions_location_key LIMIT 1) "
    "|| ':questionnaire-map-answer:' || m.id::text)"
)


def map_answers_sql(question, *, public: bool, csv: bool = False) -> str:
    """One row per map answer of `question`; geometry last (`geom`)."""
    questionnaire = question.questionnaire
    if public:
        place = public_geometry_sql(questionnaire.project)
        select = f"""
            SELECT {PUBLIC_ID_SQL} AS id,
                   q.code AS question,
                   t.code AS commune_code,
                   t.name AS commune_name,
                   p.geom
            FROM questionnaires_mapanswer m
            JOIN questionnaires_question q ON q.id = m.question_id
            JOIN questionnaires_questionnaire qn ON qn.id = q.questionnaire_id
            CROSS JOIN LATERAL (SELECT {place} AS geom) p
            LEFT JOIN territories_current_of t
                   ON t.id = privacy_commune_at(p.geom, qn.project_id)
            WHERE m.question_id = {_literal(int(question.pk))}
        """  # noqa: S608 - fixed fragments; every value is a psycopg literal
    else:
        choices = [q for q in questionnaire.ordered_questions() if q.kind in CHOICE_KINDS]
        columns, join = _pivot(choices, "m.response_id", FIXED_COLUMNS)
        select = f"""
            SELECT m.id AS id,
                   r.id::text AS response_id,
                   q.code AS question,
                   NULLIF(m.comment, '') AS comment,
                   t.code AS commune_code,
                   t.name AS commune_name,
                   r.channel,
                   (r.submitted_at AT TIME ZONE 'UTC')::date AS submitted,
                   m.position::integer AS position,
                   {columns}
                   m.geometry AS geom
            FROM questionnaires_mapanswer m
            JOIN questionnaires_question q ON q.id = m.question_id
            JOIN questionnaires_response r ON r.id = m.response_id
            LEFT JOIN territories_current_of t ON t.id = m.commune_id
            {join}
            WHERE m.question_id = {_literal(int(question.pk))}
        """  # noqa: S608 - fixed fragments; every value is a psycopg literal
    return spreadsheet_safe(select) if csv else select


def answers_sql(questionnaire, *, csv: bool = False) -> str:
    """One row per response: its id, channel, language, date and commune of residence, then
    one column per non-map question (named by its code: a multiple choice's values joined by
    `;`, a scale an integer, a number a float, a text as written). Staff only."""
    questions = [q for q in questionnaire.ordered_questions() if not q.is_map]
    columns, join = _pivot(questions, "r.id", ANSWER_COLUMNS)
    select = f"""
        SELECT r.id::text AS response_id,
               r.channel,
               NULLIF(r.language, '') AS language,
               (r.submitted_at AT TIME ZONE 'UTC')::date AS submitted,
               {columns}
               t.code AS commune_code
        FROM questionnaires_response r
        LEFT JOIN territories_current_of t ON t.id = r.commune_id
        {join}
        WHERE r.questionnaire_id = {_literal(int(questionnaire.pk))}
        ORDER BY r.submitted_at, r.id
    """  # noqa: S608 - fixed fragments; every value is a psycopg literal
    return spreadsheet_safe(select) if csv else select
