"""The partner projects' API: the published ones as GeoJSON (apart from residents'
contributions: `kind: "partner_project"`, `proposed_by_partners: true`), and a resident's vote
on one. Thin views: the vote's rules (who, when, which values) are the services'
(contributions.services.partner_votes), the figures partner_figures'."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import partner_features, partner_figures
from contributions.api_guards import require_csrf
from contributions.models import Project
from contributions.participants import user_participant
from contributions.services.partner_votes import cast_partner_vote
from contributions.vocabulary import COMMENT_MAX_LENGTH
from core import ratelimit
from core.errors import DomainError

LANGUAGES = ("fr", "it", "en")
# A vote's value is a small integer (+1/-1, or 1 to 5); anything beyond is refused before it
# reaches the database's smallint.
VALUE_BOUND = 1000


def reader_language(request) -> str | None:
    """The `lang` query parameter, else the request's language (Accept-Language)."""
    wanted = request.GET.get("lang", "") or get_language() or ""
    wanted = wanted.split("-")[0] if isinstance(wanted, str) else ""
    return wanted if wanted in LANGUAGES else None


def figures_by_id(project) -> dict:
    """Each partner project's vote figures, by id, when the ranking is public; else {}."""
    if not partner_figures.ranking_is_public(project):
        return {}
    return {
        row.id: partner_features.public_figures(row)
        for row in partner_figures.partner_vote_results(project)
    }


def partner_project_of(slug, partner_id):
    """A published partner project, or the same 404 as for an id that never existed."""
    found = (
        partner_features.published_partner_projects(get_object_or_404(Project, slug=slug))
        .filter(pk=partner_id)
        .first()
    )
    if found is None:
        raise Http404(_("No such partner project."))
    return found


class PartnerProjectsQuery(serializers.Serializer):
    lang = serializers.ChoiceField(choices=LANGUAGES, required=False)


class PartnerProjectListView(APIView):
    @extend_schema(
        operation_id="partner_projects_list",
        parameters=[PartnerProjectsQuery],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
        description="The partner projects put to the residents' vote, as a FeatureCollection; "
        "each feature's `results` only once the ranking is public.",
    )
    def get(self, request, slug):
        project = get_object_or_404(Project, slug=slug)
        language = reader_language(request)
        rows = figures_by_id(project)
        features = [
            partner_features.feature(
                item,
                language=language,
                figures=rows.get(str(item.pk), {}) if rows else None,
                absolute=request.build_absolute_uri,
            )
            for item in partner_features.published_partner_projects(project)
        ]
        body = {
            "type": "FeatureCollection",
            "vote": {
                "mode": project.partner_vote_mode,
                "state": str(project.partner_vote_state()),
                "ranking_public": partner_figures.ranking_is_public(project),
            },
            "features": features,
        }
        return Response(body, content_type="application/geo+json")


class PartnerVoteInput(serializers.Serializer):
    value = serializers.IntegerField(
        help_text="for_against: 1 (for) or -1 (against); rating: 1 to 5"
    )
    comment = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    commune = serializers.RegexField(
        r"^[0-9A-Za-z]{1,12}$",
        required=False,
        allow_blank=True,
        default="",
        help_text="commune of residence (official code), optional",
    )


def vote_json(vote) -> dict:
    if vote is None:
        return {"voted": False, "value": None, "comment": "", "commune": None}
    return {
        "voted": True,
        "value": vote.value,
        "comment": vote.comment,
        "commune": vote.commune.code if vote.commune_id else None,
        "updated_at": vote.updated_at.isoformat(),
    }


class PartnerVoteView(APIView):
    """A signed-in person's vote on a partner project: POST or PUT casts it, or changes it
    while the vote is open (one vote per person, docs/security.md). A browser session alone
    never votes."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, slug, pk):
        partner_project = partner_project_of(slug, pk)
        return Response(vote_json(partner_features.vote_of(partner_project, request.user)))

    @extend_schema(request=PartnerVoteInput, responses=OpenApiTypes.OBJECT)
    def post(self, request, slug, pk):
        return self._cast(request, slug, pk)

    @extend_schema(request=PartnerVoteInput, responses=OpenApiTypes.OBJECT)
    def put(self, request, slug, pk):
        return self._cast(request, slug, pk)

    def _cast(self, request, slug, pk):
        ratelimit.check(request, "vote")
        require_csrf(request)
        partner_project = partner_project_of(slug, pk)
        data = PartnerVoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if abs(values["value"]) > VALUE_BOUND:
            raise DomainError(
                "invalid_vote_value", _("This vote is not one of the choices."), status=400
            )
        user = request.user if request.user.is_authenticated else None
        vote, created = cast_partner_vote(
            partner_project=partner_project,
            participant=user_participant(user) if user else None,
            user=user,
            value=values["value"],
            comment=values["comment"],
            commune=partner_features.commune_of(partner_project.project, values["commune"]),
        )
        return Response(
            {**vote_json(vote), "changed": not created},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
