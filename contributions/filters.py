"""Which contributions a reader asks for: the filters, defined and parsed once.

Every reader (the API list and the list page, clusters and tiles, OGC API, Open311, open
data and exports, the staff workspace, the layer commands) turns its parameters into
ContributionFilters here, so the same question gets the same rows and the same error.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import serializers

from contributions.models import PUBLIC_STATUSES, Kind, Status
from contributions.query import read_params
from core.errors import DomainError


@dataclass
class ContributionFilters:
    # Placed in the box: the contribution's anchor (itself, or a point on a line or an area)
    # lies in it, the rule the map's clusters and tiles count by, so a viewport's list and
    # its clusters hold the same items.
    bbox: tuple[float, float, float, float] | None = None
    # Touching the box: any part of the shape intersects it (OGC API - Features' bbox, so a
    # GIS client draws a line crossing its view). Never set from the site's own parameters.
    touching: tuple[float, float, float, float] | None = None
    kinds: list[str] | None = None
    themes: list[str] | None = None
    statuses: list[str] | None = None  # within the public statuses, unless staff read
    commune: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    # Words the title or the description holds, each one, accents and case ignored (the
    # query string's `q`): how a resident finds their contribution again.
    text: str | None = None


# The longest search a reader may send: a few words, not a document.
SEARCH_MAX_LENGTH = 100


class CommaList(serializers.CharField):
    def to_internal_value(self, data):
        return [part.strip() for part in super().to_internal_value(data).split(",") if part]


class FilterQuery(serializers.Serializer):
    """The filters the list, the clusters and the tiles share, so map and list agree."""

    bbox = CommaList(required=False, help_text="minlon,minlat,maxlon,maxlat (WGS84)")
    kind = CommaList(required=False)
    theme = CommaList(required=False)
    status = CommaList(required=False)
    commune = serializers.CharField(required=False, max_length=32)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=SEARCH_MAX_LENGTH,
        help_text="words in the title or the description (accents and case ignored)",
        error_messages={
            # DRF fills in {max_length} when it refuses the value, in the reader's language.
            "max_length": _lazy("Search for at most {max_length} characters."),
        },
    )

    # Statuses a reader may ask for: the public ones (staff readers: every status).
    statuses = PUBLIC_STATUSES

    def validate_bbox(self, value):
        try:
            minx, miny, maxx, maxy = (float(v) for v in value)
        except ValueError:
            raise serializers.ValidationError(
                _("bbox is four numbers: minlon,minlat,maxlon,maxlat.")
            ) from None
        if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
            raise serializers.ValidationError(
                _("bbox must be minlon,minlat,maxlon,maxlat in WGS84, min before max.")
            )
        return (minx, miny, maxx, maxy)

    def validate_theme(self, value):
        # With the project known (OGC API), a theme it does not have is an error, not "none".
        project = self.context.get("project")
        if project is None:
            return value
        return self._within(value, list(project.themes.values_list("slug", flat=True)))

    def validate_commune(self, value):
        # With the project known, a commune outside its perimeter is an error, not "none".
        project = self.context.get("project")
        if project is None or project.perimeter.members.filter(code=value).exists():
            return value
        raise serializers.ValidationError(
            _("No commune with the code %(code)s in this project's perimeter.") % {"code": value}
        )

    def validate_kind(self, value):
        return self._within(value, Kind.values)

    def validate_status(self, value):
        return self._within(value, self.statuses)

    def _within(self, values, allowed):
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown value(s): %(unknown)s; use %(allowed)s.")
                % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
            )
        return values


class StaffFilterQuery(FilterQuery):
    """The list's filters, with every status (staff see hidden and awaiting ones too)."""

    statuses = Status.values


def filters_from(q) -> ContributionFilters:
    """ContributionFilters from a FilterQuery's validated values."""
    return ContributionFilters(
        bbox=q.get("bbox"),
        kinds=q.get("kind"),
        themes=q.get("theme"),
        statuses=q.get("status"),
        commune=q.get("commune"),
        created_after=q.get("created_after"),
        created_before=q.get("created_before"),
        text=q.get("q") or None,
    )


def parse_filters(params, *, staff=False, project=None) -> ContributionFilters:
    """ContributionFilters from query-string values (an unknown or invalid one is an error);
    with `project`, themes are checked against its own."""
    serializer_class = StaffFilterQuery if staff else FilterQuery
    context = {"project": project} if project is not None else None
    return filters_from(read_params(params, serializer_class, context=context))


def lenient_filters(params) -> ContributionFilters:
    """The filters a page's form chose, dropping any value that is not valid (a hand-edited
    address must not break the page; the form only offers valid ones)."""
    query = FilterQuery(data={name: value for name, value in params.items() if value})
    if query.is_valid():
        return filters_from(query.validated_data)
    kept = {name: value for name, value in params.items() if value and name not in query.errors}
    query = FilterQuery(data=kept)
    return filters_from(query.validated_data if query.is_valid() else {})


def search_text(value: str) -> str | None:
    """The words a page's search field holds, checked as the API checks `q` (too long: the
    same error); None for an empty search. A page must not drop a search it cannot run: the
    person would take every contribution for the answer."""
    return parse_filters({"q": value} if value else {}).text


def command_filters(options, *, staff, project=None) -> ContributionFilters:
    """The filters of a layer command's repeatable options, checked as the API checks them;
    the error names each option with its reason."""
    params = {
        "kind": ",".join(options.get("kind") or []),
        "theme": ",".join(options.get("theme") or []),
        "status": ",".join(options.get("status") or []),
        "commune": options.get("commune") or "",
    }
    try:
        return parse_filters(
            {name: value for name, value in params.items() if value}, staff=staff, project=project
        )
    except DomainError as error:
        fields = error.extra.get("fields", {})
        raise DomainError(
            "invalid",
            " ".join(f"--{name}: {' '.join(map(str, errors))}" for name, errors in fields.items()),
        ) from None
