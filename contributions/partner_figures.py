"""The figures of the vote on the partners' projects, each defined once: the docstring of each
function is the figure's definition, and docs/figures.md ("Partner projects") says where each
one is shown. The results page, the dashboard, the diagnostic, the exports and the API read
these functions and count nothing a second way.

Counted votes: every vote (online, paper, workshop, phone) on the project's published partner
projects; a project withdrawn from publication takes its votes out of every figure.
"""

from dataclasses import asdict, dataclass

from django.db.models import Avg, Count, Q, Sum

from contributions.models import (
    PartnerProject,
    PartnerVote,
    PartnerVoteMode,
    PartnerVoteState,
    Project,
)
from territories.models import Territory, TerritoryKind

# The smallest group of voters shown apart (by commune of residence): smaller ones are
# suppressed, so that no one's vote can be told from a small group's figures.
MIN_GROUP = 5


def counted_votes(project: Project):
    """The votes every partner figure counts: all channels, on published partner projects."""
    return PartnerVote.objects.filter(
        project=project, partner_project__published=True, partner_project__project=project
    )


def partner_participants(project: Project) -> int:
    """Partner voters: distinct participants (an account, a confirmed address, or one ballot
    entered by staff) with at least one counted vote."""
    return counted_votes(project).values("participant").distinct().count()


def territory_population(project: Project) -> int | None:
    """Population of the perimeter: the sum over its current communes (None if none has one)."""
    return Territory.objects.filter(
        perimeters=project.perimeter_id, kind=TerritoryKind.COMMUNE, valid_until__isnull=True
    ).aggregate(total=Sum("population"))["total"]


def _per_1000(count: int, population: int | None) -> float | None:
    return round(count * 1000 / population, 2) if population else None


def _percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def partner_turnout(project: Project) -> dict:
    """Turnout of the vote: `participants` (partner_participants), the perimeter's
    `population` (territory_population) and `per_1000`, participants per 1,000 inhabitants
    (two decimals; None without a population)."""
    participants = partner_participants(project)
    population = territory_population(project)
    return {
        "participants": participants,
        "population": population,
        "per_1000": _per_1000(participants, population),
    }


@dataclass
class PartnerResult:
    """One published partner project's figures. `votes`: counted votes on it; `votes_for` and
    `votes_against` (for/against mode, +1 and -1), `mean_rating` (rating mode, 1 to 5, two
    decimals, None without votes); `score`: for minus against, or the mean rating;
    `comments`: votes that carry a comment; `turnout_percent`: its voters out of all
    partner voters, in percent (one decimal); `rank`: 1 for the best score, ties (same score
    and same number of votes) share a rank, projects without votes come last."""

    id: str
    title: dict
    theme_id: int
    votes: int
    votes_for: int
    votes_against: int
    mean_rating: float | None
    score: float | None
    comments: int
    turnout_percent: float | None
    rank: int
    outcome: str

    def as_dict(self) -> dict:
        return asdict(self)


def _ranked(rows: list[PartnerResult]) -> list[PartnerResult]:
    def key(row):
        return (row.votes == 0, -(row.score or 0), -row.votes)

    rows.sort(key=lambda row: (*key(row), row.id))
    previous, rank = None, 0
    for index, row in enumerate(rows, start=1):
        if key(row) != previous:
            rank, previous = index, key(row)
        row.rank = rank
    return rows


def partner_vote_results(project: Project) -> list[PartnerResult]:
    """Per published partner project, its votes, for, against, mean rating, score, comments,
    share of voters and rank (PartnerResult), best rank first."""
    participants = partner_participants(project)
    rating = project.partner_vote_mode == PartnerVoteMode.RATING
    counted = Q(votes__project=project)
    items = (
        PartnerProject.objects.of_project(project)
        .published()
        .annotate(
            n=Count("votes", filter=counted),
            n_for=Count("votes", filter=counted & Q(votes__value=1)),
            n_against=Count("votes", filter=counted & Q(votes__value=-1)),
            mean=Avg("votes__value", filter=counted),
            n_comments=Count("votes", filter=counted & ~Q(votes__comment="")),
        )
    )
    rows = []
    for item in items:
        mean = round(item.mean, 2) if rating and item.mean is not None else None
        rows.append(
            PartnerResult(
                id=str(item.pk),
                title=item.title,
                theme_id=item.theme_id,
                votes=item.n,
                votes_for=item.n_for if not rating else 0,
                votes_against=item.n_against if not rating else 0,
                mean_rating=mean,
                score=mean if rating else (item.n_for - item.n_against if item.n else None),
                comments=item.n_comments,
                turnout_percent=_percent(item.n, participants),
                rank=0,
                outcome=item.outcome,
            )
        )
    return _ranked(rows)


def partner_votes_by_theme(project: Project) -> list[dict]:
    """Per theme of the project: `projects` (published partner projects of the theme),
    `votes`, `votes_for`, `votes_against`, `mean_rating` (rating mode) and `participants`
    (distinct voters on at least one project of the theme)."""
    rating = project.partner_vote_mode == PartnerVoteMode.RATING
    figures = {
        row["partner_project__theme"]: row
        for row in counted_votes(project)
        .values("partner_project__theme")
        .annotate(
            votes=Count("pk"),
            votes_for=Count("pk", filter=Q(value=1)),
            votes_against=Count("pk", filter=Q(value=-1)),
            mean=Avg("value"),
            participants=Count("participant", distinct=True),
        )
    }
    projects = dict(
        PartnerProject.objects.of_project(project)
        .published()
        .values("theme")
        .annotate(n=Count("pk"))
        .values_list("theme", "n")
    )
    rows = []
    for theme in project.themes.all():
        row = figures.get(theme.pk, {})
        mean = row.get("mean")
        rows.append(
            {
                "theme_id": theme.pk,
                "theme": theme.slug,
                "name": theme.name,
                "projects": projects.get(theme.pk, 0),
                "votes": row.get("votes", 0),
                "votes_for": 0 if rating else row.get("votes_for", 0),
                "votes_against": 0 if rating else row.get("votes_against", 0),
                "mean_rating": round(mean, 2) if rating and mean is not None else None,
                "participants": row.get("participants", 0),
            }
        )
    return rows


def partner_votes_by_commune(project: Project) -> dict:
    """By commune of residence, where voters gave it: per commune with at least MIN_GROUP
    distinct voters, `participants`, `votes`, `votes_for`, `votes_against`, `mean_rating`,
    the commune's `population` and `per_1000` (participants per 1,000 inhabitants). Smaller
    groups are suppressed: only how many communes (`suppressed_communes`) and their voters
    together (`suppressed_participants`) are given. `not_given`: voters who gave no commune
    (a voter who gave different communes on different votes counts in each)."""
    rating = project.partner_vote_mode == PartnerVoteMode.RATING
    votes = counted_votes(project)
    grouped = (
        votes.filter(commune__isnull=False)
        .values("commune", "commune__name", "commune__code", "commune__population")
        .annotate(
            participants=Count("participant", distinct=True),
            votes=Count("pk"),
            votes_for=Count("pk", filter=Q(value=1)),
            votes_against=Count("pk", filter=Q(value=-1)),
            mean=Avg("value"),
        )
        .order_by("commune__name")
    )
    shown, suppressed_communes, suppressed_participants = [], 0, 0
    for row in grouped:
        if row["participants"] < MIN_GROUP:
            suppressed_communes += 1
            suppressed_participants += row["participants"]
            continue
        population = row["commune__population"]
        shown.append(
            {
                "commune_id": row["commune"],
                "code": row["commune__code"],
                "name": row["commune__name"],
                "population": population,
                "participants": row["participants"],
                "votes": row["votes"],
                "votes_for": 0 if rating else row["votes_for"],
                "votes_against": 0 if rating else row["votes_against"],
                "mean_rating": round(row["mean"], 2) if rating else None,
                "per_1000": _per_1000(row["participants"], population),
            }
        )
    not_given = (
        votes.filter(commune__isnull=True).values("participant").distinct().count()
        if votes.exists()
        else 0
    )
    return {
        "min_group": MIN_GROUP,
        "communes": shown,
        "suppressed_communes": suppressed_communes,
        "suppressed_participants": suppressed_participants,
        "not_given": not_given,
    }


def ranking_is_public(project: Project, moment=None) -> bool:
    """The ranking is public once the vote has closed, or while it is open where the
    project shows it live."""
    state = project.partner_vote_state(moment)
    return state == PartnerVoteState.CLOSED or (
        state == PartnerVoteState.OPEN and project.partner_ranking_live
    )
