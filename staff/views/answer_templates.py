"""Answer templates: the project's ready-made answers, listed to all, edited by managers."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from staff.access import page_context, workspace
from staff.forms import AnswerTemplateForm
from staff.models import AnswerTemplate
from staff.services import answer_templates as template_services


@require_http_methods(["GET", "POST"])
@workspace("view")
def answer_templates(request, project):
    form = AnswerTemplateForm(request.POST or None)
    if request.method == "POST":
        if "templates" not in request.can:
            raise Http404
        if form.is_valid():
            try:
                template_services.save_answer_template(
                    actor=request.user, project=project, **form.cleaned_data
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Answer template saved."))
                return redirect("staff:answer-templates", project.slug)
    return render(
        request,
        "staff/answer_templates.html",
        page_context(request, form=form, templates=AnswerTemplate.objects.filter(project=project)),
        status=422 if form.errors else 200,
    )


@require_POST
@workspace("templates")
def delete_answer_template(request, project, template_id):
    try:
        template_services.delete_answer_template(
            actor=request.user, project=project, template_id=template_id
        )
    except DomainError as error:
        raise Http404 from error
    messages.success(request, _("Answer template deleted."))
    return redirect("staff:answer-templates", project.slug)
