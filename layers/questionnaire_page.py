"""What a questionnaire's answering page hands its script (json_script): the definition in
the page's language, the map every map question is answered on (the project map's bounds,
zoom range and basemap, its perimeter and its place check), where the answers go, and the
text limits. The public page (mapping) and staff entry (staff) read the same, each in its
own mode: "public" (screen by screen, a draft on the device, an outbox) or "staff" (every
question on one page, posted with the form)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from layers import basemap
from questionnaires.models import (
    LONG_TEXT_MAX_LENGTH,
    MAP_COMMENT_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
)
from questionnaires.selectors import definition


def _site_language(language) -> str:
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def answering_config(questionnaire, *, user, mode="public", language=None) -> dict:
    project = questionnaire.project
    language = _site_language(language)
    slug, qslug = project.slug, questionnaire.slug
    # One draft per questionnaire, person and device: on a shared computer, a person who
    # signs in does not find the answers of the one before.
    who = user.pk if user is not None and user.is_authenticated else "anonymous"
    return {
        "mode": mode,
        "language": language,
        "definition": definition(questionnaire, language),
        "map": {
            "bbox": list(project.perimeter.geom.extent),
            "basemap": basemap.client_config(language),
            "zoom": {
                "min": settings.LEAFLET_CONFIG.get("MIN_ZOOM", 0),
                "max": settings.LEAFLET_CONFIG.get("MAX_ZOOM", 19),
            },
            "urls": {
                "perimeter": reverse("territory-geojson", args=[project.perimeter.slug])
                + "?simplify=30",
                "checkLocation": reverse("check-location", args=[slug]),
            },
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
