"""Reads for the public pages: what a project page, the list and a contribution page show."""

from django.conf import settings
from django.contrib.gis.db.models.functions import Envelope
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contributions import figures
from contributions.models import (
    KIND_GLYPHS,
    MAX_PHOTOS,
    PUBLIC_STATUSES,
    CommentStatus,
    Kind,
    Project,
    Status,
    Vote,
)
from contributions.vocabulary import (
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    REPORT_REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from core import geojson
from core.i18n import localized
from layers import basemap

# The pages' maxlength: the limits the services hold every text to, whoever sends it.
TEXT_LIMITS = {
    "title": TITLE_MAX_LENGTH,
    "description": DESCRIPTION_MAX_LENGTH,
    "comment": COMMENT_MAX_LENGTH,
    "reason": REPORT_REASON_MAX_LENGTH,
}

# What each participation level commits the organisers to, in the resident's words.
LEVEL_PROMISES = {
    "inform": _("You are informed: this map shows what is planned."),
    "consult": _("You are consulted: your contributions are read and answered before decisions."),
    "involve": _("You are involved: your contributions shape the options that are studied."),
    "collaborate": _("You collaborate: residents and services decide on the options together."),
    "empower": _("You decide: the choices made here are carried out."),
}


def open_projects():
    projects = (
        Project.objects.open_at()
        .annotate(count=Count("contributions", filter=Q(contributions__status__in=PUBLIC_STATUSES)))
        .order_by("closes_at", "slug")
    )
    return [
        {
            "project": project,
            "title": localized(project.title) or project.slug,
            "description": localized(project.description),
            "count": project.count,
            "progress": _progress(project.count, project.target_contributions),
        }
        for project in projects
    ]


def _progress(count, target):
    # The figure (docs/figures.md), rounded for the page; no target: nothing left to reach.
    progress = figures.target_progress(count, target)
    return round(progress) if progress is not None else 100


def _target_reached(count, target) -> bool:
    # The public count (figures.public_totals) against the target itself: the percentage is
    # rounded, and 9,999 of 10,000 would read 100.0.
    return bool(target) and count >= target


def project_summary(project):
    totals = figures.public_totals(project)
    count = totals["public_contributions"]
    return {
        "project": project,
        "title": localized(project.title) or project.slug,
        "description": localized(project.description),
        "promise": localized(project.promise),
        "level_promise": str(LEVEL_PROMISES.get(project.participation_level, "")),
        "themes": [
            {"slug": t.slug, "name": localized(t.name) or t.slug, "colour": t.colour}
            for t in project.themes.all()
        ],
        "kinds": [(value, label) for value, label in Kind.choices if value in project.kinds],
        "count": count,
        "progress": _progress(count, project.target_contributions),
        "target_reached": _target_reached(count, project.target_contributions),
        "votes": totals["votes"],
        "is_open": project.is_open(),
        "text_limits": TEXT_LIMITS,
    }


def filter_options(project):
    # Their boxes, not their shapes: what the map needs to move to a chosen commune.
    communes = (
        project.perimeter.members.filter(valid_until__isnull=True)
        .only("code", "name")
        .annotate(box=Envelope("geom"))
        .order_by("name")
    )
    themes = [
        {"slug": t.slug, "name": localized(t.name) or t.slug, "colour": t.colour}
        for t in project.themes.all()
    ]
    return {
        "kinds": [(value, label) for value, label in Kind.choices if value in project.kinds],
        "themes": [(t["slug"], t["name"]) for t in themes],
        "theme_colours": themes,
        "statuses": [(value, label) for value, label in Status.choices if value in PUBLIC_STATUSES],
        "communes": [(c.code, c.name) for c in communes],
        "commune_boxes": [
            {"code": c.code, "name": c.name, "bbox": [round(v, 6) for v in c.box.extent]}
            for c in communes
        ],
    }


def _language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def map_config(project, request, options=None):
    """Everything the map script needs, handed over as JSON (json_script), never as code.
    `options` are the page's filter_options(project), when it already read them."""
    slug = project.slug
    options = options or filter_options(project)
    geometry_types = ["Point"]
    geometry_types += ["LineString"] if project.allow_lines else []
    geometry_types += ["Polygon"] if project.allow_polygons else []
    return {
        "slug": slug,
        "bbox": list(project.perimeter.geom.extent),
        # Which basemap to draw and how (docs/basemap.md); `url` and `attribution` are the
        # tile service's when it is the one shown.
        "basemap": basemap.client_config(_language()),
        # The zoom range of every map on the site (LEAFLET_CONFIG, the one basemap setting).
        "zoom": {
            "min": settings.LEAFLET_CONFIG.get("MIN_ZOOM", 0),
            "max": settings.LEAFLET_CONFIG.get("MAX_ZOOM", 19),
        },
        "urls": {
            "perimeter": reverse("territory-geojson", args=[project.perimeter.slug])
            + "?simplify=30",
            "communes": reverse("project-communes", args=[slug]),
            "clusters": reverse("clusters", args=[slug]),
            "contributions": reverse("contribution-list", args=[slug]),
            "checkLocation": reverse("check-location", args=[slug]),
            "places": reverse("places", args=[slug]),
            # The contribution page, with a placeholder the script replaces by an id.
            "contributionPage": reverse(
                "contribution", args=[slug, "00000000-0000-0000-0000-000000000000"]
            ),
            "list": reverse("project-list", args=[slug]),
        },
        "themes": options["theme_colours"],
        # The perimeter's communes, with the box (minlon, minlat, maxlon, maxlat, WGS84) the
        # map moves to when the commune filter chooses one.
        "communes": options["commune_boxes"],
        "kinds": [
            {"value": v, "label": str(label), "glyph": KIND_GLYPHS.get(v, "•")}
            for v, label in options["kinds"]
        ],
        "statuses": [{"value": v, "label": str(label)} for v, label in options["statuses"]],
        "geometryTypes": geometry_types,
        "maxPhotos": MAX_PHOTOS,
        "isOpen": project.is_open(),
        "allowAnonymous": project.allow_anonymous,
        "signedIn": request.user.is_authenticated,
    }


def contribution_map_config(contribution, request):
    config = map_config(contribution.project, request)
    config["focus"] = {
        "id": str(contribution.pk),
        # The public location only: the page, its map and its metadata never hold the exact one.
        "geometry": geojson.geometry(contribution.public_geom),
        "theme": contribution.theme.slug,
        "kind": contribution.kind,
    }
    return config


def contribution_detail(contribution, participant):
    comments = contribution.comments.filter(status=CommentStatus.PUBLISHED).order_by("created_at")
    history = contribution.history.filter(status__in=PUBLIC_STATUSES).order_by("created_at", "id")
    voted = bool(
        participant and Vote.objects.filter(contribution=contribution, participant=participant)
    )
    return {
        "contribution": contribution,
        "theme_name": localized(contribution.theme.name) or contribution.theme.slug,
        "photos": list(contribution.photos.all()),
        "comments": comments,
        "history": history,
        "voted": voted,
    }
