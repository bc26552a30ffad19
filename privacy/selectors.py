"""Reads for the privacy rights: everything held about a person, and aggregate profiles."""

import io
import json

from django.db.models import Count, Q
from django.utils import timezone

from contributions.models import (
    AbuseReport,
    Comment,
    Contribution,
    Follow,
    PartnerVote,
    PlaceFollow,
    Project,
    Vote,
)
from contributions.participants import email_participant, user_participant
from core import geojson
from core.escaping import SpreadsheetWriter
from privacy.models import ParticipantProfile
from questionnaires.selectors import responses_of

# Groups smaller than this are never shown: a bracket of two in a small commune names people.
MIN_GROUP = 5


def user_emails(user) -> set[str]:
    """Every address a user account holds (the account's and allauth's), lower-cased."""
    emails = {user.email.lower()} if user.email else set()
    try:
        from allauth.account.models import EmailAddress

        emails |= {
            e.lower()
            for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        }
    except LookupError:  # allauth not installed
        pass
    return emails


def _email_filter(emails, field="email"):
    query = Q(pk__in=[])
    for email in emails:
        query |= Q(**{f"{field}__iexact": email})
    return query


def held_contributions(*, user=None, email=None):
    """The contributions a person made: as author, or under one of their addresses."""
    emails = user_emails(user) if user else {email.lower()}
    query = _email_filter(emails)
    if user is not None:
        query |= Q(author=user)
    return Contribution.objects.filter(query)


def holds_anything(email: str) -> bool:
    emails = {email.lower()}
    return (
        Contribution.objects.filter(_email_filter(emails)).exists()
        or Follow.objects.filter(_email_filter(emails)).exists()
        or PlaceFollow.objects.filter(_email_filter(emails)).exists()
    )


def _iso(moment):
    return moment.isoformat() if moment else None


def voted_by(*, user=None, emails=()):
    """The votes of a person: their account's, and those confirmed from their addresses
    (the participant a confirmed address votes as, contributions.participants)."""
    people = [email_participant(address) for address in emails]
    if user is not None:
        people.append(user_participant(user))
    return Vote.objects.filter(Q(participant__in=people) | (Q(user=user) if user else Q(pk__in=[])))


def partner_votes_of(*, user=None, emails=()):
    """The person's votes on partner projects, under the same participant keys."""
    people = [email_participant(address) for address in emails]
    if user is not None:
        people.append(user_participant(user))
    return PartnerVote.objects.filter(
        Q(participant__in=people) | (Q(user=user) if user else Q(pk__in=[]))
    )


def personal_data(*, user=None, email=None) -> dict:
    """What the application holds about a person (a user, or an email without an account).

    Only what they made or gave: their contributions (with their exact location), profile
    answers, comments, votes, follows and reports. Nothing of others: no one else's comment,
    vote or address, even on their contributions.
    """
    emails = sorted(user_emails(user)) if user else [email.lower()]
    participant = user_participant(user) if user else None
    contributions = (
        held_contributions(user=user, email=email)
        .select_related("project", "theme", "commune")
        .prefetch_related("photos")
        .order_by("created_at", "id")
    )
    data = {
        "generated_at": timezone.now().isoformat(),
        "subject": {"emails": emails},
        "contributions": [
            {
                "id": str(c.pk),
                "project": c.project.slug,
                "kind": c.kind,
                "sentiment": c.sentiment,
                "theme": c.theme.slug,
                "title": c.title,
                "description": c.description,
                "location": geojson.geometry(c.geom),
                "public_location": geojson.geometry(c.public_geom),
                "commune": c.commune.code if c.commune else None,
                "email": c.email,
                "language": c.language,
                "channel": c.channel,
                "consent_at": _iso(c.consent_at),
                "terms_version": c.terms_version,
                "status": c.status,
                "answer": c.answer,
                "created_at": _iso(c.created_at),
                "photos": [f"/photos/{p.pk}/large.jpg" for p in c.photos.all()],
            }
            for c in contributions
        ],
        "profiles": [
            {
                "contribution": str(p.contribution_id),
                "age_bracket": p.age_bracket,
                "commune_of_residence": p.residence.code if p.residence else None,
            }
            for p in ParticipantProfile.objects.filter(
                contribution__in=contributions
            ).select_related("residence")
        ],
        "follows": [
            {
                "contribution": str(f.contribution_id),
                "email": f.email,
                "created_at": _iso(f.created_at),
            }
            for f in Follow.objects.filter(
                _email_filter(emails) | (Q(user=user) if user else Q(pk__in=[]))
            ).order_by("created_at")
        ],
        "place_follows": [
            {
                "place": f.label,
                "kind": f.kind,
                "project": f.project.slug if f.project_id else None,
                "frequency": f.frequency,
                "email": f.email,
                "confirmed_at": _iso(f.confirmed_at),
                "created_at": _iso(f.created_at),
            }
            for f in PlaceFollow.objects.filter(
                _email_filter(emails) | (Q(user=user) if user else Q(pk__in=[]))
            )
            .select_related("project")
            .order_by("created_at")
        ],
        "comments": [],
        # Votes given by the account or through a link sent to one of the addresses.
        "votes": [
            {"contribution": str(v.contribution_id), "created_at": _iso(v.created_at)}
            for v in voted_by(user=user, emails=emails).order_by("created_at")
        ],
        "partner_votes": [
            {
                "partner_project": str(v.partner_project_id),
                "value": v.value,
                "comment": v.comment,
                "commune_of_residence": v.commune.code if v.commune_id else None,
                "created_at": _iso(v.created_at),
                "updated_at": _iso(v.updated_at),
            }
            for v in partner_votes_of(user=user, emails=emails)
            .select_related("commune")
            .order_by("created_at")
        ],
        "abuse_reports": [],
        "questionnaire_responses": [],
    }
    if user is not None:
        data["questionnaire_responses"] = responses_of(user)
        user_data = {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        }
        data["subject"]["account"] = user_data
        data["comments"] = [
            {
                "id": str(c.pk),
                "contribution": str(c.contribution_id),
                "body": c.body,
                "status": c.status,
                "created_at": _iso(c.created_at),
            }
            for c in Comment.objects.filter(author=user).order_by("created_at")
        ]
        data["abuse_reports"] = [
            {
                "contribution": str(r.contribution_id),
                "comment": str(r.comment_id) if r.comment_id else None,
                "reason": r.reason,
                "created_at": _iso(r.created_at),
            }
            for r in AbuseReport.objects.filter(participant=participant).order_by("created_at")
        ]
    return data


def personal_data_csv(data: dict) -> str:
    """The same data as one CSV table: section, record, field, value (a spreadsheet opens it)."""
    buffer = io.StringIO()
    # The person's own texts, opened in a spreadsheet: one that reads as a formula stays text.
    writer = SpreadsheetWriter(buffer)
    writer.writerow(["section", "record", "field", "value"])
    for field, value in data["subject"].items():
        writer.writerow(["subject", "", field, json.dumps(value, ensure_ascii=False)])
    for section in (
        "contributions",
        "profiles",
        "follows",
        "comments",
        "votes",
        "partner_votes",
        "abuse_reports",
        "questionnaire_responses",
    ):
        for number, record in enumerate(data[section], start=1):
            for field, value in record.items():
                if not isinstance(value, str) and value is not None:
                    value = json.dumps(value, ensure_ascii=False)
                writer.writerow([section, number, field, "" if value is None else value])
    return buffer.getvalue()


def profile_aggregates(project: Project) -> dict:
    """Opt-in profile answers of a project's contributions, counted per answer.

    Answers given by fewer than MIN_GROUP people are never shown: they are pooled as
    "other" when that pool reaches MIN_GROUP, and otherwise only flagged as suppressed.
    """
    profiles = ParticipantProfile.objects.filter(contribution__project=project)

    def counted(rows, label):
        groups, small = {}, 0
        for row in rows.values(label).annotate(n=Count("id")).order_by(label):
            if row["n"] >= MIN_GROUP:
                groups[row[label]] = row["n"]
            else:
                small += row["n"]
        return {
            "groups": groups,
            "other": small if small >= MIN_GROUP else None,
            "suppressed": bool(small),
        }

    return {
        "min_group": MIN_GROUP,
        "age_bracket": counted(profiles.exclude(age_bracket=""), "age_bracket"),
        "residence": counted(profiles.exclude(residence__isnull=True), "residence__code"),
    }
