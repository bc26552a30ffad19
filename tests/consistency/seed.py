"""The seeded project every output is read from: the PITER ALPIMED demo, plus lines and
areas, hidden, submitted and duplicate items, votes, comments, location rules, and a second
boundary generation of one commune (re-imported with a moved boundary after contributions
were attributed to it, then more contributions in it). Written through the domain's services
where they exist, the ORM for moderation states."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry, LineString, Point, Polygon
from django.db import connection

from contributions import services
from contributions.models import Contribution, Kind, Project, Sentiment, Status
from core.postgis import STORAGE_SRID
from privacy.services import RuleSpec, set_location_rules
from staff.models import ProjectRole, Role
from territories.models import Territory, TerritoryKind
from territories.services import upsert_territory
from tests.consistency.combos import AFTER, BBOX, BEFORE, OTHER_COMMUNE, REIMPORTED

ANALYST = "consistency-analyst"
# The re-imported boundary is the old one moved by this much (degrees): about 80 m east and
# 55 m north.
SHIFT = (0.001, 0.0005)


@dataclass
class Seeded:
    project: Project
    analyst: object
    added: list = field(default_factory=list)  # the contributions the seed wrote


def _inside(area: GEOSGeometry, *, dx: float, dy: float):
    """A point, a short line and a small square near the point on surface of `area`, each
    within it (shrunk until they are)."""
    centre = area.point_on_surface
    for scale in (1.0, 0.5, 0.25, 0.1, 0.05):
        x, y = centre.x + dx * scale, centre.y + dy * scale
        d = 0.002 * scale
        square = Polygon.from_bbox((x - d / 2, y - d / 2, x + d / 2, y + d / 2))
        square.srid = STORAGE_SRID
        shapes = (
            Point(x, y, srid=STORAGE_SRID),
            LineString((x - d, y), (x + d, y + d / 2), srid=STORAGE_SRID),
        )
        if all(area.contains(shape) for shape in (*shapes, square)):
            return (*shapes, square)
    raise AssertionError("no room inside the commune for the seed's shapes")


def _submit(project, kind, theme, geometry, created_at, title):
    submission = services.Submission(
        kind=kind,
        theme=theme,
        title=title,
        geometry=geometry,
        sentiment=Sentiment.POSITIVE if kind == Kind.OBSERVATION else "",
        description="Seeded for the consistency suite.",
        consent=True,
    )
    return services.submit_contribution(project=project, submission=submission, now=created_at)


def _commune(code, **extra):
    return Territory.objects.filter(kind=TerritoryKind.COMMUNE, code=code, **extra).get()


def _reimport(code):
    """The commune's boundary moved by SHIFT: a new generation through the import service."""
    old = _commune(code, valid_until__isnull=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsEWKB(ST_Multi(ST_Translate(geom, %s, %s)))"
            " FROM territories_territory WHERE id = %s",
            [*SHIFT, old.pk],
        )
        (ewkb,) = cursor.fetchone()
    outcome, new = upsert_territory(
        kind=old.kind,
        code=old.code,
        name=old.name,
        geom=GEOSGeometry(memoryview(ewkb)),
        country=old.country,
        population=old.population,
        source="re-imported with a moved boundary",
    )
    assert outcome == "updated" and new.generation == old.generation + 1
    return old, new


def seed(project: Project) -> Seeded:
    Project.objects.filter(pk=project.pk).update(publishes_open_data=True)
    project.refresh_from_db()
    analyst = get_user_model().objects.create_user(ANALYST, password=None)
    ProjectRole.objects.create(user=analyst, project=project, role=Role.ANALYST)
    # Reports snapped to a 1 km grid, health-and-social items moved by a stable offset.
    set_location_rules(
        project=project,
        rules=[
            RuleSpec(method="grid", precision_m=1000, kind=Kind.REPORT),
            RuleSpec(method="offset", precision_m=200, theme="health-social"),
        ],
    )
    seeded = Seeded(project=project, analyst=analyst)
    add = seeded.added.append
    day = timedelta(days=1)

    # In the commune to be re-imported, before the re-import (attributed to generation 1).
    menton = _commune(REIMPORTED, valid_until__isnull=True)
    point, line, area = _inside(menton.geom, dx=-0.004, dy=0.0)
    add(_submit(project, Kind.PROPOSAL, "infrastructure", point, AFTER - 10 * day, "avant 1"))
    add(_submit(project, Kind.REPORT, "services", line, AFTER, "avant 2 (on AFTER)"))
    add(_submit(project, Kind.OBSERVATION, "health-social", area, AFTER + 3 * day, "avant 3"))

    old, new = _reimport(REIMPORTED)
    # After the re-import, inside both boundaries (so inside the perimeter too).
    both = old.geom.intersection(new.geom)
    point, line, area = _inside(both, dx=0.004, dy=0.002)
    add(_submit(project, Kind.REPORT, "infrastructure", point, BEFORE - day, "après 1"))
    add(_submit(project, Kind.REPORT, "services", line, BEFORE + 2 * day, "après 2"))
    add(_submit(project, Kind.PROPOSAL, "services", area, AFTER + 5 * day, "après 3"))
    add(_submit(project, Kind.OBSERVATION, "economic-development", point, BEFORE, "après 4"))

    # Lines and areas elsewhere.
    other = _commune(OTHER_COMMUNE, valid_until__isnull=True)
    point, line, area = _inside(other.geom, dx=0.0, dy=0.0)
    add(_submit(project, Kind.PROPOSAL, "infrastructure", line, AFTER - 30 * day, "ailleurs 1"))
    add(_submit(project, Kind.REPORT, "health-social", area, AFTER + 1 * day, "ailleurs 2"))
    add(_submit(project, Kind.REPORT, "infrastructure", point, BEFORE + 1 * day, "ailleurs 3"))
    # A line across the east edge of the combinations' bbox, its middle vertex outside.
    edge = LineString((BBOX[2] - 0.005, 43.83), (BBOX[2] + 0.02, 43.832), (BBOX[2] + 0.04, 43.83))
    edge.srid = STORAGE_SRID
    add(_submit(project, Kind.PROPOSAL, "economic-development", edge, AFTER + 2 * day, "bord"))

    _participation(project, seeded.added)
    _moderation(project, seeded.added)
    return seeded


def _participation(project, added):
    """Votes (rows; the counters follow by trigger) and comments, through the services."""
    demo = list(
        Contribution.objects.public()
        .filter(project=project)
        .exclude(pk__in=[c.pk for c in added])
        .order_by("created_at", "id")
    )
    targets = [*added, *demo[::7]]
    for n, contribution in enumerate(targets):
        for voter in range(1 + n % 4):
            # A vote is an account's (docs/security.md): a pool of made-up accounts.
            services.vote(contribution=contribution, participant=f"user:consistency-{voter}")
        if n % 3 == 0:
            services.add_comment(contribution=contribution, body="D'accord.")


def _moderation(project, added):
    """Hidden items (some with votes), items awaiting moderation, a duplicate: the ORM, as
    moderation leaves them."""
    demo = list(
        Contribution.objects.filter(project=project, status=Status.PUBLISHED)
        .exclude(pk__in=[c.pk for c in added])
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )
    # Hidden: two of the seed's own (with votes) and some of the demo's (the first have votes).
    hidden = [added[2].pk, added[5].pk, *demo[:7:2]]
    submitted = [added[4].pk, *demo[10:13]]
    Contribution.objects.filter(pk__in=hidden).update(status=Status.HIDDEN)
    Contribution.objects.filter(pk__in=submitted).update(status=Status.SUBMITTED)
    Contribution.objects.filter(pk__in=[added[7].pk, *demo[20:22]]).update(status=Status.DUPLICATE)
    Contribution.objects.filter(pk=added[8].pk).update(status=Status.DONE)
