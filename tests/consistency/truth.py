"""What every output should say, computed here in Python from the rows themselves (not
through the product's selectors, so a bug there shows too), and how a reading is compared
with it.

The meanings of "the contributions matching these filters":

- public: a status in PUBLIC_STATUSES (and in the filter's statuses when given), the bbox
  tested against the public location (public_geom);
- a box holds a contribution when its anchor (the point itself, a point on the surface of a
  line or an area) lies in it: where the map places and counts it. OGC API - Features alone
  follows its standard, the shape touching the box (TOUCHING).
- staff (StaffFilterQuery: the staff export): every status unless the filter names some, the
  bbox tested against the exact location (geom);
- dashboard: the staff meaning with hidden contributions left out, unless the filter names
  the hidden status (the dashboard counts them apart, docs/staff.md).

Per-commune figures are grouped by the commune's official code (every generation of a
commune is one commune), None for contributions attributed to no commune. Public outputs
name the public commune: the one the attribution rule gives the public location when a
location rule moved the contribution (docs/privacy.md), else its own; staff outputs the
commune of the exact place. The commune filter reads the commune each meaning names.
Votes are the vote rows of the matching contributions.

A search (`text`) holds a contribution when its title and description, joined by a space,
hold every word of it, both written in lower case without accents (Unicode's decomposition:
"École" is "ecole", "città" is "citta"), apostrophes and hyphens read as spaces.
"""

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import Count

from contributions.filters import ContributionFilters
from contributions.models import PUBLIC_STATUSES, Contribution, Status
from core.postgis import STORAGE_SRID

PUBLIC, STAFF, DASHBOARD = "public", "staff", "dashboard"
PLACED, TOUCHING = "placed", "touching"  # what a bbox selects


@dataclass
class Figures:
    """What one output says: the number of contributions, and where it carries them, the
    vote total and the count per commune code."""

    count: int
    votes: int | None = None
    communes: dict | None = None

    def __post_init__(self):
        if self.communes is not None:
            merged = Counter()
            for code, n in self.communes.items():
                merged[code or None] += n
            self.communes = {code: n for code, n in merged.items() if n}


@dataclass
class Row:
    status: str
    kind: str
    theme: str
    commune: str | None
    created_at: object
    geom: object
    public_geom: object
    votes: int
    public_commune: str | None = None
    text: str = ""


@dataclass
class Truth:
    rows: list[Row] = field(default_factory=list)

    @classmethod
    def of(cls, project):
        queryset = (
            Contribution.objects.filter(project=project)
            .annotate(vote_rows=Count("votes"))
            .values_list(
                "status",
                "kind",
                "theme__slug",
                "commune__code",
                "created_at",
                "geom",
                "public_geom",
                "vote_rows",
                "pk",
                "title",
                "description",
            )
        )
        public_communes = _public_communes(project)
        return cls(
            [
                Row(*values[:8], public_communes[values[8]], f"{values[9]} {values[10]}")
                for values in queryset
            ]
        )

    def expected(
        self, filters: ContributionFilters, meaning: str, box=PLACED, communes=None
    ) -> Figures:
        """`communes`: whose commune the output names (PUBLIC: the public one), when not the
        one its meaning says."""
        rows = [row for row in self.rows if _matches(row, filters, meaning, box)]
        public_communes = (communes or meaning) == PUBLIC
        # The dashboard's vote total is of public contributions (docs/figures.md): votes on
        # an item sent back to moderation are out of sight, as everywhere in public.
        voted = [r for r in rows if meaning != DASHBOARD or r.status in PUBLIC_STATUSES]
        return Figures(
            count=len(rows),
            votes=sum(row.votes for row in voted),
            communes=dict(
                Counter(row.public_commune if public_communes else row.commune for row in rows)
            ),
        )


def _public_communes(project) -> dict:
    """{contribution id: the code of its public commune}, by the attribution rule itself
    (territories_attribute, the one that gave the exact communes), not the product's
    wiring of it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id, t.code FROM contributions_contribution c
            JOIN contributions_project p ON p.id = c.project_id
            LEFT JOIN territories_territory t ON t.id = CASE
                WHEN c.public_geom IS NOT DISTINCT FROM c.geom THEN c.commune_id
                ELSE territories_attribute(c.public_geom, 'commune', p.perimeter_id, 5000) END
            WHERE c.project_id = %s
            """,
            [project.pk],
        )
        return dict(cursor.fetchall())


def _matches(row: Row, f: ContributionFilters, meaning: str, box_rule: str) -> bool:
    if meaning == PUBLIC and row.status not in PUBLIC_STATUSES:
        return False
    hidden_apart = meaning == DASHBOARD and Status.HIDDEN not in (f.statuses or [])
    if hidden_apart and row.status == Status.HIDDEN:
        return False
    if f.statuses and row.status not in f.statuses:
        return False
    if f.kinds and row.kind not in f.kinds:
        return False
    if f.themes and row.theme not in f.themes:
        return False
    commune = row.public_commune if meaning == PUBLIC else row.commune
    if f.commune and commune != f.commune:
        return False
    if f.created_after and row.created_at < f.created_after:
        return False
    if f.created_before and row.created_at >= f.created_before:
        return False
    if f.text and not all(word in _folded(row.text) for word in _folded(f.text).split()):
        return False
    if f.bbox:
        box = Polygon.from_bbox(f.bbox)
        box.srid = STORAGE_SRID
        place = row.public_geom if meaning == PUBLIC else row.geom
        if box_rule == PLACED and place.geom_type != "Point":
            place = place.point_on_surface
        if not place.intersects(box):
            return False
    return True


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.replace("'", " ").replace("-", " ")


def differences(reading: Figures, expected: Figures) -> list[str]:
    """What a reading gets wrong, in words ([] when it agrees)."""
    found = []
    if reading.count != expected.count:
        found.append(f"count {reading.count}, expected {expected.count}")
    if reading.votes is not None and reading.votes != expected.votes:
        found.append(f"votes {reading.votes}, expected {expected.votes}")
    if reading.communes is not None:
        if sum(reading.communes.values()) != reading.count:
            found.append(
                f"per-commune counts add up to {sum(reading.communes.values())},"
                f" not to its own count {reading.count}"
            )
        if reading.communes != expected.communes:
            wrong = sorted(
                (code or "", reading.communes.get(code, 0), expected.communes.get(code, 0))
                for code in set(reading.communes) | set(expected.communes)
                if reading.communes.get(code, 0) != expected.communes.get(code, 0)
            )
            found.append(
                "per commune (code, got, expected): "
                + ", ".join(f"{code or 'none'} {got}/{want}" for code, got, want in wrong)
            )
    return found
