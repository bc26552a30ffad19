"""What the followers of a place are told, and when.

Matching runs in PostGIS: when a contribution is published or its status changes, one query
joins its public geometry against the place follows with ST_Intersects (the GiST index on
`geom`), for its project or all projects, confirmed only. No subscription is scanned in
Python. Immediate followers get one email per event; the others get a PlaceEvent row that
`send_digests` (the `send_place_digests` command) turns into one email per follower.

An email names only public items (never hidden or awaiting moderation), by their public title
and link, and nobody's personal data.
"""

import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core import mail
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contributions import email_links
from contributions.models import (
    PUBLIC_STATUSES,
    Contribution,
    Frequency,
    PlaceEvent,
    PlaceEventKind,
    PlaceFollow,
    Status,
)
from core.emails import plain_email
from core.errors import DomainError
from core.postgis import STORAGE_SRID

DIGEST_PERIODS = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(days=7)}


def language_of(code: str) -> str:
    """A language the site speaks: `code`'s, else the site's."""
    code = (code or "").split("-")[0].lower()
    known = [language for language, _name in settings.LANGUAGES]
    return code if code in known else settings.LANGUAGE_CODE


def purge_unconfirmed(*, now=None) -> int:
    """Unconfirmed follows whose link has expired are deleted: an address someone typed and
    nobody confirmed is not kept."""
    now = now or timezone.now()
    removed, _details = PlaceFollow.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - email_links.LINK_LIFETIME
    ).delete()
    return removed


# ------------------------------------------------------------------ matching


# Raw SQL: one join of the contribution's public geometry against the follows' GiST index,
# the fast path that keeps matching independent of the number of subscriptions.
MATCH_CONTRIBUTION_SQL = """
SELECT f.id
FROM contributions_contribution c
JOIN contributions_placefollow f ON ST_Intersects(f.geom, c.public_geom)
WHERE c.id = %s
  AND c.status = ANY(%s)
  AND f.confirmed_at IS NOT NULL
  AND (f.project_id IS NULL OR f.project_id = c.project_id)
"""

MATCH_GEOMETRY_SQL = """
SELECT f.id
FROM contributions_placefollow f
WHERE ST_Intersects(f.geom, ST_GeomFromEWKB(%s))
  AND f.confirmed_at IS NOT NULL
  AND (f.project_id IS NULL OR f.project_id = %s)
"""


def matching_follow_ids(*, contribution_id=None, geometry=None, project_id=None) -> list:
    """The confirmed place follows a public contribution (or a geometry of a project) falls
    in: one PostGIS query over the GiST index."""
    with connection.cursor() as cursor:
        if contribution_id is not None:
            cursor.execute(MATCH_CONTRIBUTION_SQL, [contribution_id, list(PUBLIC_STATUSES)])
        else:
            geometry = GEOSGeometry(geometry)
            if geometry.srid is None:
                geometry.srid = STORAGE_SRID
            cursor.execute(MATCH_GEOMETRY_SQL, [bytes(geometry.ewkb), project_id])
        return [row[0] for row in cursor.fetchall()]


def notify_place_followers(kind: str, item, geometry=None, *, project=None, details=None):
    """Tells the followers of the places `item` falls in. For a contribution, its public
    geometry is used (read in the query); for anything else (a result) give `geometry` (its
    public location), `project`, and `details` {"title", "path"} for the email. Immediate
    followers are emailed now, the others get a PlaceEvent for their digest."""
    if isinstance(item, Contribution):
        ids = matching_follow_ids(contribution_id=item.pk)
        contribution = item
    else:
        ids = matching_follow_ids(geometry=geometry, project_id=getattr(project, "pk", project))
        contribution = None
    if not ids:
        return 0
    follows = list(PlaceFollow.objects.filter(pk__in=ids).order_by("created_at", "pk"))
    digests = [f for f in follows if f.frequency != Frequency.IMMEDIATE]
    PlaceEvent.objects.bulk_create(
        PlaceEvent(follow=f, contribution=contribution, kind=kind, details=details or {})
        for f in digests
    )
    immediate = [f for f in follows if f.frequency == Frequency.IMMEDIATE]
    if immediate:
        event = _Event(kind=kind, contribution=contribution, details=details or {})
        messages = [_event_email(follow, event) for follow in immediate]
        mail.get_connection().send_messages(messages)
    return len(follows)


def _after_commit(kind, contribution_id):
    def run():
        contribution = Contribution.objects.filter(pk=contribution_id).first()
        if contribution is not None:
            notify_place_followers(kind, contribution)

    # Robust: a mail server down must not turn the moderator's saved decision into an error
    # (Django logs the exception).
    transaction.on_commit(run, robust=True)


def on_moderated(contribution, *, first_published: bool) -> None:
    """staff.services.moderation: a contribution published for the first time."""
    if first_published:
        _after_commit(PlaceEventKind.PUBLISHED, contribution.pk)


def on_status_change(contribution) -> None:
    """staff.services.answers: a status change, with its official answer."""
    _after_commit(PlaceEventKind.STATUS, contribution.pk)


# ------------------------------------------------------------------ emails


@dataclass
class _Event:
    kind: str
    contribution: Contribution | None
    details: dict
    created_at: object = None


def _site_link(name, args):
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _event_context(event: _Event) -> dict:
    contribution = event.contribution
    if contribution is None:
        return {
            "kind": event.kind,
            "kind_label": PlaceEventKind(event.kind).label,
            "title": event.details.get("title", ""),
            "link": settings.SITE_URL + event.details["path"] if event.details.get("path") else "",
            "status": "",
            "answer": "",
        }
    return {
        "kind": event.kind,
        "kind_label": PlaceEventKind(event.kind).label,
        "title": contribution.title,
        "project": contribution.project.display_title,
        "status": Status(contribution.status).label,
        "answer": (
            contribution.project.answer_in(contribution.answer_texts, contribution.answer).text
            if event.kind == PlaceEventKind.STATUS
            else ""
        ),
        "link": _site_link("contribution", [contribution.project.slug, contribution.pk]),
    }


def _event_email(follow: PlaceFollow, event: _Event):
    language = language_of(follow.language)
    with translation.override(language):
        unfollow = _site_link("place-unfollow", [follow.token])
        context = {
            "place": follow.display_label(),
            "event": _event_context(event),
            "unfollow": unfollow,
        }
        return plain_email(
            "contributions/email/place_event",
            context,
            to=follow.email,
            language=language,
            unfollow=unfollow,
        )


def _digest_email(follow: PlaceFollow, events: list):
    language = language_of(follow.language)
    with translation.override(language):
        unfollow = _site_link("place-unfollow", [follow.token])
        context = {
            "place": follow.display_label(),
            "events": [_event_context(event) for event in events],
            "count": len(events),
            "unfollow": unfollow,
        }
        return plain_email(
            "contributions/email/place_digest",
            context,
            to=follow.email,
            language=language,
            unfollow=unfollow,
        )


def _still_public(event: PlaceEvent) -> bool:
    # Hidden since, or never public: not told.
    if event.contribution_id is None:
        return True
    return event.contribution.status in PUBLIC_STATUSES


def send_digests(*, frequency: str, now=None) -> int:
    """One email per confirmed follower of this frequency with events since their last
    digest, listing them; the events are then deleted and `last_digest_at` set. Returns how
    many emails were sent."""
    if frequency not in DIGEST_PERIODS:
        raise DomainError("unknown_frequency", _("Choose daily or weekly."), status=422)
    now = now or timezone.now()
    purge_unconfirmed(now=now)
    follows = PlaceFollow.objects.filter(
        frequency=frequency, confirmed_at__isnull=False, events__isnull=False
    ).distinct()
    sent = 0
    for follow in follows.order_by("created_at", "pk"):
        with transaction.atomic():
            events = list(
                PlaceEvent.objects.select_for_update(of=("self",))
                .filter(follow=follow, created_at__lte=now)
                .select_related("contribution__project")
                .order_by("created_at", "pk")
            )
            shown, seen = [], set()
            for event in events:
                key = (event.contribution_id, event.kind, json.dumps(event.details))
                if _still_public(event) and key not in seen:
                    seen.add(key)
                    shown.append(
                        _Event(
                            kind=event.kind,
                            contribution=event.contribution,
                            details=event.details,
                            created_at=event.created_at,
                        )
                    )
            if shown:
                _digest_email(follow, shown).send()
                sent += 1
            PlaceEvent.objects.filter(pk__in=[event.pk for event in events]).delete()
            PlaceFollow.objects.filter(pk=follow.pk).update(last_digest_at=now)
    return sent
