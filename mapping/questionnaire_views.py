"""A questionnaire's public answering page: the definition handed to the page as JSON
(json_script, layers.questionnaire_page), so the page keeps working once loaded whatever the
network does; the answers go to the questionnaires API (questionnaires.api) through the
page's outbox."""

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.generic import TemplateView

from core.i18n import localized
from layers.questionnaire_page import answering_config
from questionnaires.selectors import published_questionnaire
from staff.permissions import can


@method_decorator(ensure_csrf_cookie, name="dispatch")
class QuestionnaireView(TemplateView):
    template_name = "mapping/questionnaire.html"

    def get_context_data(self, slug, qslug, **kwargs):
        questionnaire = published_questionnaire(slug, qslug)
        project = questionnaire.project
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "project": project,
            "questionnaire": questionnaire,
            "project_title": localized(project.title) or project.slug,
            "title": localized(questionnaire.title) or questionnaire.slug,
            "intro": localized(questionnaire.intro),
            "is_open": questionnaire.is_open(),
            "needs_sign_in": not user.is_authenticated and not questionnaire.anonymous_allowed,
            "config": answering_config(questionnaire, user=user),
            # Staff who enter paper answers find their form from the public one.
            "staff_entry": user.is_authenticated and can(user, project, "record"),
        }
