"""What every output of the vote on the partners' projects should say, computed here in
Python from the vote rows themselves (not through contributions.partner_figures, so a bug
there shows too), and how a reading is compared with it.

The rules (docs/figures.md, "Partner projects"):

- counted votes: every vote row, whatever its channel (online, paper, workshop, phone), on a
  published partner project of the project;
- per project: votes, for (+1), against (-1); the score is for minus against (in rating
  mode: the mean rating, two decimals, and for and against are 0); the rank is 1
  for the best score, then fewer votes rank lower at an equal score, the same score and
  number of votes share a rank, and a project without votes has none;
- participants (turnout): distinct participants with at least one counted vote;
- by theme: counted votes on the projects of each of the project's themes;
- by commune of residence: distinct participants per commune code they gave, shown only for
  groups of MIN_GROUP (5) or more; smaller groups are never shown apart.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from contributions.models import PartnerProject, PartnerVote

MIN_GROUP = 5


@dataclass
class PartnerFigures:
    """What one output says; None where it does not carry that figure. `projects`: {id:
    (votes, for, against, rank or None)}; `themes`: {slug: votes}; `communes`: {code:
    participants} for the groups shown."""

    projects: dict | None = None
    participants: int | None = None
    themes: dict | None = None
    communes: dict | None = None
    means: dict | None = None  # rating mode: {id: mean rating, two decimals, or None}


def truth(project) -> PartnerFigures:
    published = {
        str(pk): theme
        for pk, theme in PartnerProject.objects.filter(project=project, published=True).values_list(
            "pk", "theme__slug"
        )
    }
    rows = [
        (str(item), participant, value, commune)
        for item, participant, value, commune in PartnerVote.objects.filter(
            project=project
        ).values_list("partner_project_id", "participant", "value", "commune__code")
        if str(item) in published
    ]
    rating = project.partner_vote_mode == "rating"
    tally = {item: [0, 0, 0] for item in published}
    sums = Counter()
    for item, _participant, value, _commune in rows:
        tally[item][0] += 1
        tally[item][1] += value == 1 and not rating
        tally[item][2] += value == -1 and not rating
        sums[item] += value
    means = {
        item: round(sums[item] / tally[item][0], 2) if tally[item][0] else None for item in tally
    }

    def key(item):
        votes, up, down = tally[item]
        score = (means[item] or 0) if rating else up - down
        return (votes == 0, -score, -votes)

    ranks, previous, rank = {}, None, 0
    for index, item in enumerate(sorted(tally, key=lambda i: (*key(i), i)), start=1):
        if key(item) != previous:
            rank, previous = index, key(item)
        ranks[item] = rank if tally[item][0] else None
    themes = Counter({slug: 0 for slug in project.themes.values_list("slug", flat=True)})
    for item, *_rest in rows:
        themes[published[item]] += 1
    voters = defaultdict(set)
    for _item, participant, _value, commune in rows:
        if commune:
            voters[commune].add(participant)
    return PartnerFigures(
        projects={item: (*tally[item], ranks[item]) for item in tally},
        participants=len({participant for _item, participant, *_rest in rows}),
        themes=dict(themes),
        communes={code: len(p) for code, p in voters.items() if len(p) >= MIN_GROUP},
        means=means if rating else None,
    )


def suppressed(project) -> dict:
    """{commune code: participants} of the groups too small to be shown."""
    published = set(
        PartnerProject.objects.filter(project=project, published=True).values_list("pk", flat=True)
    )
    voters = defaultdict(set)
    for item, participant, commune in PartnerVote.objects.filter(
        project=project, commune__isnull=False
    ).values_list("partner_project_id", "participant", "commune__code"):
        if item in published:
            voters[commune].add(participant)
    return {code: len(p) for code, p in voters.items() if len(p) < MIN_GROUP}


def differences(reading: PartnerFigures, expected: PartnerFigures) -> list[str]:
    """What a reading gets wrong, in words ([] when it agrees)."""
    found = []
    for name in ("projects", "participants", "themes", "communes", "means"):
        got = getattr(reading, name)
        if got is not None and got != getattr(expected, name):
            found.append(f"{name}: {got!r}, expected {getattr(expected, name)!r}")
    return found
