"""The questionnaires a project's page invites residents to answer: published and open now,
each with its title in the reader's language."""

from django import template
from django.utils.translation import get_language

from questionnaires.models import Questionnaire

register = template.Library()


@register.simple_tag
def open_questionnaires(project):
    """[(questionnaire, its title as Project.answer_in gives it)], oldest first."""
    published = Questionnaire.objects.published().filter(project=project).order_by("created_at")
    return [
        (questionnaire, project.answer_in(questionnaire.title, language=get_language()))
        for questionnaire in published
        if questionnaire.is_open()
    ]
