"""Writes for privacy: location rules, profile answers, erasure and retention.

Erasure and retention anonymise rather than delete: a contribution, comment or vote stays
(the map, the counts and the answers keep their meaning) and every link to the person goes.
"""

import io
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from contributions.models import (
    AbuseReport,
    Comment,
    Contribution,
    Follow,
    IdempotencyRecord,
    PartnerVote,
    Photo,
    PlaceFollow,
    Project,
    Vote,
)
from contributions.participants import user_participant
from contributions.selectors import PUBLIC_GEOM
from core.errors import DomainError, validated
from privacy import selectors
from privacy.models import LocationRule, ParticipantProfile
from questionnaires import services as questionnaire_services
from territories.models import Territory

logger = logging.getLogger("privacy")


# ----------------------------------------------------------------- public locations


@dataclass(frozen=True)
class RuleSpec:
    method: str
    precision_m: int
    kind: str = ""
    theme: str | None = None  # a theme slug of the project


@transaction.atomic
def set_location_rules(*, project: Project, rules: list[RuleSpec]) -> int:
    """Replaces the project's location rules and recomputes its public locations.

    Returns how many contributions moved. The map's counts follow (layers triggers).
    """
    LocationRule.objects.filter(project=project).delete()
    for spec in rules:
        rule = LocationRule(
            project=project,
            kind=spec.kind,
            theme=project.themes.get(slug=spec.theme) if spec.theme else None,
            method=spec.method,
            precision_m=spec.precision_m,
        )
        validated(rule, code="invalid_location_rule", message=_("This location rule is not valid."))
        rule.save()
    return recompute_public_locations(project=project)


def recompute_public_locations(*, project: Project) -> int:
    """Brings every public location of the project in line with its rules, in one UPDATE
    (only the rows that change are written)."""
    # Why raw SQL: the rule is the database's own function, shared with the insert trigger
    # (privacy 0001).
    expression = "privacy_public_location(id, project_id, kind, theme_id, geom)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE contributions_contribution SET {PUBLIC_GEOM} = {expression}"  # noqa: S608
            f" WHERE project_id = %s AND {PUBLIC_GEOM} IS DISTINCT FROM {expression}",
            [project.pk],
        )
        return cursor.rowcount


# ----------------------------------------------------------------- profile answers


def record_profile(*, contribution: Contribution, age_bracket: str = "", residence: str = ""):
    """Stores the opt-in profile answers of a contribution; nothing when none is given.

    `residence` is a commune code. Wrong answers are refused like the submission's other
    properties (code "invalid", the field named), since they arrive with it
    (receivers.record_submitted_profile)."""
    if not (age_bracket or residence):
        return None
    commune = None
    if residence:
        commune = Territory.objects.filter(
            code=residence, kind="commune", valid_until__isnull=True
        ).first()
        if commune is None:
            raise DomainError(
                "invalid",
                _("Some values are missing or not valid."),
                extra={"fields": {"residence": [_("There is no commune with this code.")]}},
            )
    profile = ParticipantProfile(
        contribution=contribution, age_bracket=age_bracket, residence=commune
    )
    validated(
        profile,
        code="invalid",
        message=_("Some values are missing or not valid."),
        exclude=["contribution"],
    )
    profile.save()
    return profile


# ----------------------------------------------------------------- erasure


@dataclass
class ErasureReport:
    contributions: int = 0
    profiles: int = 0
    follows: int = 0
    comments: int = 0
    votes: int = 0
    abuse_reports: int = 0
    idempotency_records: int = 0
    photos_deleted: int = 0
    photos_cleaned: int = 0
    questionnaire_responses: int = 0
    account_deleted: bool = False
    details: dict = field(default_factory=dict)


def _erased_participant() -> str:
    # Keeps one vote per participant meaningful without saying who the participant was.
    return f"erased:{uuid.uuid4().hex}"


@transaction.atomic
def erase_person(*, user=None, email: str | None = None, delete_photos=False) -> ErasureReport:
    """Removes every link between a person and what they made, and deletes their account.

    A user: their account (and allauth's addresses), author links of contributions and
    comments, votes' and reports' participant ids, follows, profile answers, idempotency
    records and every address on their contributions. An email: what is tied to it only
    (contributions left under it, follows, profile answers, votes confirmed from it).
    Contributions, comments and votes stay, anonymous; the user's questionnaire responses
    are deleted. Photos are deleted when asked, otherwise checked to carry no metadata.
    """
    if user is None and not email:
        raise ValueError("a user or an email is needed")
    if user is not None and user.audit_entries.exists():
        raise DomainError(
            "staff_records",
            _(
                "This account has staff decisions on record, which the audit log keeps: "
                "ask an administrator to deactivate it instead."
            ),
            status=409,
        )
    report = ErasureReport()
    emails = selectors.user_emails(user) if user else {email.lower()}
    by_email = Q(pk__in=[])
    for address in emails:
        by_email |= Q(email__iexact=address)
    contributions = Contribution.objects.filter(
        by_email | (Q(author=user) if user else Q(pk__in=[]))
    )
    ids = list(contributions.values_list("pk", flat=True))
    report.contributions = len(ids)
    report.profiles = ParticipantProfile.objects.filter(contribution_id__in=ids).delete()[0]
    photos = Photo.objects.filter(contribution_id__in=ids)
    if delete_photos:
        for photo in photos:
            photo.large.delete(save=False)
            photo.thumbnail.delete(save=False)
        report.photos_deleted = photos.delete()[0]
    else:
        report.photos_cleaned = sum(_strip_metadata(photo) for photo in photos)
    # update(): the author link and the address go; nothing else of the contribution moves.
    Contribution.objects.filter(pk__in=ids).update(author=None, email="")
    follows = Follow.objects.filter(by_email | (Q(user=user) if user else Q(pk__in=[])))
    report.follows = follows.delete()[0]
    report.follows += PlaceFollow.objects.filter(
        by_email | (Q(user=user) if user else Q(pk__in=[]))
    ).delete()[0]
    # Votes stay counted, no longer tied to the account or the address they came through.
    for vote in selectors.voted_by(user=user, emails=emails):
        vote.user, vote.participant = None, _erased_participant()
        vote.save(update_fields=["user", "participant"])
        report.votes += 1
    # Votes on partner projects likewise; the comment is the person's own text and goes.
    for vote in selectors.partner_votes_of(user=user, emails=emails):
        vote.user, vote.participant, vote.comment = None, _erased_participant(), ""
        vote.save(update_fields=["user", "participant", "comment"])
        report.votes += 1
    if user is not None:
        participant = user_participant(user)
        report.comments = Comment.objects.filter(author=user).update(author=None)
        for abuse in AbuseReport.objects.filter(participant=participant):
            abuse.participant = _erased_participant()
            abuse.save(update_fields=["participant"])
            report.abuse_reports += 1
        report.idempotency_records = IdempotencyRecord.objects.filter(
            scope__endswith=f":{participant}"
        ).delete()[0]
        # Staff links of others (recorded_by, changed_by) are not theirs; their own go.
        Contribution.objects.filter(recorded_by=user).update(recorded_by=None)
        # Questionnaire responses are deleted, not anonymised: they are answers about the
        # person (where they live, work, feel unsafe), with no public life of their own.
        report.questionnaire_responses = questionnaire_services.erase_responses(user=user)
        user.delete()  # allauth's email addresses and confirmations go with it (CASCADE)
        report.account_deleted = True
    logger.info(
        "erasure: %s contributions anonymised, %s follows, %s comments, %s votes removed from "
        "a person (%s)",
        report.contributions,
        report.follows,
        report.comments,
        report.votes,
        "account" if user is not None else "email link",
    )
    return report


def _strip_metadata(photo) -> bool:
    """Re-checks a stored photo for metadata (EXIF, XMP, comments); rewrites it without.

    Uploads are stripped already (contributions.photos): this is the belt to those braces,
    for files stored before that or by other means. True when a file was rewritten."""
    rewritten = False
    for stored in (photo.large, photo.thumbnail):
        if not stored:
            continue
        try:
            with stored.open("rb") as handle:
                image = Image.open(handle)
                image.load()
        except (OSError, ValueError):
            continue
        if not (
            image.getexif()
            or image.info.get("exif")
            or image.info.get("xmp")
            or image.info.get("comment")
        ):
            continue
        buffer = io.BytesIO()
        # Pillow writes no metadata it is not handed: the pixels alone are saved.
        image.convert("RGB").save(buffer, "JPEG", quality=85)
        name = stored.name
        stored.storage.delete(name)
        stored.storage.save(name, buffer)
        rewritten = True
    return rewritten


def delete_account(*, user, delete_photos=False) -> ErasureReport:
    return erase_person(user=user, delete_photos=delete_photos)


# ----------------------------------------------------------------- retention


@dataclass
class RetentionReport:
    projects: list[str] = field(default_factory=list)
    emails: int = 0
    follows: int = 0
    profiles: int = 0
    authors: int = 0
    comment_authors: int = 0
    votes: int = 0
    abuse_reports: int = 0
    questionnaire_respondents: int = 0

    @property
    def total(self):
        return (
            self.emails
            + self.follows
            + self.profiles
            + self.authors
            + self.comment_authors
            + self.votes
            + self.abuse_reports
            + self.questionnaire_respondents
        )


@transaction.atomic
def apply_retention(*, now=None, days: int | None = None, dry_run=False) -> RetentionReport:
    """Removes the personal data of projects closed more than `days` ago (RETENTION_DAYS):
    emails, follows, profile answers, author links of contributions and comments, votes' and
    reports' participant ids, questionnaire responses' accounts. Contributions, comments,
    votes and responses stay, anonymous. Open projects and projects closed more recently
    are left alone. Idempotent."""
    now = now or timezone.now()
    days = settings.RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    projects = list(Project.objects.filter(closes_at__isnull=False, closes_at__lte=cutoff))
    report = RetentionReport()
    for project in projects:
        contributions = Contribution.objects.filter(project=project)
        counts = {
            "emails": contributions.exclude(email="").update(email=""),
            "authors": contributions.filter(author__isnull=False).update(author=None),
            # A place followed in this project only goes with it; one followed in every
            # project stays, as the person asked.
            "follows": Follow.objects.filter(contribution__project=project).delete()[0]
            + PlaceFollow.objects.filter(project=project).delete()[0],
            "profiles": ParticipantProfile.objects.filter(contribution__project=project).delete()[
                0
            ],
            "comment_authors": Comment.objects.filter(
                contribution__project=project, author__isnull=False
            ).update(author=None),
            "votes": 0,
            "abuse_reports": 0,
            # Responses stay, under their pseudonymous id only.
            "questionnaire_respondents": questionnaire_services.forget_respondents(project=project),
        }
        for vote in Vote.objects.filter(contribution__project=project).exclude(
            participant__startswith="erased:"
        ):
            vote.user, vote.participant = None, _erased_participant()
            vote.save(update_fields=["user", "participant"])
            counts["votes"] += 1
        for vote in PartnerVote.objects.filter(project=project).exclude(
            participant__startswith="erased:"
        ):
            vote.user, vote.participant = None, _erased_participant()
            vote.save(update_fields=["user", "participant"])
            counts["votes"] += 1
        for abuse in AbuseReport.objects.filter(contribution__project=project).exclude(
            participant__startswith="erased:"
        ):
            abuse.participant = _erased_participant()
            abuse.save(update_fields=["participant"])
            counts["abuse_reports"] += 1
        if any(counts.values()):
            report.projects.append(project.slug)
        for name, value in counts.items():
            setattr(report, name, getattr(report, name) + value)
        logger.info(
            "retention: project %s (closed %s, kept %s days): %s",
            project.slug,
            project.closes_at.date().isoformat(),
            days,
            ", ".join(f"{value} {name}" for name, value in counts.items()),
        )
    if dry_run:
        transaction.set_rollback(True)
    return report


def user_by_email(email: str):
    """The account holding this address, if any (for staff handling a request by post)."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        try:
            from allauth.account.models import EmailAddress

            address = EmailAddress.objects.filter(email__iexact=email).select_related("user")
            user = address.first().user if address.exists() else None
        except LookupError:
            pass
    return user
