"""A questionnaire's public answering page: the definition handed to the page as JSON
(json_script), so the page keeps working once loaded whatever the network does; the answers
go to the questionnaires API (questionnaires.api) through the page's outbox."""

from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.generic import TemplateView

from core.i18n import localized
from mapping import page_data
from questionnaires.models import (
    LONG_TEXT_MAX_LENGTH,
    MAP_COMMENT_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
)
from questionnaires.selectors import definition, published_questionnaire

# What the answering page's maps need of the project map's configuration.
MAP_KEYS = ("bbox", "basemap", "zoom")


def answering_config(questionnaire, request, *, mode="public", language=None):
    """The answering page's configuration (also the staff entry page's, in its own mode)."""
    project = questionnaire.project
    language = language or get_language()
    full = page_data.map_config(project, request)
    slug, qslug = project.slug, questionnaire.slug
    # One draft per questionnaire, person and device: on a shared computer, a person who
    # signs in does not find the answers of the one before.
    who = request.user.pk if request.user.is_authenticated else "anonymous"
    return {
        "mode": mode,
        "language": language,
        "definition": definition(questionnaire, language),
        "map": {
            **{key: full[key] for key in MAP_KEYS},
            "urls": {key: full["urls"][key] for key in ("perimeter", "checkLocation")},
        },
        "urls": {
            "responses": reverse("questionnaire-responses", args=[slug, qslug]),
            "project": reverse("project", args=[slug]),
        },
        "draftKey": f"questionnaire:{slug}:{qslug}:{who}",
        "limits": {
            "short": SHORT_TEXT_MAX_LENGTH,
            "long": LONG_TEXT_MAX_LENGTH,
            "comment": MAP_COMMENT_MAX_LENGTH,
        },
    }


@method_decorator(ensure_csrf_cookie, name="dispatch")
class QuestionnaireView(TemplateView):
    template_name = "mapping/questionnaire.html"

    def get_context_data(self, slug, qslug, **kwargs):
        questionnaire = published_questionnaire(slug, qslug)
        project = questionnaire.project
        signed_in = self.request.user.is_authenticated
        return {
            **super().get_context_data(**kwargs),
            "project": project,
            "questionnaire": questionnaire,
            "project_title": localized(project.title) or project.slug,
            "title": localized(questionnaire.title) or questionnaire.slug,
            "intro": localized(questionnaire.intro),
            "is_open": questionnaire.is_open(),
            "needs_sign_in": not signed_in and not questionnaire.anonymous_allowed,
            "config": answering_config(questionnaire, self.request),
        }
