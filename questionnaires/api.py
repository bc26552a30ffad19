"""The questionnaires API: a published questionnaire's definition, and answering it. Thin
views over questionnaires.selectors and questionnaires.services; no endpoint lists
responses (individual responses are never public)."""

import json

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions.api import RawJSONParser
from contributions.geojson import MAX_BODY_BYTES
from core import ratelimit
from core.errors import DomainError
from questionnaires import selectors, services


class QuestionnaireView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("language", str, description="fr, it or en")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, slug, qslug):
        questionnaire = selectors.published_questionnaire(slug, qslug)
        language = request.query_params.get("language") or get_language()
        return Response(selectors.definition(questionnaire, language))


class ResponseCreateView(APIView):
    parser_classes = [RawJSONParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, slug, qslug):
        ratelimit.check(request, "questionnaire_response")
        questionnaire = selectors.published_questionnaire(slug, qslug)
        body = _decode(request.data)
        user = request.user if request.user.is_authenticated else None
        language = body.get("language") or get_language() or ""
        # "it-IT" from a browser's navigator.language is Italian.
        language = language.split("-")[0].lower() if isinstance(language, str) else ""
        response, created = services.submit_response(
            questionnaire=questionnaire,
            answers=body.get("answers", {}),
            client_key=body.get("client_key"),
            user=user,
            language=language,
        )
        return Response(
            {"id": str(response.pk), "created": created},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _decode(raw) -> dict:
    """The JSON body as an object, or a DomainError (400)."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if not isinstance(raw, bytes) or len(raw) > MAX_BODY_BYTES:
        raise DomainError(
            "body_too_large",
            _("The request body is larger than %(n)d bytes.") % {"n": MAX_BODY_BYTES},
            status=413,
        )
    try:
        body = json.loads(raw.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        raise DomainError(
            "malformed_json",
            _("Send the response as a JSON object with “client_key”, “language” and “answers”."),
        )
    return body


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")
