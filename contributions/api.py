"""The contributions API: thin views over contributions.services and contributions.selectors."""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import figures, idempotency, selectors, services
from contributions.api_guards import require_csrf, visible_contribution
from contributions.filters import FilterQuery, filters_from
from contributions.geojson import MAX_BODY_BYTES, GeoJSONError, parse_feature
from contributions.models import (
    MAX_PHOTOS,
    Channel,
    CommentStatus,
    Kind,
    LocationPrecision,
    Project,
    Sentiment,
)
from contributions.participants import user_participant
from contributions.photo_urls import photo_base
from contributions.photos import PhotoError, process_photo
from contributions.query import MAX_OFFSET, read_query
from contributions.vocabulary import (
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from core import ratelimit
from core.errors import DomainError
from core.i18n import localized
from territories.selectors import territory_geojson

GEOJSON = "application/geo+json"
MAX_PAGE = 10_000


class RawGeoJSONParser(BaseParser):
    """Hands the raw body to the strict parser; refuses oversized bodies before reading them."""

    media_type = GEOJSON

    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > MAX_BODY_BYTES:
            raise DomainError(
                "body_too_large",
                _("The request body is larger than %(n)d bytes.") % {"n": MAX_BODY_BYTES},
                status=413,
            )
        return stream.read(MAX_BODY_BYTES + 1) if stream else b""


class RawJSONParser(RawGeoJSONParser):
    media_type = "application/json"


def geojson_response(body, *, status_code=200, headers=None):
    response = HttpResponse(body, status=status_code, content_type=GEOJSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# ---------------------------------------------------------------- projects


def project_json(project, request, *, with_perimeter=False):
    themes = [
        {"slug": t.slug, "name": localized(t.name), "colour": t.colour, "icon": t.icon}
        for t in project.themes.all()
    ]
    geometry_types = ["Point"]
    geometry_types += ["LineString"] if project.allow_lines else []
    geometry_types += ["Polygon"] if project.allow_polygons else []
    totals = figures.public_totals(project)
    data = {
        "slug": project.slug,
        "title": localized(project.title),
        "description": localized(project.description),
        "participation_level": project.participation_level,
        "promise": localized(project.promise),
        "kinds": project.kinds,
        "themes": themes,
        "geometry_types": geometry_types,
        "max_line_length_m": project.max_line_length_m if project.allow_lines else None,
        "max_polygon_area_m2": project.max_polygon_area_m2 if project.allow_polygons else None,
        "opens_at": project.opens_at,
        "closes_at": project.closes_at,
        "is_open": project.is_open(),
        "moderation": project.moderation,
        "allow_anonymous": project.allow_anonymous,
        "vote_identity": project.vote_identity,
        "target_contributions": project.target_contributions,
        "contribution_count": totals["public_contributions"],
        "vote_total": totals["votes"],
        "perimeter": {
            "slug": project.perimeter.slug,
            "name": project.perimeter.name,
            "tolerance_m": project.tolerance_m,
            "bbox": list(project.perimeter.geom.extent),
            "geojson": request.build_absolute_uri(
                reverse("territory-geojson", args=[project.perimeter.slug])
            ),
        },
        "contributions": request.build_absolute_uri(
            reverse("contribution-list", args=[project.slug])
        ),
    }
    if with_perimeter:
        data["perimeter"]["geometry"] = json.loads(
            territory_geojson(project.perimeter, simplify_m=50)
        )["geometry"]
    return data


class ProjectListView(APIView):
    @extend_schema(operation_id="projects_list", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        projects = Project.objects.select_related("perimeter").prefetch_related("themes")
        return Response([project_json(p, request) for p in projects])


class ProjectDetailView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, slug):
        project = get_object_or_404(Project.objects.select_related("perimeter"), slug=slug)
        return Response(project_json(project, request, with_perimeter=True))


# ----------------------------------------------------------- contributions


class ListQuery(FilterQuery):
    ordering = serializers.ChoiceField(choices=list(selectors.ORDERINGS), default="-created_at")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=100)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)


class ContributionListView(APIView):
    parser_classes = [RawGeoJSONParser, RawJSONParser, MultiPartParser]

    @extend_schema(
        operation_id="contributions_list",
        parameters=[ListQuery],
        responses={(200, GEOJSON): OpenApiTypes.OBJECT},
    )
    def get(self, request, slug):
        project = get_object_or_404(Project, slug=slug)
        q = read_query(request, ListQuery)
        filters = filters_from(q)
        features, matched, returned = selectors.feature_collection_page(
            project,
            filters,
            photo_base=photo_base(request),
            ordering=q["ordering"],
            limit=q["limit"],
            offset=q["offset"],
        )
        links = []
        if q["offset"] + returned < matched:
            params = request.query_params.copy()
            params["offset"] = q["offset"] + q["limit"]
            params["limit"] = q["limit"]
            href = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
            links.append({"rel": "next", "type": GEOJSON, "href": href})
        # The envelope around the database-built features: no parsing, no re-serialising.
        head = json.dumps(
            {
                "type": "FeatureCollection",
                "numberMatched": matched,
                "numberReturned": returned,
                "next": links[0]["href"] if links else None,
                "links": links,
            }
        )
        return geojson_response(f'{head[:-1]}, "features": {features}}}')

    @extend_schema(
        request={GEOJSON: OpenApiTypes.OBJECT, "multipart/form-data": OpenApiTypes.OBJECT},
        responses={(201, GEOJSON): OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request, slug):
        ratelimit.check(request, "contribution")
        project = get_object_or_404(Project.objects.select_related("perimeter"), slug=slug)
        body, uploads = self._body_and_photos(request)
        author = request.user if request.user.is_authenticated else None
        request_hash = idempotency.fingerprint(body, [(f.name, f.size) for f in uploads])

        def create():
            submission, profile = self._submission(body, uploads)
            # The profile answers go to privacy (contribution_submitted), in the same transaction.
            contribution = services.submit_contribution(
                project=project,
                submission=submission,
                author=author,
                profile=profile,
                request=request,
            )
            location = request.build_absolute_uri(
                reverse("contribution-detail", args=[project.slug, contribution.pk])
            )
            return geojson_response(
                selectors.feature(
                    contribution.pk, photo_base=photo_base(request), public_only=False
                ),
                status_code=status.HTTP_201_CREATED,
                headers={"Location": location},
            )

        # Keys are client-made UUIDs: anonymous clients (often without cookies) share a scope.
        scope = f"contributions:{project.pk}:{user_participant(author) if author else 'anonymous'}"
        return idempotency.run_once(request, scope=scope, request_hash=request_hash, run=create)

    def _body_and_photos(self, request):
        data = request.data
        if isinstance(data, bytes | str):
            return data, []
        feature = data.get("feature")
        if feature is None:
            raise DomainError(
                "malformed_geojson",
                _("Send the contribution as a GeoJSON Feature in a 'feature' form field."),
            )
        return feature, request.FILES.getlist("photos")

    def _submission(self, body, uploads):
        try:
            parsed = parse_feature(body)
        except GeoJSONError as error:
            raise DomainError(error.code, error.message, status=error.status) from None
        if len(uploads) > MAX_PHOTOS:
            raise DomainError(
                "too_many_photos",
                _("A contribution has at most %(n)d photos.") % {"n": MAX_PHOTOS},
            )
        photos = []
        for upload in uploads:
            try:
                photos.append(process_photo(upload, filename=upload.name))
            except PhotoError as error:
                raise DomainError(error.code, error.message, extra={"photo": upload.name}) from None
        properties = parsed.properties
        fields = PropertiesSerializer(data=properties)
        fields.is_valid(raise_exception=True)
        values = fields.validated_data
        profile = {
            "age_bracket": values.get("age_bracket", ""),
            "residence": values.get("residence", ""),
        }
        return services.Submission(
            kind=values["kind"],
            theme=values["theme"],
            title=values["title"],
            description=values.get("description", ""),
            sentiment=values.get("sentiment", ""),
            email=values.get("email", ""),
            geometry=parsed.geometry,
            photos=photos,
            language=(get_language() or "")[:8],
            consent=values.get("consent", False),
            location_precision=values["location_precision"],
        ), profile


class PropertiesSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    theme = serializers.SlugField(max_length=60)
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True
    )
    sentiment = serializers.ChoiceField(choices=Sentiment.choices, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.ONLINE)
    consent = serializers.BooleanField(required=False, default=False)
    # The map sends "commune" when the point is where its commune search put it and the
    # resident did not move it; clients that say nothing placed it themselves.
    location_precision = serializers.ChoiceField(
        choices=LocationPrecision.choices, default=LocationPrecision.EXACT
    )
    # Optional, opt-in profile questions (representativeness; docs/privacy.md). Privacy knows
    # the brackets and the communes and refuses an unknown one with the same error shape
    # (code "invalid", the field named).
    age_bracket = serializers.CharField(max_length=10, required=False)
    residence = serializers.RegexField(
        r"^[0-9A-Za-z]{1,12}$", required=False, help_text="commune of residence (code)"
    )


class ContributionDetailView(APIView):
    @extend_schema(responses={(200, GEOJSON): OpenApiTypes.OBJECT})
    def get(self, request, slug, pk):
        contribution = visible_contribution(slug, pk)
        return geojson_response(selectors.feature(contribution.pk, photo_base=photo_base(request)))


class CommentInput(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH)


class CommentListView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, slug, pk):
        contribution = visible_contribution(slug, pk)
        comments = contribution.comments.filter(status=CommentStatus.PUBLISHED)
        return Response(
            {
                "count": len(comments),
                "results": [
                    {"id": c.id, "body": c.body, "created_at": c.created_at} for c in comments
                ],
            }
        )

    @extend_schema(request=CommentInput, responses=OpenApiTypes.OBJECT)
    def post(self, request, slug, pk):
        ratelimit.check(request, "comment")
        require_csrf(request)
        contribution = visible_contribution(slug, pk)
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        author = request.user if request.user.is_authenticated else None
        comment = services.add_comment(
            contribution=contribution, body=data.validated_data["body"], author=author
        )
        return Response(
            {"id": comment.id, "body": comment.body, "status": comment.status},
            status=status.HTTP_201_CREATED,
        )
