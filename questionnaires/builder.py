"""Building a questionnaire (the staff workspace's builder): its settings, pages and
questions, their order, and publication. Every write is checked by the models' rules
(full_clean) and, for the order of questions, by the conditions that depend on it: a
condition always looks back at an earlier choice question, whatever is moved or deleted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, validated
from questionnaires.models import Question, Questionnaire, QuestionPage

INVALID = gettext_lazy("Some values are missing or not valid.")


@transaction.atomic
def save_questionnaire(*, project, questionnaire=None, **fields) -> Questionnaire:
    """Creates (with a first, empty page) or updates a questionnaire's settings: slug,
    title, intro, opens_at, closes_at, allow_anonymous."""
    created = questionnaire is None
    questionnaire = questionnaire or Questionnaire(project=project)
    for name, value in fields.items():
        setattr(questionnaire, name, value)
    taken = Questionnaire.objects.filter(project=project, slug=questionnaire.slug)
    if taken.exclude(pk=questionnaire.pk).exists():
        raise _taken("slug", _("Another questionnaire of this project has this short name."))
    validated(questionnaire, code="invalid", message=INVALID, status=422)
    questionnaire.save()
    if created:
        QuestionPage.objects.create(questionnaire=questionnaire, position=0)
    return questionnaire


@transaction.atomic
def set_published(*, questionnaire: Questionnaire, published: bool) -> Questionnaire:
    if published:
        if not questionnaire.questions.exists():
            raise DomainError(
                "empty_questionnaire",
                _("Add at least one question before publishing."),
                status=422,
            )
        if questionnaire.project.missing_languages(questionnaire.title) == list(
            questionnaire.project.languages
        ):
            raise DomainError(
                "title_required", _("Give the questionnaire a title first."), status=422
            )
    questionnaire.published = published
    questionnaire.save(update_fields=["published"])
    return questionnaire


@transaction.atomic
def add_page(*, questionnaire: Questionnaire, title: dict) -> QuestionPage:
    last = questionnaire.pages.aggregate(last=Max("position"))["last"]
    page = QuestionPage(
        questionnaire=questionnaire, position=0 if last is None else last + 1, title=title
    )
    validated(page, code="invalid", message=INVALID, status=422, exclude=["questionnaire"])
    page.save()
    return page


@transaction.atomic
def update_page(*, page: QuestionPage, title: dict) -> QuestionPage:
    page.title = title
    validated(page, code="invalid", message=INVALID, status=422, exclude=["questionnaire"])
    page.save(update_fields=["title"])
    return page


@transaction.atomic
def delete_page(*, page: QuestionPage) -> None:
    if page.questions.exists():
        raise DomainError(
            "page_not_empty",
            _("Move or delete the questions of this page first."),
            status=409,
        )
    questionnaire = page.questionnaire
    page.delete()
    _renumber(list(questionnaire.pages.order_by("position", "pk")))


@transaction.atomic
def move_page(*, page: QuestionPage, offset: int) -> None:
    pages = list(page.questionnaire.pages.order_by("position", "pk"))
    _move_in(pages, page, offset)
    _renumber(pages)
    _check_conditions(page.questionnaire)


@transaction.atomic
def save_question(*, questionnaire: Questionnaire, page: QuestionPage, question=None, **fields):
    """Creates a question at the end of its page, or updates one (moved to the end of
    another page when its page changes). `fields`: the model's fields (code, kind, text,
    help, required, personal, choices, scale_*, number_*, min_count, max_count,
    max_length_m, max_area_m2, inside_perimeter, condition)."""
    if page.questionnaire_id != questionnaire.pk:
        raise DomainError("unknown_page", _("This page is not in the questionnaire."), status=422)
    changes_kind = question is not None and fields.get("kind", question.kind) != question.kind
    if changes_kind and (question.answers.exists() or question.map_answers.exists()):
        raise DomainError(
            "question_has_answers",
            _("This question has answers: its type can no longer change."),
            status=409,
        )
    question = question or Question(questionnaire=questionnaire)
    if question.page_id != page.pk:
        last = page.questions.aggregate(last=Max("position"))["last"]
        question.position = 0 if last is None else last + 1
    question.page = page
    for name, value in fields.items():
        setattr(question, name, value)
    taken = questionnaire.questions.filter(code=question.code).exclude(pk=question.pk)
    if taken.exists():
        raise _taken("code", _("Another question of this questionnaire has this code."))
    validated(question, code="invalid", message=INVALID, status=422)
    question.save()
    _check_conditions(questionnaire)
    return question


@transaction.atomic
def move_question(*, question: Question, offset: int) -> None:
    """One step up or down in the answering order, crossing into the neighbouring page at
    the top or the bottom of its own."""
    questionnaire = question.questionnaire
    pages = list(questionnaire.pages.order_by("position", "pk"))
    siblings = list(question.page.questions.order_by("position", "pk"))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    target = index + offset
    if 0 <= target < len(siblings):
        _move_in(siblings, question, offset)
        _renumber(siblings)
    else:
        page_index = next(i for i, p in enumerate(pages) if p.pk == question.page_id)
        neighbour = page_index + (1 if offset > 0 else -1)
        if not 0 <= neighbour < len(pages):
            return
        others = list(pages[neighbour].questions.order_by("position", "pk"))
        others = [question, *others] if offset > 0 else [*others, question]
        question.page = pages[neighbour]
        question.save(update_fields=["page"])
        _renumber(others)
        _renumber([q for q in siblings if q.pk != question.pk])
    _check_conditions(questionnaire)


@transaction.atomic
def delete_question(*, question: Question) -> None:
    if question.answers.exists() or question.map_answers.exists():
        raise DomainError(
            "question_has_answers",
            _("This question has answers already; it cannot be deleted."),
            status=409,
        )
    dependent = [
        q.code
        for q in question.questionnaire.questions.exclude(pk=question.pk)
        if (q.condition or {}).get("question") == question.code
    ]
    if dependent:
        raise DomainError(
            "question_in_condition",
            _("Other questions are shown depending on this one: %(codes)s.")
            % {"codes": ", ".join(dependent)},
            status=409,
        )
    page = question.page
    question.delete()
    _renumber(list(page.questions.order_by("position", "pk")))


def _taken(field, sentence):
    return DomainError("taken", sentence, status=422, extra={"fields": {field: [sentence]}})


def _move_in(items, item, offset):
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))


def _renumber(items):
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


def _check_conditions(questionnaire):
    """Every condition still looks back at an earlier choice question and its choices."""
    for question in questionnaire.questions.select_related("page").filter(condition__isnull=False):
        try:
            question.clean()
        except ValidationError as error:
            raise DomainError(
                "broken_condition",
                _("The question %(code)s would depend on a later or changed question: %(why)s")
                % {"code": question.code, "why": " ".join(error.messages)},
                status=409,
                extra={"question": question.code},
            ) from None


QUESTION_FIELDS = (
    "code",
    "kind",
    "text",
    "help",
    "required",
    "personal",
    "choices",
    "scale_min",
    "scale_max",
    "scale_labels",
    "number_min",
    "number_max",
    "min_count",
    "max_count",
    "max_length_m",
    "max_area_m2",
    "inside_perimeter",
    "condition",
)


@transaction.atomic
def load_definition(*, project, definition: dict) -> tuple[bool, Questionnaire]:
    """A questionnaire from a definition file (the demo's): `slug`, `title`, `intro`,
    `allow_anonymous`, `published` and `pages`, each with a `title` and `questions` (the
    model's fields). Idempotent: an existing questionnaire of that slug is left as it is."""
    existing = Questionnaire.objects.filter(project=project, slug=definition["slug"]).first()
    if existing is not None:
        return False, existing
    questionnaire = save_questionnaire(
        project=project,
        slug=definition["slug"],
        title=definition["title"],
        intro=definition.get("intro", {}),
        allow_anonymous=definition.get("allow_anonymous", False),
    )
    first = questionnaire.pages.get()
    for index, spec in enumerate(definition["pages"]):
        title = spec.get("title", {})
        page = update_page(page=first, title=title) if index == 0 else None
        page = page or add_page(questionnaire=questionnaire, title=title)
        for question in spec["questions"]:
            unknown = set(question) - set(QUESTION_FIELDS)
            if unknown:
                raise ValueError(f"unknown question fields: {sorted(unknown)}")
            save_question(questionnaire=questionnaire, page=page, **question)
    if definition.get("published"):
        set_published(questionnaire=questionnaire, published=True)
    return True, questionnaire
