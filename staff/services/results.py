"""Results ("you said, we did"): recording what the services decided or did, its milestones and
the contributions it answers; each write is audited, and the confirmed followers of those
contributions are emailed once each after the commit (staff.services.emails.result_email).

Rules: a title in the project's main language; texts only in the project's languages, none
with a NUL or longer than the limits; progress a whole number from 0 to 100, and "done" is
100 (set here, checked by the database); a drawn place is a valid point, line or area; the
contributions answered are public contributions of the same project."""

import math
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions.models import (
    Contribution,
    MilestonePhoto,
    Result,
    ResultMilestone,
    ResultStatus,
)
from contributions.models.places import PlaceEventKind
from contributions.photos import PhotoError, process_photo
from contributions.results import public_results
from contributions.services.places import notify_place_followers
from contributions.services.texts import clean_texts
from contributions.vocabulary import RESULT_TEXT_MAX_LENGTH, RESULT_TITLE_MAX_LENGTH
from core.errors import DomainError, validated
from core.postgis import STORAGE_SRID
from staff.models import Action, AuditEntry, Target
from staff.services.audit import require
from staff.services.emails import result_email, result_followers, send_after_commit

MAX_CONTRIBUTIONS = 500
PLACE_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
# What a change must touch for followers to be told (a reworded text alone is not news).
NEWS = ("created", "status", "progress", "milestone")


def parse_progress(value) -> int:
    """A whole number of percent from 0 to 100 (an int, or text of digits); else a 422."""
    refused = DomainError(
        "invalid_progress", _("Give the progress as a whole number from 0 to 100."), status=422
    )
    if isinstance(value, bool):
        raise refused
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise refused
        value = int(value)
    elif isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 3:
            raise refused
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= 100:
        raise refused
    return value


def _place(geom):
    if geom is None:
        return None
    if geom.empty or geom.geom_type not in PLACE_TYPES or not geom.valid:
        raise DomainError(
            "invalid_geometry",
            _("Draw the place as a valid point, line or area (not crossing itself)."),
            status=422,
        )
    if geom.srid is None:
        geom.srid = STORAGE_SRID
    return geom


def _contributions(project, ids) -> list:
    try:
        wanted = {uuid.UUID(str(value)) for value in ids or ()}
    except (ValueError, TypeError, AttributeError):
        raise DomainError(
            "unknown_contribution", _("A contribution chosen does not exist."), status=422
        ) from None
    if len(wanted) > MAX_CONTRIBUTIONS:
        raise DomainError(
            "too_many",
            _("A result answers at most %(n)d contributions.") % {"n": MAX_CONTRIBUTIONS},
            status=422,
        )
    found = list(Contribution.objects.filter(project=project, pk__in=wanted))
    if len(found) != len(wanted):
        raise DomainError(
            "unknown_contribution",
            _("A contribution chosen is not one of this project's."),
            status=422,
        )
    public = set(Contribution.objects.filter(pk__in=wanted).public().values_list("pk", flat=True))
    if public != wanted:
        raise DomainError(
            "hidden_contribution",
            _("Only public contributions can be answered by a result."),
            status=422,
        )
    return found


def _audit(*, actor, result, action, details, now):
    # staff.services.audit.audit names contributions and comments; a result is its own kind.
    AuditEntry.objects.create(
        project=result.project,
        actor=actor,
        actor_name=actor.get_username(),
        action=action,
        target_type=Target.RESULT,
        target_id=result.pk,
        target_title=result.project.answer_in(result.title).text[:140],
        details=details,
        created_at=now,
    )


def _notify(result, changes):
    if not any(change in NEWS for change in changes):
        return
    answered = result.contributions.public()
    send_after_commit(
        [
            result_email(result=result, changes=changes, recipient=recipient)
            for recipient in result_followers(answered)
        ]
    )
    transaction.on_commit(lambda: _notify_places(result.pk), robust=True)


def _notify_places(result_id):
    """The followers of the places the result lies in (contributions.services.places), told
    once it is saved; its place as the public reads it (drawn, or its contributions')."""
    result = _placed(result_id)
    if result is None or result.place is None:
        return
    project = result.project
    try:
        path = reverse("result", args=[project.slug, result.pk])
    except NoReverseMatch:
        path = ""
    notify_place_followers(
        PlaceEventKind.RESULT,
        result,
        geometry=result.place,
        project=project,
        details={"title": project.answer_in(result.title).text, "path": path},
    )


def _placed(result_id):
    result = Result.objects.filter(pk=result_id).select_related("project").first()
    return public_results(result.project).filter(pk=result_id).first() if result else None


@transaction.atomic
def save_result(
    *,
    actor,
    project,
    title: dict,
    text: dict | None = None,
    status: str = ResultStatus.STUDIED,
    progress=0,
    geom=None,
    contribution_ids=(),
    result_id=None,
    now=None,
) -> Result:
    """Creates (no `result_id`) or edits a result; tells followers of what changed."""
    require(actor, project, "results")
    titles = clean_texts(project, title, limit=RESULT_TITLE_MAX_LENGTH, field="title")
    texts = clean_texts(project, text, limit=RESULT_TEXT_MAX_LENGTH, field="text")
    if not titles.get(project.main_language):
        raise DomainError(
            "title_required",
            _("Write the result's title in the project's main language."),
            status=422,
        )
    if status not in ResultStatus.values:
        raise DomainError(
            "unknown_status",
            _("Choose one of these statuses: %(statuses)s.")
            % {"statuses": ", ".join(str(label) for label in ResultStatus.labels)},
            status=422,
        )
    progress = parse_progress(progress)
    if status == ResultStatus.DONE:
        progress = 100
    geom = _place(geom)
    answered = _contributions(project, contribution_ids)
    now = now or timezone.now()
    if result_id is None:
        result, before = Result(project=project), None
    else:
        result = Result.objects.select_for_update().filter(project=project, pk=result_id).first()
        if result is None:
            raise DomainError("not_found", _("No such result."), status=404)
        before = {"status": result.status, "progress": result.progress}
    result.title, result.text, result.status = titles, texts, status
    result.progress, result.geom = progress, geom
    validated(result, code="invalid", message=_("This result cannot be saved."), status=422)
    result.save()
    old = set(result.contributions.values_list("pk", flat=True)) if before else set()
    result.contributions.set(answered)
    changes = (
        ["created"]
        if before is None
        else [name for name in ("status", "progress") if before[name] != getattr(result, name)]
    )
    _audit(
        actor=actor,
        result=result,
        action=Action.RESULT,
        details={
            "changes": changes,
            "status": status,
            "progress": progress,
            "contributions": sorted(str(c.pk) for c in answered),
            "added": sorted(str(c.pk) for c in answered if c.pk not in old),
        },
        now=now,
    )
    _notify(result, changes)
    return result


@transaction.atomic
def add_milestone(
    *, actor, result: Result, date, text: dict, photo=None, now=None
) -> ResultMilestone:
    """Adds a dated milestone (a text per project language, an optional photo checked and
    re-encoded as residents' photos are) and tells the followers."""
    project = result.project
    require(actor, project, "results")
    texts = clean_texts(project, text, limit=RESULT_TEXT_MAX_LENGTH, field="milestone")
    if not texts:
        raise DomainError(
            "text_required", _("Write the milestone in at least one language."), status=422
        )
    result = Result.objects.select_for_update().get(pk=result.pk)
    milestone = ResultMilestone(result=result, date=date, text=texts)
    validated(milestone, code="invalid", message=_("This milestone cannot be saved."), status=422)
    processed = _processed(photo)
    milestone.save()
    if processed is not None:
        _save_photo(result, milestone, processed)
    now = now or timezone.now()
    result.save(update_fields=["updated_at"])
    _audit(
        actor=actor,
        result=result,
        action=Action.MILESTONE,
        details={"date": date.isoformat(), "text": texts, "photo": processed is not None},
        now=now,
    )
    _notify(result, ["milestone"])
    return milestone


def _processed(photo):
    if photo is None:
        return None
    try:
        return process_photo(photo, filename=getattr(photo, "name", "") or "")
    except PhotoError as error:
        raise DomainError(error.code, error.message, status=422) from None


def _save_photo(result, milestone, processed):
    photo = MilestonePhoto(milestone=milestone, width=processed.width, height=processed.height)
    # Under results/<result id>/ (upload_to), so a result's photos are one folder.
    folder = result.pk
    photo.large.save(f"{folder}/{photo.id}-large.jpg", ContentFile(processed.large), save=False)
    photo.thumbnail.save(
        f"{folder}/{photo.id}-thumbnail.jpg", ContentFile(processed.thumbnail), save=False
    )
    photo.save(force_insert=True)
