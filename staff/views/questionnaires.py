"""The questionnaire builder (managers): the project's questionnaires, one questionnaire's
pages and questions with their order, a questionnaire's settings, a question's form, and
publication. Thin: the forms read the input, questionnaires.builder writes and refuses."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.i18n import language_name
from questionnaires import builder
from questionnaires.models import Kind, Question, Questionnaire, QuestionPage
from staff.access import page_context, workspace
from staff.models import Action, Target
from staff.questionnaire_forms import PageForm, QuestionForm, QuestionnaireForm
from staff.services.audit import audit_item

MOVES = {"up": -1, "down": 1}


def _questionnaire(project, questionnaire_id):
    return get_object_or_404(
        Questionnaire.objects.select_related("project"), project=project, pk=questionnaire_id
    )


@workspace("questionnaires")
def questionnaires(request, project):
    items = Questionnaire.objects.filter(project=project).annotate(
        question_count=Count("questions", distinct=True),
        response_count=Count("responses", distinct=True),
    )
    return render(request, "staff/questionnaires.html", page_context(request, questionnaires=items))


@require_http_methods(["GET", "POST"])
@workspace("questionnaires")
def questionnaire_settings(request, project, questionnaire_id=None):
    questionnaire = _questionnaire(project, questionnaire_id) if questionnaire_id else None
    form = QuestionnaireForm(request.POST or None, project=project, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = builder.save_questionnaire(
                    project=project, questionnaire=questionnaire, **form.values()
                )
                _audit(request.user, saved, created=questionnaire is None)
        except DomainError as error:
            _field_errors(form, error)
        else:
            messages.success(request, _("Questionnaire saved."))
            return redirect("staff:questionnaire", project.slug, saved.pk)
    return render(
        request,
        "staff/questionnaire_settings.html",
        page_context(request, questionnaire=questionnaire, form=form),
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@workspace("questionnaires")
def questionnaire(request, project, questionnaire_id):
    """The builder's overview; its forms add a page and publish or withdraw."""
    questionnaire = _questionnaire(project, questionnaire_id)
    page_form = PageForm(project=project)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add_page":
                page_form = PageForm(request.POST, project=project)
                if page_form.is_valid():
                    builder.add_page(questionnaire=questionnaire, title=page_form.texts("title"))
                    messages.success(request, _("Page added."))
                    return redirect("staff:questionnaire", project.slug, questionnaire.pk)
            elif action in ("publish", "withdraw"):
                with transaction.atomic():
                    builder.set_published(
                        questionnaire=questionnaire, published=action == "publish"
                    )
                    _audit(request.user, questionnaire, published=action == "publish")
                messages.success(
                    request,
                    _("Questionnaire published.") if action == "publish" else _("Withdrawn."),
                )
                return redirect("staff:questionnaire", project.slug, questionnaire.pk)
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as error:
            messages.error(request, error.message)
    pages = list(questionnaire.pages.order_by("position", "pk"))
    by_page = {page.pk: [] for page in pages}
    for question in questionnaire.ordered_questions().annotate(
        answer_count=Count("answers", distinct=True) + Count("map_answers", distinct=True)
    ):
        question.display_text = project.answer_in(question.text)
        question.missing = project.missing_languages(question.text)
        by_page[question.page_id].append(question)
    return render(
        request,
        "staff/questionnaire.html",
        page_context(
            request,
            questionnaire=questionnaire,
            pages=[(page, by_page[page.pk], _titles(project, page)) for page in pages],
            page_form=page_form,
            kinds=Kind.choices,
            response_count=questionnaire.responses.count(),
        ),
        status=422 if page_form.errors else 200,
    )


@require_POST
@workspace("questionnaires")
def page_action(request, project, questionnaire_id, page_id):
    questionnaire = _questionnaire(project, questionnaire_id)
    page = get_object_or_404(QuestionPage, questionnaire=questionnaire, pk=page_id)
    action = request.POST.get("action", "")
    try:
        if action in MOVES:
            builder.move_page(page=page, offset=MOVES[action])
        elif action == "delete":
            if request.POST.get("confirm") != "yes":
                title = _("Page %(n)d") % {"n": page.position + 1}
                return _confirm(request, questionnaire, _("Delete the page “%(what)s”?"), title)
            builder.delete_page(page=page)
            messages.success(request, _("Page deleted."))
        elif action == "rename":
            form = PageForm(request.POST, project=project, page=page)
            if form.is_valid():
                builder.update_page(page=page, title=form.texts("title"))
                messages.success(request, _("Page saved."))
            else:
                messages.error(request, _("Some values are missing or not valid."))
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("staff:questionnaire", project.slug, questionnaire.pk)


@require_POST
@workspace("questionnaires")
def question_action(request, project, questionnaire_id, question_id):
    questionnaire = _questionnaire(project, questionnaire_id)
    question = get_object_or_404(
        Question.objects.select_related("page"), questionnaire=questionnaire, pk=question_id
    )
    action = request.POST.get("action", "")
    try:
        if action in MOVES:
            builder.move_question(question=question, offset=MOVES[action])
        elif action == "delete":
            if request.POST.get("confirm") != "yes":
                what = _("Delete the question “%(what)s”?")
                return _confirm(request, questionnaire, what, question.code)
            builder.delete_question(question=question)
            messages.success(request, _("Question deleted."))
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("staff:questionnaire", project.slug, questionnaire.pk)


@require_http_methods(["GET", "POST"])
@workspace("questionnaires")
def question_form(request, project, questionnaire_id, question_id=None):
    questionnaire = _questionnaire(project, questionnaire_id)
    question = None
    if question_id is not None:
        question = get_object_or_404(
            Question.objects.select_related("page"), questionnaire=questionnaire, pk=question_id
        )
    kind = question.kind if question else request.GET.get("kind", "")
    if kind not in Kind.values:
        raise Http404
    questions = list(questionnaire.ordered_questions())
    earlier = [
        q
        for q in questions
        if q.is_choice and (question is None or q.sort_key() < question.sort_key())
    ]
    initial = None
    if question is None:
        page = request.GET.get("page", "")
        initial = {"page": int(page)} if page.isdigit() and len(page) < 10 else {}
    form = QuestionForm(
        request.POST or None,
        questionnaire=questionnaire,
        kind=kind,
        question=question,
        earlier=earlier,
        **({"initial": initial} if initial is not None else {}),
    )
    if request.method == "POST" and form.is_valid():
        page = questionnaire.pages.filter(pk=form.cleaned_data["page"]).first()
        try:
            if page is None:
                raise DomainError("unknown_page", _("This page is not in the questionnaire."))
            builder.save_question(
                questionnaire=questionnaire, page=page, question=question, **form.values()
            )
        except DomainError as error:
            _field_errors(form, error)
        else:
            messages.success(request, _("Question saved."))
            return redirect("staff:questionnaire", project.slug, questionnaire.pk)
    return render(
        request,
        "staff/questionnaire_question.html",
        page_context(
            request,
            questionnaire=questionnaire,
            question=question,
            form=form,
            kind_label=Kind(kind).label,
            kind=kind,
        ),
        status=422 if form.errors else 200,
    )


def _titles(project, page):
    """(language, its name, the page's title in it) for the page's rename form."""
    return [(code, language_name(code), page.title.get(code, "")) for code in project.languages]


def _confirm(request, questionnaire, sentence, what):
    """A deletion asks once more: on a tablet a tap lands where it was not meant to."""
    return render(
        request,
        "staff/questionnaire_confirm.html",
        page_context(request, questionnaire=questionnaire, sentence=sentence % {"what": what}),
    )


def _field_errors(form, error):
    """A service's refusal, under the fields it names (else above the form)."""
    fields = error.extra.get("fields") or {}
    placed = False
    for name, problems in fields.items():
        target = name if name in form.fields else _FIELD_OF.get(name)
        if target is None and f"{name}_{form.project.main_language}" in form.fields:
            target = f"{name}_{form.project.main_language}"  # a text: under the main language
        for problem in problems:
            form.add_error(target if target in form.fields else None, problem)
            placed = True
    if not placed:
        form.add_error(None, error.message)


# A model field whose error is shown under a form field of another name.
_FIELD_OF = {
    "condition": "condition_question",
    "max_area_m2": "max_area_ha",
}


def _audit(actor, questionnaire, **details):
    audit_item(
        actor=actor,
        project=questionnaire.project,
        action=Action.SURVEY,
        target_type=Target.SURVEY,
        target_id=None,
        title=questionnaire.project.answer_in(questionnaire.title),
        details={"questionnaire": questionnaire.pk, **details},
    )
