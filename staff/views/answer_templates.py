"""Answer templates: the project's ready-made answers, listed to all, edited by managers.
Editing goes through the list page (`?edit=<id>`); deleting asks first, on a page of its own
that works without JavaScript."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from staff.access import page_context, workspace
from staff.answer_forms import AnswerTemplateForm
from staff.models import AnswerTemplate
from staff.services import answer_templates as template_services


def _template_or_404(project, template_id):
    try:
        return AnswerTemplate.objects.get(project=project, pk=int(template_id))
    except (AnswerTemplate.DoesNotExist, TypeError, ValueError) as error:
        raise Http404 from error


@require_http_methods(["GET", "POST"])
@workspace("view")
def answer_templates(request, project):
    # The template being edited, if any: `?edit=<id>` shows its form, the POST names it again.
    edited_id = request.POST.get("template_id") or request.GET.get("edit")
    edited = None
    if edited_id:
        if "templates" not in request.can:
            raise Http404
        edited = _template_or_404(project, edited_id)
    form = AnswerTemplateForm(request.POST or None, project=project, template=edited)
    if request.method == "POST":
        if "templates" not in request.can:
            raise Http404
        if form.is_valid():
            try:
                template_services.save_answer_template(
                    actor=request.user,
                    project=project,
                    template_id=edited.pk if edited else None,
                    name=form.cleaned_data["name"],
                    status=form.cleaned_data["status"],
                    texts=form.texts(),
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Answer template saved."))
                missing = form.missing_note()
                if missing:
                    messages.warning(request, missing)
                return redirect("staff:answer-templates", project.slug)
    return render(
        request,
        "staff/answer_templates.html",
        page_context(
            request,
            form=form,
            edited=edited,
            templates=AnswerTemplate.objects.filter(project=project).select_related("project"),
            languages_json=form.languages_json(),
        ),
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@workspace("templates")
def delete_answer_template(request, project, template_id):
    """GET asks for confirmation; POST (the confirmation's button) deletes."""
    template = _template_or_404(project, template_id)
    if request.method == "GET":
        return render(
            request,
            "staff/answer_template_delete.html",
            page_context(request, template=template),
        )
    try:
        template_services.delete_answer_template(
            actor=request.user, project=project, template_id=template.pk
        )
    except DomainError as error:
        raise Http404 from error
    messages.success(request, _("Answer template deleted."))
    return redirect("staff:answer-templates", project.slug)
