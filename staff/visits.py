"""Visits counted without cookies and without keeping anyone's IP address.

A visitor of a project page on a day is sha256(salt + IP + user agent + project), where the
salt is random, shared by every visit of that day, and deleted once the day is over. The IP
address and the user agent are never written anywhere; only the hash is. While the day lasts,
a repeat visit gives the same hash and counts once; once the salt is gone, no one can say
whose visit a hash was, nor link one day's visitors to another's.

What a visit leads to is marked on the same row, found by the same hash: a contribution sent
from that browser that day (`mark_contributed`), an account created (`mark_signed_up`). A
conversion is then a share of the visits, never more than all of them (docs/figures.md).
"""

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.ratelimit import client_address
from staff.models import DailyVisit, VisitSalt


def _salt_for(day) -> str:
    salt = VisitSalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if salt:
        return salt
    # Yesterday's salts are discarded when today's is made, not on every visit.
    VisitSalt.objects.filter(day__lt=day).delete()
    try:
        with transaction.atomic():
            return VisitSalt.objects.create(day=day, salt=secrets.token_hex(32)).salt
    except IntegrityError:
        # Another request created it first: use theirs, so both count as one day.
        return VisitSalt.objects.get(day=day).salt


def visitor_hash(*, salt: str, ip: str, user_agent: str, project_id: int) -> str:
    text = f"{salt}|{ip}|{user_agent}|{project_id}"
    return hashlib.sha256(text.encode()).hexdigest()


def client_ip(request) -> str:
    # The client's address, also behind the proxy (core.ratelimit: TRUSTED_PROXIES).
    return client_address(request)


def _request_hash(request, *, salt: str, project_id: int) -> str:
    return visitor_hash(
        salt=salt,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        project_id=project_id,
    )


def record_visit(request, project, *, now=None) -> None:
    """Counts this request as a visit of the project today (once per visitor and day)."""
    day = timezone.localdate(now)
    digest = _request_hash(request, salt=_salt_for(day), project_id=project.pk)
    DailyVisit.objects.bulk_create(
        [DailyVisit(project=project, day=day, visitor_hash=digest)], ignore_conflicts=True
    )


def mark_contributed(request, project, *, now=None) -> None:
    """Marks this visitor's visit of the project today as having led to a contribution. The
    submission is itself a visit: the row is made when the page view was not counted (the
    page opened before midnight, or straight from a link to the API)."""
    day = timezone.localdate(now)
    digest = _request_hash(request, salt=_salt_for(day), project_id=project.pk)
    DailyVisit.objects.bulk_create(
        [DailyVisit(project=project, day=day, visitor_hash=digest, contributed=True)],
        update_conflicts=True,
        unique_fields=["project", "day", "visitor_hash"],
        update_fields=["contributed"],
    )


def mark_signed_up(request, *, now=None) -> int:
    """Marks every visit this visitor made today, in any project, as having led to a sign-up;
    returns how many. No row is made: an account created without visiting a project is no
    project's conversion."""
    day = timezone.localdate(now)
    salt = VisitSalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if not salt:
        return 0  # nobody visited anything today
    projects = DailyVisit.objects.filter(day=day).values_list("project_id", flat=True).distinct()
    # The hash names the project, so one hash per project visited today.
    hashes = [_request_hash(request, salt=salt, project_id=pk) for pk in projects]
    return DailyVisit.objects.filter(day=day, visitor_hash__in=hashes).update(signed_up=True)


def discard_old_salts(*, now=None) -> int:
    """Deletes every salt of a finished day; returns how many (for a daily cron, if wanted)."""
    deleted, _details = VisitSalt.objects.filter(day__lt=timezone.localdate(now)).delete()
    return deleted
