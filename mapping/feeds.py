"""Atom feeds (RFC 4287) of a project's public contributions, each placed by a GeoRSS point.

Anyone can follow a project, or one commune of it, without an account: a feed reader polls
`/<lang>/p/<slug>/feed.atom` (`?commune=<INSEE/ISTAT code>` for one commune). The feed is
one more reader of the app's one filter rule (contributions.filters) and of the one
definition of "public" (contributions.selectors.public_contributions), so it holds the
items the list page and the API list hold for the same question, and never a hidden or
unmoderated one, an email or an author. Labels (kind, status, theme) and the official
answer are in the feed's language, the one in its address.

The scope of a feed (which contributions, what it is called, where its page is) is a
FeedScope: a followed area would be another scope built from its own parameters, with
the same entries, validators and cache rules.

Conditional GET: the ETag is a digest of the body, so it changes with anything the feed
shows (an item hidden since, a theme renamed); Last-Modified is the newest entry's time.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed, rfc3339_date
from django.utils.html import format_html
from django.utils.http import http_date, urlencode
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from contributions.filters import ContributionFilters, parse_filters
from contributions.models import PUBLIC_GEOM, PlaceFollow, Project
from contributions.selectors import public_contributions
from core.errors import DomainError
from core.i18n import localized, reader_language
from core.read_routing import shared_cacheable
from layers import cache
from territories.functions import Anchor
from territories.selectors import current_name

GEORSS_NS = "http://www.georss.org/georss"
# The newest entries a feed carries: a reader polls often and keeps what it has seen.
FEED_LENGTH = 50
# Characters XML 1.0 does not allow, even escaped: a pasted title may hold one.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value) -> str:
    return _NOT_XML.sub("", str(value or ""))


class GeoAtomFeed(Atom1Feed):
    """Atom 1.0 with a GeoRSS-Simple point per entry (foreign markup Atom allows), each entry
    written here: a text title, a summary in HTML, categories with a label."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:georss": GEORSS_NS}

    def latest_post_date(self):
        # An empty feed is as old as its project, not "now": its validators stay put.
        return super().latest_post_date() if self.items else self.feed["empty_updated"]

    def add_item_elements(self, handler, item):
        handler.addQuickElement("title", item["title"])
        handler.addQuickElement("link", "", {"href": item["link"], "rel": "alternate"})
        handler.addQuickElement("id", item["unique_id"])
        handler.addQuickElement("published", rfc3339_date(item["pubdate"]))
        handler.addQuickElement("updated", rfc3339_date(item["updateddate"]))
        handler.addQuickElement("summary", item["description"], {"type": "html"})
        for term, label in item["labelled_categories"]:
            handler.addQuickElement("category", "", {"term": term, "label": label})
        if item["point"] is not None:
            lon, lat = item["point"]
            # GeoRSS-Simple: latitude first; 6 decimals (about 0.1 m) as in the GeoJSON.
            handler.addQuickElement("georss:point", f"{lat:.6f} {lon:.6f}")


@dataclass
class FeedScope:
    """What one feed holds and how it presents itself."""

    project: Project
    filters: ContributionFilters
    title: str
    page_url: str  # the public page showing the same items
    query: dict = field(default_factory=dict)  # the feed's own parameters, for its address
    # A followed place (`?place=<id>`): what lies in it, by the rule its followers' emails
    # use (the public location intersects the place: contributions.services.place_news).
    area: object = None


def project_scope(request, slug: str) -> FeedScope:
    """The feed of a project, narrowed by the list's and the API's filters (`commune`, and
    `kind`, `theme`, `status`, ...): an unknown parameter, an invalid value or a commune
    outside the perimeter is refused with the API's own code and sentence."""
    project = get_object_or_404(Project.objects.select_related("perimeter"), slug=slug)
    params = {name: request.GET[name] for name in sorted(request.GET)}
    place = _followed_place(project, params.pop("place")) if "place" in params else None
    filters = parse_filters(params, project=project)
    title = localized(project.title) or project.slug
    if place is not None:
        title = f"{title} · {place.display_label()}"
    if filters.commune:
        name = (
            project.perimeter.members.filter(code=filters.commune, valid_until__isnull=True)
            .values_list("name", flat=True)
            .first()
        )
        title = f"{title} · {name or filters.commune}"
    page_url = reverse("project-list" if params else "project", args=[project.slug])
    if params:
        page_url += "?" + urlencode(params)
    if place is not None:
        params["place"] = str(place.pk)
    return FeedScope(
        project=project,
        filters=filters,
        title=f"{title} · {_('public contributions')}",
        page_url=page_url,
        query=params,
        area=place.geom if place is not None else None,
    )


def _followed_place(project, value: str):
    """A confirmed place follow of this project or of all projects, by its id."""
    try:
        place_id = uuid.UUID(value)
    except ValueError:
        raise DomainError(
            "invalid_place", _("This is not the address of a followed place."), status=400
        ) from None
    place = (
        PlaceFollow.objects.filter(pk=place_id, confirmed_at__isnull=False)
        .filter(Q(project=project) | Q(project__isnull=True))
        .first()
    )
    if place is None:
        raise DomainError("unknown_place", _("No followed place has this address."), status=404)
    return place


def feed_entries(scope: FeedScope):
    """The newest public contributions of the scope, newest change first, with their point
    (the PointOnSurface of the public location) and their public commune's name."""
    contributions = public_contributions(scope.project, scope.filters)
    if scope.area is not None:
        contributions = contributions.filter(public_geom__intersects=scope.area)
    return list(
        contributions.select_related("theme", "project")
        .annotate(
            point=Anchor(PUBLIC_GEOM),
            public_commune_name=current_name("public_commune"),
            touched=Greatest("created_at", "updated_at", Coalesce("answered_at", "created_at")),
        )
        .order_by(F("touched").desc(), "id")[:FEED_LENGTH]
    )


def _summary(contribution) -> str:
    """Kind, theme, commune, status in the feed's language; the official answer in it when
    there is one (else in the project's first language that has one, marked as such)."""
    facts = [
        contribution.get_kind_display(),
        localized(contribution.theme.name) or contribution.theme.slug,
    ]
    if contribution.public_commune_name:
        facts.append(contribution.public_commune_name)
    summary = format_html("<p>{}</p>", " · ".join(str(fact) for fact in facts))
    summary += format_html(
        "<p><strong>{}</strong><br>{}</p>", _("Status"), contribution.get_status_display()
    )
    answer = contribution.answer_here
    if answer.text:
        fell_back = answer.language != reader_language()
        summary += format_html(
            "<p><strong>{}</strong></p><div{}>{}</div>",
            capfirst(_("official answer")),
            format_html(' lang="{}"', answer.language) if fell_back else "",
            linebreaksbr(answer.text, autoescape=True),
        )
    return xml_text(summary)


def build_feed(request, scope: FeedScope) -> GeoAtomFeed:
    language = reader_language(get_language())
    address = request.build_absolute_uri(request.path)
    self_url = address + ("?" + urlencode(scope.query) if scope.query else "")
    feed = GeoAtomFeed(
        title=xml_text(scope.title),
        link=request.build_absolute_uri(scope.page_url),
        description="",
        language=language,
        feed_url=self_url,
        feed_guid=self_url,
        # The project speaks through its feed: no person is named.
        author_name=xml_text(localized(scope.project.title) or scope.project.slug),
        empty_updated=scope.project.created_at,
    )
    slug = scope.project.slug
    for contribution in feed_entries(scope):
        theme = contribution.theme
        feed.add_item(
            title=xml_text(contribution.title),
            link=request.build_absolute_uri(reverse("contribution", args=[slug, contribution.pk])),
            description=_summary(contribution),
            unique_id=contribution.pk.urn,
            pubdate=contribution.created_at,
            updateddate=contribution.touched,
            labelled_categories=[(theme.slug, xml_text(localized(theme.name) or theme.slug))],
            point=contribution.point and (contribution.point.x, contribution.point.y),
        )
    return feed


def _refusal(error: DomainError) -> JsonResponse:
    return JsonResponse(
        {"code": error.code, "detail": error.message, **error.extra}, status=error.status
    )


@require_safe
def project_feed(request, slug):
    """A project's public contributions as Atom, one commune's with `?commune=`."""
    try:
        scope = project_scope(request, slug)
    except DomainError as error:
        return _refusal(error)
    feed = build_feed(request, scope)
    body = feed.writeString("utf-8").encode("utf-8")
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    modified = feed.latest_post_date().timestamp()
    response = HttpResponse(body, content_type=feed.content_type)
    # Public and short-lived, as the map's layers (private to a client that just wrote).
    for name, value in cache.headers(request, tag).items():
        response[name] = value
    response["Last-Modified"] = http_date(modified)
    conditional = get_conditional_response(
        request, etag=tag, last_modified=int(modified), response=response
    )
    return shared_cacheable(conditional)
