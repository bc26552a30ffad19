"""Reading partner projects for the public (the API, the map, the list and their pages): the
published ones of a project, whether their ranking is public yet, and each one as an RFC 7946
feature with its texts in the reader's language. The vote figures come from
contributions.partner_figures, their one definition (docs/figures.md)."""

from django.urls import reverse

from contributions.models import PartnerProject, PartnerVote
from contributions.participants import user_participant
from contributions.services.partner_votes import residence_commune
from core.geojson import geometry
from core.i18n import localized
from territories.models import Territory, TerritoryKind

KIND = "partner_project"


def published_partner_projects(project):
    """The project's published partner projects, in the partners' order."""
    return (
        PartnerProject.objects.published()
        .of_project(project)
        .select_related("project", "theme", "partner", "result")
        .prefetch_related("photos")
        .order_by("position", "created_at", "id")
    )


def vote_of(partner_project, user):
    """The signed-in person's vote on it, or None."""
    if user is None or not user.is_authenticated:
        return None
    return (
        PartnerVote.objects.select_related("commune")
        .filter(partner_project=partner_project, participant=user_participant(user))
        .first()
    )


def commune_of(project, code):
    """The commune of residence a voter chose, by its official code (as the pages and the API
    name communes): one of the perimeter's current communes, else the service's refusal
    (invalid_commune). None when none was chosen."""
    if not code:
        return None
    found = Territory.objects.filter(
        code=str(code)[:32],
        perimeters=project.perimeter_id,
        kind=TerritoryKind.COMMUNE,
        valid_until__isnull=True,
    ).first()
    return residence_commune(project, found or "unknown")


def page_url(partner_project) -> str:
    return reverse("partner-project", args=[partner_project.project.slug, partner_project.pk])


def photo_url(photo, size) -> str:
    return reverse("partner-photo", args=[photo.pk, size])


def photos(partner_project, language=None) -> list[dict]:
    project = partner_project.project
    found = []
    for photo in partner_project.photos.all():
        alt = project.answer_in(photo.alt, language=language)
        found.append(
            {
                "id": str(photo.pk),
                "url": photo_url(photo, "large"),
                "thumbnail": photo_url(photo, "thumbnail"),
                "width": photo.width,
                "height": photo.height,
                "credit": photo.credit,
                "alt": alt.text,
                "alt_language": alt.language,
            }
        )
    return found


def safe_links(partner_project) -> list[dict]:
    """The links to documents, http(s) only whatever the stored list holds."""
    links = partner_project.links if isinstance(partner_project.links, list) else []
    return [
        {"url": str(link.get("url")), "label": str(link.get("label") or link.get("url"))}
        for link in links
        if isinstance(link, dict)
        and str(link.get("url", "")).lower().startswith(("http://", "https://"))
    ]


def texts(partner_project, language=None) -> dict:
    """Its texts in the reader's language (Localized: text and the language it is in)."""
    answer_in = partner_project.project.answer_in
    return {
        "title": answer_in(partner_project.title, language=language),
        "description": answer_in(partner_project.description, language=language),
        "timeline": answer_in(partner_project.timeline, language=language),
        "outcome_answer": answer_in(partner_project.outcome_answer, language=language),
    }


# The figures of a partner project the public outputs give (partner_figures.PartnerResult).
PUBLIC_FIGURES = (
    "rank",
    "votes",
    "votes_for",
    "votes_against",
    "mean_rating",
    "score",
    "comments",
    "turnout_percent",
)


def public_figures(result) -> dict:
    """A partner_figures.PartnerResult as the public outputs give it."""
    return {name: getattr(result, name) for name in PUBLIC_FIGURES}


def feature(partner_project, *, language=None, figures=None, absolute=lambda url: url) -> dict:
    """A published partner project as a GeoJSON feature. `figures` is its row of
    partner_figures.partner_vote_results, given only when the ranking is public."""
    project = partner_project.project
    words = texts(partner_project, language)
    theme = partner_project.theme
    partner = partner_project.partner
    state = project.partner_vote_state()
    properties = {
        "kind": KIND,
        "proposed_by_partners": True,
        "title": words["title"].text,
        "description": words["description"].text,
        "language": words["title"].language,
        "theme": {
            "slug": theme.slug,
            "name": localized(theme.name, language) or theme.slug,
            "colour": theme.colour,
        },
        "partner": {"name": partner.name} if partner else None,
        "cost_band": partner_project.cost_band or None,
        "cost_band_label": str(partner_project.get_cost_band_display())
        if partner_project.cost_band
        else None,
        "timeline": words["timeline"].text,
        "links": safe_links(partner_project),
        "photos": [
            {**photo, "url": absolute(photo["url"]), "thumbnail": absolute(photo["thumbnail"])}
            for photo in photos(partner_project, language)
        ],
        "url": absolute(page_url(partner_project)),
        "vote": {
            "mode": project.partner_vote_mode,
            "state": str(state),
            "opens_at": _iso(project.partner_vote_opens_at),
            "closes_at": _iso(project.partner_vote_closes_at),
            "url": absolute(
                reverse("partner-project-vote", args=[project.slug, partner_project.pk])
            ),
        },
        "outcome": partner_project.outcome or None,
        "outcome_answer": words["outcome_answer"].text if partner_project.outcome else "",
    }
    if figures is not None:
        properties["results"] = figures
    return {
        "type": "Feature",
        "id": str(partner_project.pk),
        "geometry": geometry(partner_project.location),
        "properties": properties,
    }


def _iso(moment):
    return moment.isoformat() if moment else None
