"""The API's vote endpoint: who may vote is the services' rule (docs/security.md)."""

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import services
from contributions.api_guards import require_csrf, visible_contribution
from contributions.participants import user_participant
from core import ratelimit


class VoteInput(serializers.Serializer):
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)


class VoteView(APIView):
    """A signed-in person's vote counts at once. Without an account, where the project takes
    email votes, an `email` gets a confirmation link (202): the vote counts once it is opened
    and confirmed. A browser session alone never votes (docs/security.md)."""

    @extend_schema(request=VoteInput, responses=OpenApiTypes.OBJECT)
    def post(self, request, slug, pk):
        ratelimit.check(request, "vote")
        require_csrf(request)
        contribution = visible_contribution(slug, pk)
        if not request.user.is_authenticated:
            data = VoteInput(data=request.data)
            data.is_valid(raise_exception=True)
            services.request_email_vote(
                contribution=contribution,
                email=data.validated_data.get("email", ""),
                language=(get_language() or "")[:8],
            )
            return Response(
                {"voted": False, "confirmation_sent": True, "vote_count": contribution.vote_count},
                status=status.HTTP_202_ACCEPTED,
            )
        added = services.vote(
            contribution=contribution,
            participant=user_participant(request.user),
            user=request.user,
        )
        contribution.refresh_from_db(fields=["vote_count"])
        return Response(
            {"voted": True, "vote_count": contribution.vote_count},
            status=status.HTTP_201_CREATED if added else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def delete(self, request, slug, pk):
        ratelimit.check(request, "unvote")
        require_csrf(request)
        contribution = visible_contribution(slug, pk)
        participant = user_participant(request.user) if request.user.is_authenticated else None
        services.unvote(contribution=contribution, participant=participant)
        contribution.refresh_from_db(fields=["vote_count"])
        return Response({"voted": False, "vote_count": contribution.vote_count})
