"""The demo's partner projects put to the vote, from fixtures/piter_alpimed/partner_projects.json:
the partners, five published projects (places built from real communes: a point on a
commune, a line through communes, an area around a commune's point), the vote period (open
for some days from the first load) and synthetic votes. Idempotent: what exists is kept
as it is (a project is recognised by its French title, a vote by its participant)."""

import hashlib
import json
import random
from datetime import timedelta

from django.contrib.gis.geos import LineString
from django.db import transaction
from django.utils import timezone

from contributions.models import (
    PartnerProject,
    PartnerVote,
    PartnerVoteState,
    Project,
    ProjectPartner,
)
from contributions.participants import EMAIL_PREFIX
from contributions.services.partner_projects import open_partner_vote, save_partner_project
from contributions.services.partner_votes import parse_vote_value, residence_commune
from core.postgis import METRIC_SRID, STORAGE_SRID
from territories.models import Territory, TerritoryKind


def _commune(code: str) -> Territory:
    return Territory.objects.get(kind=TerritoryKind.COMMUNE, code=code, valid_until__isnull=True)


def _place(spec: dict):
    """A point on a commune, a line through communes' points, or an area: a disc of
    `radius_m` around a commune's point, cut to the commune."""
    if "point" in spec:
        return _commune(spec["point"]).geom.point_on_surface
    if "line" in spec:
        points = [_commune(code).geom.point_on_surface for code in spec["line"]]
        return LineString([p.coords for p in points], srid=STORAGE_SRID)
    commune = _commune(spec["area"])
    centre = commune.geom.point_on_surface.transform(METRIC_SRID, clone=True)
    disc = centre.buffer(spec.get("radius_m", 1000)).transform(STORAGE_SRID, clone=True)
    return disc.intersection(commune.geom)


def _partners(project: Project, names: list[str]) -> dict[str, ProjectPartner]:
    found = {}
    for position, name in enumerate(names):
        partner = ProjectPartner.objects.filter(project=project, name=name).first()
        if partner is None:
            partner = ProjectPartner.objects.create(project=project, name=name, position=position)
        found[name] = partner
    return found


def _spoken(project: Project, texts: dict) -> dict:
    """The texts in the project's languages: the file also has English, which the demo
    project (French and Italian) does not speak and the service would refuse."""
    return {code: text for code, text in texts.items() if code in project.languages}


def _projects(project: Project, specs: list[dict], partners: dict) -> list[PartnerProject]:
    existing = {p.title.get("fr"): p for p in PartnerProject.objects.of_project(project)}
    items = []
    for position, spec in enumerate(specs):
        item = existing.get(spec["title"]["fr"])
        if item is None:
            item = save_partner_project(
                project=project,
                title=_spoken(project, spec["title"]),
                description=_spoken(project, spec["description"]),
                location=_place(spec["place"]),
                theme=project.themes.get(slug=spec["theme"]),
                partner=partners[spec["partner"]],
                cost_band=spec["cost_band"],
                timeline=_spoken(project, spec["timeline"]),
                links=spec["links"],
                published=True,
                position=position,
            )
        items.append(item)
    return items


def _votes(project: Project, items: list[PartnerProject], spec: dict) -> int:
    """Synthetic votes, seeded: each voter votes on one to three projects, each project
    with its own leaning; some voters give their commune of residence, most of them one of
    the file's `homes`. The values and
    communes pass the service's rules (mode, commune of the perimeter, open period);
    written in one INSERT that leaves any vote already there alone."""
    if project.partner_vote_state() != PartnerVoteState.OPEN:
        return 0  # loaded again after the period: the votes stay as they were
    rng = random.Random(spec["seed"])  # noqa: S311 - demo data, seeded on purpose
    communes = list(
        project.perimeter.members.filter(kind=TerritoryKind.COMMUNE, valid_until__isnull=True)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    # Most voters who give their commune live in a few (`homes`), so that some groups of
    # the results by commune of residence pass the threshold of 5.
    homes = [_commune(code).pk for code in spec["homes"]]
    leaning = [rng.uniform(0.3, 0.85) for _ in items]
    rows, voter = [], 0
    while len(rows) < spec["count"]:
        voter += 1
        label = f"demo-partner-voter-{spec['seed']}-{voter}"
        # A confirmed-address key made from a demo label, never a real address
        # (contributions.participants), as contributions.synthetic does.
        participant = EMAIL_PREFIX + hashlib.sha256(label.encode()).hexdigest()
        commune = None
        if rng.random() < spec["with_commune"]:
            pool = homes if rng.random() < spec["at_home"] else communes
            commune = residence_commune(project, rng.choice(pool))
        for index in rng.sample(range(len(items)), rng.randint(1, 3)):
            value = parse_vote_value(project, 1 if rng.random() < leaning[index] else -1)
            rows.append(
                PartnerVote(
                    partner_project=items[index],
                    project=project,
                    participant=participant,
                    value=value,
                    commune=commune,
                )
            )
    rows = rows[: spec["count"]]
    before = PartnerVote.objects.filter(project=project).count()
    PartnerVote.objects.bulk_create(rows, ignore_conflicts=True)
    return PartnerVote.objects.filter(project=project).count() - before


@transaction.atomic
def load_partner_vote(*, project: Project, path) -> tuple[int, int]:
    """Loads the file's partners, projects, vote period and votes; (projects, new votes)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    partners = _partners(project, data["partners"])
    items = _projects(project, data["projects"], partners)
    project.refresh_from_db()
    if project.partner_vote_opens_at is None:
        now = timezone.now()
        vote = data["vote"]
        project = open_partner_vote(
            project=project,
            opens_at=now,
            closes_at=now + timedelta(days=vote["days_open"]),
            mode=vote["mode"],
            ranking_live=vote["ranking_live"],
            confirm_gaps=True,
        )
    added = _votes(project, items, data["votes"])
    return len(items), added
