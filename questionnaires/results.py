"""The results of a questionnaire: per-question summaries, per-commune response rates and the
cross-tabulation of a map question by a choice question. Every figure here has its one
definition in this module (listed in docs/figures.md); the staff pages, the exports and the
diagnostic read them from here.

Why raw SQL: a questionnaire may hold 100,000 responses and 300,000 map answers; each figure
is one GROUP BY in PostgreSQL over the answers of the questionnaire (bound parameters, fixed
fragments), so nothing loads a row per answer into Python.

Small groups: where a question is `personal`, no count under MIN_GROUP is ever shown. A
choice given by fewer than MIN_GROUP people is pooled with the other small ones as `other`
when that pool reaches MIN_GROUP, else only flagged (`suppressed`), as the participants'
profile answers are (privacy.selectors.profile_aggregates); a mean or a median is shown only
over MIN_GROUP answers or more; in a cross-tabulation, a group of fewer than MIN_GROUP
respondents is left out.
"""

from dataclasses import dataclass, field

from django.db import connection

from core.i18n import localized
from questionnaires.models import CHOICE_KINDS, MAP_KINDS, Kind

MIN_GROUP = 5
PER = 1000  # response rates are given per 1,000 inhabitants, as the diagnostic's rates are

NUMERIC_KINDS = (Kind.SCALE, Kind.NUMBER)

# One value per row: a multiple choice's list unnested, a single choice as itself.
_VALUES_SQL = (
    "jsonb_array_elements_text(CASE jsonb_typeof(a.value::jsonb) WHEN 'array' "
    "THEN a.value::jsonb ELSE jsonb_build_array(a.value::jsonb) END)"
)

# The commune a response counts in: the commune of residence it gives, else the commune of
# its first map answer (in the questionnaire's order: page, question, answer), else none.
# The first map answers of all responses at once (DISTINCT ON, one sort), not a subquery each.
RESPONSE_COMMUNE_SQL = """
    WITH first_place AS (
        SELECT DISTINCT ON (m.response_id) m.response_id, m.commune_id
        FROM questionnaires_mapanswer m
        JOIN questionnaires_question mq ON mq.id = m.question_id
        JOIN questionnaires_questionpage pg ON pg.id = mq.page_id
        WHERE mq.questionnaire_id = %(questionnaire)s AND m.commune_id IS NOT NULL
        ORDER BY m.response_id, pg.position, mq.position, m.position
    )
    SELECT r.id, coalesce(r.commune_id, f.commune_id) AS commune_id
    FROM questionnaires_response r
    LEFT JOIN first_place f ON f.response_id = r.id
    WHERE r.questionnaire_id = %(questionnaire)s
"""


@dataclass
class QuestionSummary:
    code: str
    kind: str
    text: str
    personal: bool
    # Responses that answered it (for a map question: with at least one map answer).
    answered: int | None
    share: float | None = None  # answered out of the responses, 0 to 1
    choices: list[dict] = field(default_factory=list)
    other: int | None = None  # small choices pooled (personal questions)
    suppressed: bool = False
    mean: float | None = None
    median: float | None = None
    map_answers: int | None = None  # map questions: how many shapes were drawn

    def as_dict(self) -> dict:
        return dict(vars(self))


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def response_count(questionnaire) -> int:
    """Responses: every stored response of the questionnaire (online, assisted, paper,
    imported), each once."""
    sql = "SELECT count(*) FROM questionnaires_response WHERE questionnaire_id = %s"
    return int(_rows(sql, [questionnaire.pk])[0][0])


def responses_by_channel(questionnaire) -> dict[str, int]:
    """Responses per channel (online, assisted, paper, imported...): each response once, in
    the channel it was stored with; the counts add up to response_count."""
    sql = """
        SELECT channel, count(*) FROM questionnaires_response
        WHERE questionnaire_id = %s GROUP BY 1 ORDER BY 2 DESC, 1
    """
    return {channel: int(n) for channel, n in _rows(sql, [questionnaire.pk])}


def _answered(questionnaire) -> dict:
    # Non-map questions: one Answer row per response and question.
    sql = """
        SELECT a.question_id, count(*) FROM questionnaires_answer a
        JOIN questionnaires_question q ON q.id = a.question_id
        WHERE q.questionnaire_id = %s GROUP BY 1
    """
    counts = dict(_rows(sql, [questionnaire.pk]))
    # Map questions: responses with at least one map answer, and the map answers themselves.
    sql = """
        SELECT m.question_id, count(DISTINCT m.response_id), count(*)
        FROM questionnaires_mapanswer m
        JOIN questionnaires_question q ON q.id = m.question_id
        WHERE q.questionnaire_id = %s GROUP BY 1
    """
    shapes = {}
    for question_id, responses, drawn in _rows(sql, [questionnaire.pk]):
        counts[question_id] = responses
        shapes[question_id] = drawn
    return counts, shapes


def _distributions(questionnaire) -> dict:
    # count(*): one answer per response and question, and a multiple choice's values are
    # distinct (questionnaires.validation), so each row is one respondent.
    sql = f"""
        SELECT a.question_id, v.value, count(*)
        FROM questionnaires_answer a
        JOIN questionnaires_question q ON q.id = a.question_id
        CROSS JOIN LATERAL {_VALUES_SQL} v(value)
        WHERE q.questionnaire_id = %s AND q.kind = ANY(%s) GROUP BY 1, 2
    """  # noqa: S608 - fixed fragments; values are parameters
    result: dict = {}
    for question_id, value, n in _rows(sql, [questionnaire.pk, list(map(str, CHOICE_KINDS))]):
        result.setdefault(question_id, {})[value] = n
    return result


def _numeric(questionnaire) -> dict:
    sql = """
        SELECT a.question_id, avg((a.value::jsonb #>> '{}')::float8),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY (a.value::jsonb #>> '{}')::float8)
        FROM questionnaires_answer a
        JOIN questionnaires_question q ON q.id = a.question_id
        WHERE q.questionnaire_id = %s AND q.kind = ANY(%s)
          AND jsonb_typeof(a.value::jsonb) = 'number'
        GROUP BY 1
    """
    return {
        question_id: (mean, median)
        for question_id, mean, median in _rows(
            sql, [questionnaire.pk, list(map(str, NUMERIC_KINDS))]
        )
    }


def choice_label(question, value, language=None) -> str:
    for choice in question.choices or []:
        if choice.get("value") == value:
            return localized(
                choice.get("label"), language, question.questionnaire.project.answer_order
            )
    return str(value)


def question_summaries(questionnaire, language=None) -> list[QuestionSummary]:
    """Per question, in the questionnaire's order: answered (responses that answered it;
    for a map question, those with at least one map answer) and its share of the responses;
    for a choice question, each choice's respondents and share of those who answered (a
    multiple choice's shares may add up to more than 1); for a scale or a number, the mean
    and the median; for a map question, the map answers drawn. Personal questions follow the
    small-group rule of the module's docstring."""
    total = response_count(questionnaire)
    answered, shapes = _answered(questionnaire)
    distributions = _distributions(questionnaire)
    numeric = _numeric(questionnaire)
    order = questionnaire.project.answer_order
    result = []
    questions = questionnaire.questions.select_related("page").order_by(
        "page__position", "position"
    )
    for question in questions:
        n = answered.get(question.pk, 0)
        summary = QuestionSummary(
            code=question.code,
            kind=question.kind,
            text=localized(question.text, language, order),
            personal=question.personal,
            answered=n,
            share=round(n / total, 4) if total else None,
        )
        if question.kind in CHOICE_KINDS:
            _choices(summary, question, distributions.get(question.pk, {}), language)
        elif question.kind in NUMERIC_KINDS and question.pk in numeric:
            mean, median = numeric[question.pk]
            summary.mean = round(float(mean), 2) if mean is not None else None
            summary.median = round(float(median), 2) if median is not None else None
        elif question.kind in MAP_KINDS:
            summary.map_answers = shapes.get(question.pk, 0)
        if question.personal and 0 < n < MIN_GROUP:
            summary.answered = summary.share = summary.mean = summary.median = None
            summary.map_answers = None
            summary.choices, summary.other, summary.suppressed = [], None, True
        result.append(summary)
    return result


def _choices(summary, question, counts: dict, language) -> None:
    order = question.questionnaire.project.answer_order
    declared = [choice.get("value") for choice in question.choices or []]
    labels = {
        choice.get("value"): localized(choice.get("label"), language, order)
        for choice in question.choices or []
    }
    small = 0
    for value in [*declared, *sorted(set(counts) - set(declared))]:
        n = counts.get(value, 0)
        if question.personal and 0 < n < MIN_GROUP:
            small += n
            continue
        summary.choices.append(
            {
                "value": value,
                "label": labels.get(value, str(value)),
                "count": n,
                "share": round(n / summary.answered, 4) if summary.answered else None,
            }
        )
    if small:
        summary.suppressed = True
        summary.other = small if small >= MIN_GROUP else None


def commune_rates(questionnaire) -> list[dict]:
    """Per commune of the perimeter: responses (counted in the commune of RESPONSE_COMMUNE_SQL),
    population and its year (the communes' own, the figures the diagnostic's rates use) and
    the response rate per 1,000 inhabitants (responses / population × 1,000; none without a
    population); the communes in code order, then `None` for responses of no known commune."""
    project = questionnaire.project
    sql = f"""
        SELECT t.code, count(*)
        FROM ({RESPONSE_COMMUNE_SQL}) r
        JOIN territories_current_of t ON t.id = r.commune_id
        GROUP BY 1
    """  # noqa: S608 - fixed fragments; values are parameters
    counts = dict(_rows(sql, {"questionnaire": questionnaire.pk}))
    members = _rows(
        """
        SELECT t.code, t.name, t.population, t.population_year
        FROM territories_territory t
        JOIN territories_territory_members m ON m.to_territory_id = t.id
        WHERE m.from_territory_id = %s ORDER BY t.code
        """,
        [project.perimeter_id],
    )
    rows = []
    for code, name, population, year in members:
        n = counts.pop(code, 0)
        rows.append(
            {
                "code": code,
                "name": name,
                "responses": n,
                "population": population,
                "population_year": year if population else None,
                "per_1000": round(n / population * PER, 3) if population else None,
            }
        )
    unknown = response_count(questionnaire) - sum(row["responses"] for row in rows)
    rows.append(
        {
            "code": None,
            "name": None,
            "responses": unknown,
            "population": None,
            "population_year": None,
            "per_1000": None,
        }
    )
    return rows


def cross_tab(questionnaire, map_code: str, choice_code: str, language=None) -> dict:
    """The map answers of `map_code` split by the respondent's answer to the choice question
    `choice_code` ("where do people who answered 'never by bus' live?"): per choice value,
    the respondents who chose it and drew at least one answer, their map answers, and those
    per commune (the commune the map answer lies in). A respondent who chose several values
    of a multiple choice counts in each. Where either question is personal, a group of fewer
    than MIN_GROUP respondents is left out, and so is a commune where fewer than MIN_GROUP of
    a group drew (`suppressed` says that it happened, never what)."""
    questions = {
        q.code: q for q in questionnaire.questions.filter(code__in=[map_code, choice_code])
    }
    map_question, choice_question = questions[map_code], questions[choice_code]
    personal = map_question.personal or choice_question.personal
    sql = f"""
        SELECT v.value, t.code, GROUPING(t.code), count(DISTINCT m.response_id), count(*)
        FROM questionnaires_mapanswer m
        JOIN questionnaires_answer a ON a.response_id = m.response_id AND a.question_id = %s
        CROSS JOIN LATERAL {_VALUES_SQL} v(value)
        LEFT JOIN territories_current_of t ON t.id = m.commune_id
        WHERE m.question_id = %s
        GROUP BY GROUPING SETS ((v.value, t.code), (v.value))
    """  # noqa: S608 - fixed fragments; values are parameters
    groups: dict = {}
    for value, code, is_total, respondents, drawn in _rows(
        sql, [choice_question.pk, map_question.pk]
    ):
        group = groups.setdefault(value, {"respondents": 0, "map_answers": 0, "communes": {}})
        if is_total:
            group["respondents"], group["map_answers"] = respondents, drawn
        elif personal and respondents < MIN_GROUP:
            # A commune where fewer than MIN_GROUP of the group drew: left out.
            group["small_communes"] = True
        else:
            # None: map answers outside every commune of the perimeter.
            group["communes"][code] = drawn
    result = {
        "map_question": map_question.code,
        "choice_question": choice_question.code,
        "min_group": MIN_GROUP,
        "groups": [],
        "suppressed": False,
    }
    declared = [choice.get("value") for choice in choice_question.choices or []]
    for value in [*declared, *sorted(set(groups) - set(declared))]:
        group = groups.get(value, {"respondents": 0, "map_answers": 0, "communes": {}})
        if personal and 0 < group["respondents"] < MIN_GROUP:
            result["suppressed"] = True
            continue
        if group.pop("small_communes", False):
            result["suppressed"] = True
        result["groups"].append(
            {"value": value, "label": choice_label(choice_question, value, language), **group}
        )
    return result
