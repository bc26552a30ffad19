"""The walker behind test_hostile_routes: every URL pattern of the site, how to fill it with
real values and with hostile ones, and which parameters each view reads.

A pattern is a chain of route and regex segments (through includes, the language prefix
taken once, in French). The walker fills each path parameter from its converter; a pattern
it cannot fill (a new converter, regex syntax it does not know, a parameter with no real
value) is reported, so the test fails rather than skipping a new address.

The parameters a view reads are found by asking: one request with a query dict and a form
that note every name looked up (`RecordingMiddleware`). They are checked against the names
listed here (collected from the views and serializers), so the list stays complete.

Over 400 lines: the walker and the names and values it checks against are one idea, and the
lists hold one name a line, so that a diff shows each name added.
"""

import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote

from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import translation

CONVERTERS = {
    IntConverter: "int",
    StringConverter: "str",
    SlugConverter: "slug",
    UUIDConverter: "uuid",
    PathConverter: "path",
}
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_META = re.compile(r"[()\[\]{}*+?|^$\\]")

# ------------------------------------------------------------------ hostile values

NUL = "\x00"
HUGE = "99999999999999999999999"  # beyond 64 bits
LONG = "x" * 5000
UNICODE = "é漢字🙂\u202e"

# Path values, already percent-encoded, by converter. Each converter gets the values it lets
# through to the view, plus a few it refuses (the resolver's 404 must hold too).
_REFUSED = ["%00", "a%00b", "..%2F..%2Fetc%2Fpasswd", "%ff%fe"]
_ANY_TEXT = [HUGE, "-1", "0", "not-a-uuid", "..", "x" * 3000, quote(UNICODE), "%C0%AF", "a%20b"]
PATH_VALUES = {
    "int": [HUGE, "2147483648", "0", *_REFUSED[:2]],
    "slug": [HUGE, "-1", "x" * 3000, "__", *_REFUSED[:2]],
    "uuid": [str(uuid.uuid4()), "00000000-0000-0000-0000-000000000000", *_REFUSED[:2]],
    "str": [*_ANY_TEXT, *_REFUSED],
    "path": [*_ANY_TEXT, "../../../etc/passwd", "a/b/c", *_REFUSED],
    "regex": [*_ANY_TEXT, *_REFUSED],
}

# Admin addresses (Django's own views over the project's ModelAdmins) get fewer values.
ADMIN_PATH_VALUES = [HUGE, "-1", "not-a-uuid", "a%00b", quote(UNICODE), "x" * 300]

# Query and form values (not yet encoded), by the kind of parameter they are meant for:
# invalid and out-of-range dates, numbers beyond 64 bits, NUL bytes, wrong shapes.
DATE_VALUES = [
    NUL,
    HUGE,
    "0000-01-01T00:00:00Z",
    "99999-01-01",
    "2024-02-30",
    "2024-13-01T25:61:61Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01/9999-12-31",
    "",
]
NUMBER_VALUES = [NUL, HUGE, f"-{HUGE}", "-1", "0", "1e400", "nan", "", "1" * 5000]
BBOX_VALUES = [NUL, "1,2,3,4,5", "-180,-90,180,90", "180,90,-180,-90", "nan,0,1,1", "1e400,0,0,1"]
TEXT_VALUES = [
    NUL,
    HUGE,
    "-1",
    LONG,
    UNICODE,
    "../../etc/passwd",
    "not-a-uuid",
    "contribution:not-a-uuid",
    f"comment:{HUGE}",
    "",
]
DATE_NAMES = frozenset({"created_after", "created_before", "datetime", "start_date", "end_date"})
NUMBER_NAMES = frozenset(
    {"limit", "offset", "zoom", "page", "p", "lon", "lat", "long", "simplify", "srid"}
    | {"longitude", "latitude", "template", "o"}
)
ADMIN_VALUES = [HUGE, ""]  # NUL and long texts come in rows()


def values_for(name: str) -> list[str]:
    if name == "bbox":
        return BBOX_VALUES
    if name in DATE_NAMES:
        return DATE_VALUES
    if name in NUMBER_NAMES:
        return NUMBER_VALUES
    return TEXT_VALUES


def rows(names, *, count=None) -> list[dict]:
    """Every name at once, each with its own kind of hostile value: row i gives each name
    the i-th of its values (cycling), so a few requests carry every value of every name."""
    names = sorted(names)
    count = count or max(len(values_for(name)) for name in names)
    return [
        {name: values_for(name)[i % len(values_for(name))] for name in names} for i in range(count)
    ]


# Appended to a query string as they are: broken percent-encoding, NUL in a name.
RAW_QUERIES = ["%ff%fe=%ff", "a%00b=1", "%00", "bbox=%ED%A0%80"]


def _deep(opening: str, closing: str, inner: str = "1", depth: int = 5000) -> str:
    return opening * depth + inner + closing * depth


JSON_BODIES = [
    _deep("[", "]"),
    _deep('{"a":', "}"),
    "1" + "0" * 400,
    "1e400",
    '"\\u0000"',
    "[]",
    '"text"',
    "null",
    "{",
    '{"body": "a\\u0000b", "feature": "\\u0000"}',
    '{"csp-report": []}',
    '{"type": "Feature", "properties": "\\u0000", "geometry": {"type": "Point", '
    '"coordinates": [1e400, -1e400]}}',
]


def json_for_every_field(value: str) -> str:
    """A GeoJSON Feature holding `value` (JSON text) under every field name the API reads,
    in its properties (a contribution) and beside them (a comment's body, a CSP report)."""
    members = ", ".join(f'"{name}": {value}' for name in sorted(JSON_FIELDS))
    return (
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [7.27, 43.70]}, '
        f'"properties": {{{members}}}, {members}}}'
    )


JSON_FIELD_VALUES = ['"a\\u0000b"', "[[[[]]]]", '{"a": 1}', "1" + "0" * 40, f'"{LONG}"', "true"]

# ------------------------------------------------------------------ parameter names

# Every query parameter a view reads (request.GET, query_params, the query serializers: the
# filters, paging, clusters, territories, places, OGC API, Open311, staff pages, privacy),
# and the admin's and allauth's own.
KNOWN_QUERY = frozenset(
    {
        # staff partner project form: a kept proposal to start from
        "from_contribution",
        # contributions.filters.FilterQuery, ListQuery, ClusterQuery
        "bbox",
        "kind",
        "theme",
        "status",
        "commune",
        "created_after",
        "created_before",
        "ordering",
        "limit",
        "offset",
        "zoom",
        # territories and the map's helpers
        "lon",
        "lat",
        "simplify",
        "q",
        "place",  # the feed of a followed place
        # OGC API
        "f",
        "datetime",
        "crs",
        "bbox-crs",
        "partner",  # the partner projects' queryables: a partner's name
        "outcome",  # and an outcome
        # Open311
        "service_request_id",
        "service_code",
        "start_date",
        "end_date",
        "jurisdiction_id",
        "api_key",
        # pages and staff pages
        "page",
        "tab",
        "channel",
        "format",
        "srid",
        "next",
        "sep",  # the dashboard's semicolon CSV
        "edit",  # the answer template being edited
        "saved",  # assisted entry: the contribution just recorded
        "language",  # assisted entry: the resident's language, kept between entries
        "contribution",  # a new result, started from a contribution
        "meeting",  # the meeting pack: a meeting's id,
        "start",  # or a period's first day
        "end",  # and last day
        "edition",  # partners or staff
        "map",  # a questionnaire's results: the cross-tabulated map question
        "by",  # and the choice question it is split by
        # the admin
        "o",
        "p",
        "e",
        "all",
        "_popup",
        "_to_field",
        "_changelist_filters",
        "app_label",
        "model_name",
        "field_name",
        "term",
        # allauth
        "process",
        "token",
        # the admin's facets, the API schema's language and version
        "_facets",
        "lang",
        "version",
    }
)
# Every form field a view reads (request.POST, the forms of pages, staff and privacy).
KNOWN_FORM = frozenset(
    {
        # the contribution page
        "action",
        "body",
        "email",
        "reason",
        "comment",
        # staff
        "items",
        "reason_choice",
        "reason_text",
        "next",
        "status",
        "template",
        "answer",
        "original",
        "entry",
        "name",
        "text",
        "template_id",
        "channel",
        "kind",
        "sentiment",
        "theme",
        "title",
        "description",
        "commune",
        "longitude",
        "latitude",
        "approximate",
        "place",
        "language",
        "consent",
        # partner projects (staff.views.partner_projects, partner_coverage, partner_votes)
        "partner",
        "outcome",
        "description_fr",
        "description_it",
        "description_en",
        "timeline_fr",
        "timeline_it",
        "timeline_en",
        "cost_band",
        "links",
        "published",
        "credit",
        "alt_fr",
        "alt_it",
        "alt_en",
        "photo-clear",
        "outcome_fr",
        "outcome_it",
        "outcome_en",
        "result",
        "mode",
        "ranking_live",
        "confirm_gaps",
        # results (staff.views.results)
        "progress",
        "geometry",
        "contributions",
        "date",
        # evaluations and meetings (staff.evaluation_forms): the grid's per-language fields
        # (label_fr, choices_it...) and one score_<code> per criterion of the demo's grid
        "criterion",
        "label_fr",
        "label_it",
        "label_en",
        "choices_fr",
        "choices_it",
        "choices_en",
        "notes",
        "score_relevance",
        "score_feasibility",
        "score_cost_band",
        "score_theme",
        "score_partner",
        "score_plans",
        "period_start",
        "period_end",
        "merged_into",
        "contribution",
        # the questionnaire builder (staff.questionnaire_forms); its per-language fields are
        # the prefixes below with each language: title_fr, intro_it, choice_label_en...
        "slug",
        "opens_at",
        "closes_at",
        "allow_anonymous",
        "page",
        "required",
        "personal",
        "choice_value",
        "scale_min",
        "scale_max",
        "number_min",
        "number_max",
        "min_count",
        "max_count",
        "max_length_m",
        "max_area_ha",
        "inside_perimeter",
        "condition_question",
        "condition_values",
        "title_fr",
        "title_it",
        "title_en",
        "intro_fr",
        "intro_it",
        "intro_en",
        "text_fr",
        "text_it",
        "text_en",
        "help_fr",
        "help_it",
        "help_en",
        "choice_label_fr",
        "choice_label_it",
        "choice_label_en",
        "scale_low_fr",
        "scale_low_it",
        "scale_low_en",
        "scale_high_fr",
        "scale_high_it",
        "scale_high_en",
        # paper and assisted answers to a questionnaire (staff.views.questionnaire_entry)
        "answers",
        "client_key",
        # privacy
        "confirm",
        "delete_photos",
        # Open311
        "api_key",
        "service_code",
        "lat",
        "long",
        "address_string",
        "first_name",
        "last_name",
        "phone",
        "media_url",
        "attribute",
        "jurisdiction_id",
        "device_id",
        "account_id",
        "address_id",
        # allauth and the admin
        "login",
        "password",
        "password1",
        "password2",
        "remember",
        "code",
        "oldpassword",
        "action_add",
        "username",
        "_save",
        "_continue",
        "_addanother",
        "post",
        "csrfmiddlewaretoken",
        # the page that confirms an emailed link
        "do",
        # one-click unsubscribe (RFC 8058), on the unfollow page
        "List-Unsubscribe",
        # following a place (mapping.place_views)
        "lon",
        "radius",
        "area",
        "frequency",
        "scope",
        # the vote on a partner project (mapping.partner_views)
        "value",
    }
)
# The fields of the API's JSON bodies (contributions.api serializers, the CSP report).
JSON_FIELDS = frozenset(
    {
        "kind",
        "theme",
        "title",
        "description",
        "sentiment",
        "email",
        "channel",
        "consent",
        "location_precision",
        "age_bracket",
        "residence",
        "body",
        "feature",
        "csp-report",
        # a vote on a partner project (contributions.partner_api)
        "value",
        "comment",
        "commune",
    }
)
# Form fields whose real values lead a view to different code (the page's actions, the
# moderation actions): each is tried with every one, then the other fields are made hostile.
SELECTORS = {
    "action": ["vote", "unvote", "comment", "follow", "report", "publish", "hide"],
}

# ------------------------------------------------------------------ recording what is read


class _Recording(QueryDict):
    seen: set  # one set per subclass: copies (query_params.copy()) record into it too

    def __getitem__(self, key):
        self.seen.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.seen.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.seen.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self.seen.add(key)
        return super().__contains__(key)


class RecordedQuery(_Recording):
    seen = set()


class RecordedForm(_Recording):
    seen = set()


class RecordingMiddleware:
    """Puts recording dicts on the request (discovery requests only: the test adds it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = RecordedQuery(request.META.get("QUERY_STRING", ""))
        # An empty body comes without a content type (the test client sends none).
        form = request.content_type.startswith("application/x-www-form-urlencoded")
        if request.method == "POST" and (form or not request.body):
            request.POST = RecordedForm(request.body.decode())
        return self.get_response(request)


# Names core.input_guard looks up in every request: not a sign that a view reads them.
GUARD_NAMES = frozenset({"_to_field"})


def start_recording():
    RecordedQuery.seen.clear()
    RecordedForm.seen.clear()


# ------------------------------------------------------------------ the patterns


@dataclass
class Route:
    """One URL pattern: literal text and parameters, in order."""

    label: str  # the pattern as written, language prefix included
    name: str  # namespace:name, or the label for an unnamed pattern
    callback: object
    parts: list = field(default_factory=list)  # str (literal) or (name, kind)
    problem: str = ""

    @property
    def parameters(self) -> list[tuple[str, str]]:
        return [part for part in self.parts if isinstance(part, tuple)]

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:") or self.label.startswith("admin/")

    @property
    def is_api(self) -> bool:
        """A machine interface: its 4xx answers carry a JSON `code`."""
        return self.label.startswith(("api/", "ogc", "open311/", "tiles/", "csp-report/"))

    @property
    def is_drf(self) -> bool:
        view_class = getattr(self.callback, "cls", None)
        return view_class is not None and hasattr(view_class, "parser_classes")

    def url(self, values: dict) -> str:
        """The path with every parameter filled; values are inserted as they are (encoded)."""
        text = []
        for part in self.parts:
            text.append(part if isinstance(part, str) else str(values[part[0]]))
        return "/" + "".join(text)


def _route_parts(pattern: RoutePattern) -> list:
    route, parts, position = str(pattern), [], 0
    for match in ROUTE_PARAMETER.finditer(route):
        parts.append(route[position : match.start()])
        converter = pattern.converters[match["name"]]
        kind = CONVERTERS.get(type(converter))
        if kind is None:
            raise ValueError(f"unknown converter {type(converter).__name__} for {match['name']}")
        parts.append((match["name"], kind))
        position = match.end()
    parts.append(route[position:])
    return parts


def _regex_parts(pattern: RegexPattern) -> list:
    regex = pattern._regex.removeprefix("^").removesuffix("$")
    parts, literal, index = [], "", 0
    while index < len(regex):
        if regex.startswith("(?P<", index):
            name = regex[index + 4 : regex.index(">", index)]
            depth, end = 0, index
            while end < len(regex):
                if regex[end] == "\\":
                    end += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[end], 0)
                if depth == 0:
                    break
                end += 1
            parts += [literal, (name, "regex")]
            literal, index = "", end + 1
            continue
        if regex[index] == "\\" and index + 1 < len(regex) and regex[index + 1] in "./-":
            literal += regex[index + 1]
            index += 2
            continue
        if REGEX_META.match(regex[index]):
            raise ValueError(f"regex syntax the walker cannot fill: {pattern._regex!r}")
        literal += regex[index]
        index += 1
    return [*parts, literal]


def _parts(pattern) -> list:
    if isinstance(pattern, LocalePrefixPattern):
        return [pattern.language_prefix]
    if isinstance(pattern, RoutePattern):
        return _route_parts(pattern)
    if isinstance(pattern, RegexPattern):
        return _regex_parts(pattern)
    raise ValueError(f"unknown pattern type {type(pattern).__name__}")


def routes() -> list[Route]:
    """Every URL pattern of the site, its language prefix in French."""
    found = []

    def walk(resolver, chain, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace])) or None
                walk(entry, [*chain, entry.pattern], inner)
                continue
            assert isinstance(entry, URLPattern)
            patterns = [*chain, entry.pattern]
            label = "".join(str(p) for p in patterns)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            route = Route(label=label, name=name or label, callback=entry.callback)
            try:
                route.parts = [part for p in patterns for part in _parts(p) if part != ""]
            except ValueError as error:
                route.problem = str(error)
            found.append(route)

    with translation.override("fr"):
        walk(get_resolver(), [], None)
    return found
