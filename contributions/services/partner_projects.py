"""Writing the partners' projects: the project itself (texts per project language, place,
theme, partner, cost band, links), its photos, the vote period and each project's outcome.
The votes are contributions.services.partner_votes (re-exported here).

Rules: a title in the project's main language; texts only in the project's languages, none
with a NUL or longer than the limits; the place a valid point, line or area inside the
perimeter (with the project's tolerance); links http or https; photos checked and re-encoded
as residents' are (contributions.photos). Opening the vote warns when the published projects
leave a theme or a part of the territory uncovered (contributions.partner_coverage) and
needs `confirm_gaps` then."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions import partner_coverage
from contributions.models import (
    CostBand,
    Outcome,
    PartnerProject,
    PartnerProjectPhoto,
    PartnerVote,
    PartnerVoteMode,
    PartnerVoteState,
    Project,
    Result,
)
from contributions.photos import PhotoError, process_photo
from contributions.services.partner_inputs import check_place, clean_links, one_of
from contributions.services.partner_votes import (
    cast_partner_vote,
    check_vote_period,
    record_paper_votes,
    withdraw_partner_vote,
)
from contributions.services.texts import clean_texts
from contributions.vocabulary import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from core.errors import DomainError, validated

__all__ = [
    "add_partner_photo",
    "cast_partner_vote",
    "check_vote_period",
    "close_partner_vote",
    "delete_partner_photo",
    "open_partner_vote",
    "publish_partner_project",
    "record_paper_votes",
    "save_partner_project",
    "set_outcome",
    "withdraw_partner_vote",
]

MAX_PHOTOS = 8
CREDIT_MAX_LENGTH = 200
ALT_MAX_LENGTH = 300
TIMELINE_MAX_LENGTH = 200


def _theme(project, theme):
    found = one_of(project.themes.all(), theme)
    if found is None:
        raise DomainError("unknown_theme", _("Choose one of the project's themes."), status=422)
    return found


def _partner(project, partner):
    if partner in (None, ""):
        return None
    found = one_of(project.partners.all(), partner)
    if found is None:
        raise DomainError("unknown_partner", _("Choose one of the project's partners."), status=422)
    return found


@transaction.atomic
def save_partner_project(
    *,
    project: Project,
    title: dict,
    location,
    theme,
    description: dict | None = None,
    partner=None,
    cost_band: str = "",
    timeline: dict | None = None,
    links=None,
    published: bool | None = None,
    position: int | None = None,
    partner_project_id=None,
) -> PartnerProject:
    """Creates (no `partner_project_id`) or edits a partner project."""
    titles = clean_texts(project, title, limit=TITLE_MAX_LENGTH, field="title")
    if not titles.get(project.main_language):
        raise DomainError(
            "title_required",
            _("Write the project's title in the project's main language."),
            status=422,
            extra={"field": "title"},
        )
    descriptions = clean_texts(
        project, description, limit=DESCRIPTION_MAX_LENGTH, field="description"
    )
    timelines = clean_texts(project, timeline, limit=TIMELINE_MAX_LENGTH, field="timeline")
    if cost_band not in ("", *CostBand.values):
        raise DomainError("invalid_cost_band", _("Choose one of the cost bands."), status=422)
    if partner_project_id is None:
        item = PartnerProject(project=project, published=False)
        if position is None:
            position = PartnerProject.objects.of_project(project).count()
    else:
        item = (
            PartnerProject.objects.select_for_update()
            .filter(project=project, pk=partner_project_id)
            .first()
        )
        if item is None:
            raise DomainError("not_found", _("No such partner project."), status=404)
    item.title, item.description, item.timeline = titles, descriptions, timelines
    item.location = check_place(project, location)
    item.theme = _theme(project, theme)
    item.partner = _partner(project, partner)
    item.cost_band = cost_band
    item.links = clean_links(links)
    if published is not None:
        item.published = bool(published)
    if position is not None:
        item.position = position
    validated(item, code="invalid", message=_("This project cannot be saved."), status=422)
    item.save()
    return item


@transaction.atomic
def publish_partner_project(
    *, partner_project: PartnerProject, published: bool = True
) -> PartnerProject:
    """Shows (or withdraws) the project publicly. One with votes is not withdrawn while the
    vote is open: its voters would lose their vote."""
    project = partner_project.project
    if (
        not published
        and project.partner_vote_state() == PartnerVoteState.OPEN
        and partner_project.votes.exists()
    ):
        raise DomainError(
            "has_votes",
            _("This project has votes: it stays published until the vote closes."),
            status=409,
        )
    partner_project.published = published
    partner_project.save(update_fields=["published", "updated_at"])
    return partner_project


@transaction.atomic
def add_partner_photo(
    *, partner_project: PartnerProject, upload, credit: str = "", alt: dict | None = None
) -> PartnerProjectPhoto:
    """A photo, checked and re-encoded without metadata, with its credit and alternative
    text per language, stored under partner_projects/<partner project id>/."""
    project = partner_project.project
    if partner_project.photos.count() >= MAX_PHOTOS:
        raise DomainError(
            "too_many_photos",
            _("A project has at most %(n)d photos.") % {"n": MAX_PHOTOS},
            status=422,
        )
    credit = (credit or "").strip() if isinstance(credit, str) else None
    if credit is None or len(credit) > CREDIT_MAX_LENGTH or "\x00" in credit:
        raise DomainError(
            "invalid_credit",
            _("Write the credit as text of at most %(n)d characters.") % {"n": CREDIT_MAX_LENGTH},
            status=422,
        )
    alts = clean_texts(project, alt, limit=ALT_MAX_LENGTH, field="alt")
    try:
        processed = process_photo(upload, filename=getattr(upload, "name", "") or "")
    except PhotoError as error:
        raise DomainError(error.code, error.message, status=422) from None
    photo = PartnerProjectPhoto(
        partner_project=partner_project,
        project=project,
        width=processed.width,
        height=processed.height,
        credit=credit,
        alt=alts,
        position=partner_project.photos.count(),
    )
    folder = partner_project.pk
    photo.image.save(f"{folder}/{photo.id}-large.jpg", ContentFile(processed.large), save=False)
    photo.thumbnail.save(
        f"{folder}/{photo.id}-thumbnail.jpg", ContentFile(processed.thumbnail), save=False
    )
    photo.save(force_insert=True)
    return photo


@transaction.atomic
def delete_partner_photo(*, photo: PartnerProjectPhoto) -> None:
    names = [photo.image.name, photo.thumbnail.name]
    photo.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names if name])


@transaction.atomic
def open_partner_vote(
    *,
    project: Project,
    opens_at,
    closes_at,
    mode: str = PartnerVoteMode.FOR_AGAINST,
    ranking_live: bool = False,
    confirm_gaps: bool = False,
) -> Project:
    """Sets the vote period, its mode and when the ranking is public. Refused without a
    published project (409 no_partner_projects), when the published projects leave a theme
    or a commune uncovered unless `confirm_gaps` (409 coverage_gaps, naming them), and a
    change of mode once votes exist (409 mode_locked)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if mode not in PartnerVoteMode.values:
        raise DomainError("invalid_mode", _("Choose how residents vote."), status=422)
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        raise DomainError(
            "invalid_period",
            _("Give the vote an opening date and a later closing date."),
            status=422,
        )
    if not PartnerProject.objects.of_project(project).published().exists():
        raise DomainError(
            "no_partner_projects",
            _("Publish at least one project before opening the vote."),
            status=409,
        )
    has_votes = PartnerVote.objects.filter(project=project).exists()
    if mode != project.partner_vote_mode and has_votes:
        raise DomainError(
            "mode_locked",
            _("Votes were already given: the way of voting can no longer change."),
            status=409,
        )
    coverage = partner_coverage.coverage(project)
    if coverage.has_gaps and not confirm_gaps:
        raise DomainError(
            "coverage_gaps",
            _(
                "The published projects leave %(themes)d themes and %(communes)d communes "
                "without any project. Confirm to open the vote anyway."
            )
            % {
                "themes": len(coverage.uncovered_themes),
                "communes": len(coverage.uncovered_communes),
            },
            status=409,
            extra=coverage.summary(),
        )
    project.partner_vote_mode = mode
    project.partner_vote_opens_at, project.partner_vote_closes_at = opens_at, closes_at
    project.partner_ranking_live = bool(ranking_live)
    validated(project, code="invalid", message=_("This period cannot be saved."), status=422)
    project.save(
        update_fields=[
            "partner_vote_mode",
            "partner_vote_opens_at",
            "partner_vote_closes_at",
            "partner_ranking_live",
            "updated_at",
        ]
    )
    return project


@transaction.atomic
def close_partner_vote(*, project: Project, moment=None) -> Project:
    """Closes an open vote now (its closing date becomes now)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    moment = moment or timezone.now()
    if project.partner_vote_state(moment) != PartnerVoteState.OPEN:
        raise DomainError("vote_not_open", _("The vote is not open."), status=409)
    project.partner_vote_closes_at = moment
    project.save(update_fields=["partner_vote_closes_at", "updated_at"])
    return project


@transaction.atomic
def set_outcome(
    *, partner_project: PartnerProject, outcome: str, answer: dict | None = None, result=None
) -> PartnerProject:
    """What became of the project (kept, changed, dropped, or "" not decided), with an answer
    per language (required in the main language once decided) and the "you said, we did"
    result that follows it, where one exists."""
    project = partner_project.project
    if outcome not in Outcome.values:
        raise DomainError("invalid_outcome", _("Choose kept, changed or dropped."), status=422)
    answers = clean_texts(project, answer, limit=DESCRIPTION_MAX_LENGTH, field="answer")
    if outcome and not answers.get(project.main_language):
        raise DomainError(
            "answer_required",
            _("Write the answer in the project's main language."),
            status=422,
            extra={"field": "answer"},
        )
    if result not in (None, ""):
        result = one_of(Result.objects.of_project(project), result)
        if result is None:
            raise DomainError(
                "unknown_result", _("Choose one of the project's results."), status=422
            )
    else:
        result = None
    partner_project.outcome, partner_project.outcome_answer = outcome, answers
    partner_project.result = result
    partner_project.save(update_fields=["outcome", "outcome_answer", "result", "updated_at"])
    return partner_project
