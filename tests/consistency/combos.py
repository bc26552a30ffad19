"""The filter combinations every output is read under, and the instants the seed writes
contributions at (one exactly on AFTER, so an inclusive bound and an exclusive one differ)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contributions.filters import ContributionFilters

_TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
AFTER = _TODAY - timedelta(days=45)  # created_after: inclusive
BEFORE = _TODAY - timedelta(days=20)  # created_before: exclusive

REIMPORTED = "06083"  # Menton: re-imported with a moved boundary (two generations)
OTHER_COMMUNE = "008065"  # Ventimiglia: one generation, lines and areas added in it

# Around Menton and Roquebrune, edges away from the seed's own lines and areas.
BBOX = (7.42, 43.73, 7.56, 43.84)


@dataclass(frozen=True)
class Combo:
    name: str
    filters: ContributionFilters


def _f(**values):
    return ContributionFilters(**values)


COMBOS = [
    Combo("none", _f()),
    Combo("kind", _f(kinds=["report"])),
    Combo("theme", _f(themes=["health-social"])),
    Combo("status-under-review", _f(statuses=["under_review"])),
    Combo("statuses", _f(statuses=["published", "accepted"])),
    Combo("commune-reimported", _f(commune=REIMPORTED)),
    Combo("commune-other", _f(commune=OTHER_COMMUNE)),
    Combo("kind-theme", _f(kinds=["proposal"], themes=["infrastructure"])),
    Combo("bbox", _f(bbox=BBOX)),
    Combo("bbox-kind", _f(bbox=BBOX, kinds=["report"])),
    Combo("after", _f(created_after=AFTER)),
    Combo("before", _f(created_before=AFTER)),
    Combo("between", _f(created_after=AFTER, created_before=BEFORE)),
    Combo(
        "reports-closed-since",
        _f(kinds=["report"], statuses=["done", "rejected", "duplicate"], created_after=AFTER),
    ),
    Combo(
        "everything",
        _f(
            kinds=["report", "observation"],
            themes=["services", "infrastructure"],
            statuses=["published", "under_review"],
            commune=REIMPORTED,
        ),
    ),
    # Words searched, accents and case ignored: French and Italian, the seed's own titles
    # ("après 1"...; some hidden or awaiting moderation), with other filters.
    Combo("text-french", _f(text="ECOLE")),
    Combo("text-italian", _f(text="piu")),
    Combo("text-words", _f(text="apres 3")),
    Combo("text-apostrophe", _f(text="l'ecole")),
    Combo("text-kind-commune", _f(text="apres", kinds=["report"], commune=REIMPORTED)),
    Combo("text-nothing", _f(text="zzqq")),
    # Staff only: the public outputs refuse these statuses.
    Combo("staff-statuses", _f(statuses=["submitted", "hidden"])),
]

BY_NAME = {combo.name: combo for combo in COMBOS}
