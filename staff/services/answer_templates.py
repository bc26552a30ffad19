"""Answer templates: the project's ready-made public answers, managed by its managers."""

from django.db import transaction
from django.utils.translation import gettext as _

from contributions.models import ANSWER_STATUSES, Project
from core.errors import DomainError, validated
from staff.models import AnswerTemplate
from staff.services.answers import answer_texts
from staff.services.audit import require


@transaction.atomic
def save_answer_template(
    *,
    actor,
    project: Project,
    name: str,
    texts: dict | None = None,
    text: str = "",
    status: str = "",
    template_id=None,
) -> AnswerTemplate:
    """Creates or edits a template: a text per project language (`texts`), or `text` in the
    main language. At least one language must have a text."""
    require(actor, project, "templates")
    texts = answer_texts(project, answers=texts, answer=text)
    if not texts:
        raise DomainError(
            "answer_required", _("Write the answer in at least one language."), status=422
        )
    if template_id is not None:
        template = AnswerTemplate.objects.filter(project=project, pk=template_id).first()
        if template is None:
            raise DomainError("not_found", _("No such answer template."), status=404)
    else:
        template = AnswerTemplate(project=project)
    template.name, template.texts, template.status = name.strip(), texts, status
    if status and status not in ANSWER_STATUSES:
        raise DomainError("unknown_status", _("Choose a status from the list."), status=422)
    validated(
        template,
        code="invalid",
        message=_("Some values are missing or not valid."),
        status=422,
        exclude=["project"],
    )
    template.save()
    return template


@transaction.atomic
def delete_answer_template(*, actor, project: Project, template_id) -> None:
    require(actor, project, "templates")
    deleted, _details = AnswerTemplate.objects.filter(project=project, pk=template_id).delete()
    if not deleted:
        raise DomainError("not_found", _("No such answer template."), status=404)
