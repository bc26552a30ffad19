"""What a meeting pack is asked for, read from the address: a meeting of the project
(`meeting`, its id) or a period (`start` and `end`, ISO dates), and the edition (`edition`:
`partners`, the default, or `staff`, which adds the evaluators' private notes). Anything
else is refused with a DomainError carrying a code (the view answers 4xx)."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from core.errors import DomainError
from staff.models import Meeting

EDITIONS = ("partners", "staff")
MAX_PERIOD_DAYS = 731  # two years: a meeting's period is a month or a few
MAX_PROPOSALS = 120  # beyond this a pack is no longer an agenda, and its PDF nears a minute
MAX_ID = 2**63 - 1


@dataclass
class PackRequest:
    start: date
    end: date
    meeting: Meeting | None = None
    edition: str = "partners"

    @property
    def staff(self) -> bool:
        return self.edition == "staff"

    def query(self) -> dict:
        """The address's parameters that ask for this pack again (the other format, edition)."""
        if self.meeting is not None:
            return {"meeting": self.meeting.pk}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def asked(params) -> bool:
    """Whether the address asks for a pack at all (else the page offers to choose one)."""
    return any(name in params for name in ("meeting", "start", "end"))


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(
            "invalid_date",
            _("%(name)s must be a date written YYYY-MM-DD.") % {"name": name},
            extra={"field": name},
        ) from None


def parse(project, params) -> PackRequest:
    edition = params.get("edition", "partners")
    if edition not in EDITIONS:
        raise DomainError("invalid_edition", _("The edition is either partners or staff."))
    if params.get("meeting"):
        if params.get("start") or params.get("end"):
            raise DomainError(
                "meeting_and_period", _("Ask for a meeting or for a period, not both.")
            )
        raw = params["meeting"].strip()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 19) or int(raw) > MAX_ID:
            raise DomainError("invalid_meeting", _("The meeting is given by its number."))
        meeting = Meeting.objects.filter(project=project, pk=int(raw)).first()
        if meeting is None:
            raise DomainError("unknown_meeting", _("This project has no such meeting."), status=404)
        return PackRequest(meeting.period_start, meeting.period_end, meeting, edition)
    if not params.get("start") or not params.get("end"):
        raise DomainError("period_incomplete", _("A period needs both a first and a last day."))
    start, end = _date(params["start"], "start"), _date(params["end"], "end")
    if end < start:
        raise DomainError("period_reversed", _("The period ends before it starts."))
    if (end - start).days > MAX_PERIOD_DAYS:
        raise DomainError(
            "period_too_long",
            _("A period of at most two years, please: a meeting decides on a few months."),
        )
    return PackRequest(start, end, None, edition)


def too_many(count: int) -> DomainError:
    return DomainError(
        "too_many_proposals",
        _(
            "%(count)s proposals in this period: a pack holds at most %(max)s. "
            "Choose a shorter period."
        )
        % {"count": count, "max": MAX_PROPOSALS},
        status=422,
        extra={"count": count, "max": MAX_PROPOSALS},
    )
