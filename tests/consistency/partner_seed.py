"""The seeded vote on the partners' projects every partner output is read from: six published
partner projects (a point, a line and an area, in three communes and the four themes, two
partners), residents' votes online (one changed), ballots entered from paper and from a
workshop, communes of residence given by some voters (one group of six, one of three, which
must be suppressed), then the vote closed and one project withdrawn from publication (its
votes leave every figure). Written through the domain's services, at instants inside the
voting period, which is over when the outputs are read."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from contributions.models import Channel, PartnerVote, Project, ProjectPartner
from contributions.services.partner_projects import (
    open_partner_vote,
    publish_partner_project,
    save_partner_project,
)
from contributions.services.partner_votes import cast_partner_vote, record_paper_votes
from staff.models import ProjectRole, Role
from territories.models import Territory, TerritoryKind
from tests.consistency.seed import _inside

ENTERED_BY = "partner-vote-clerk"
MENTON, VENTIMIGLIA, SANREMO = "06083", "008065", "008055"


@dataclass
class PartnerSeeded:
    project: Project
    clerk: object
    items: list = field(default_factory=list)  # published partner projects, in order
    withdrawn: object = None
    changed: object = None  # the vote changed after it was given


def _commune(code):
    return Territory.objects.get(kind=TerritoryKind.COMMUNE, code=code, valid_until__isnull=True)


def seed_partner_vote(project: Project) -> PartnerSeeded:
    now = timezone.now()
    opens, closes = now - timedelta(days=10), now - timedelta(days=1)
    during = now - timedelta(days=5)
    clerk = get_user_model().objects.create_user(ENTERED_BY, password=None)
    ProjectRole.objects.create(user=clerk, project=project, role=Role.MANAGER)
    imperia = ProjectPartner.objects.create(project=project, name="Provincia di Imperia")
    alpes = ProjectPartner.objects.create(project=project, name="Département des Alpes-Maritimes")
    menton, ventimiglia, sanremo = (_commune(c) for c in (MENTON, VENTIMIGLIA, SANREMO))
    m_point, m_line, m_area = _inside(menton.geom, dx=0.002, dy=-0.002)
    v_point, v_line, _v_area = _inside(ventimiglia.geom, dx=0.0, dy=0.001)
    s_point, _s_line, s_area = _inside(sanremo.geom, dx=0.0, dy=0.0)
    specs = [
        ("Abri de bus", "Pensilina", m_point, "infrastructure", alpes, "under_100k"),
        ("Sentier du littoral", "Sentiero costiero", m_line, "services", alpes, "100k_500k"),
        ("Maison de santé", "Casa della salute", v_point, "health-social", imperia, "500k_2m"),
        ("Marché couvert", "Mercato coperto", s_area, "economic-development", imperia, "over_2m"),
        ("Piste cyclable", "Pista ciclabile", v_line, "infrastructure", None, ""),
        ("Jardins partagés", "Orti condivisi", m_area, "services", alpes, "under_100k"),
        ("Parking relais", "Parcheggio scambiatore", s_point, "infrastructure", imperia, ""),
    ]
    seeded = PartnerSeeded(project=project, clerk=clerk)
    for n, (fr, it, place, theme, partner, cost) in enumerate(specs):
        item = save_partner_project(
            project=project,
            title={"fr": fr, "it": it},
            description={"fr": f"{fr} : décrit pour la suite de cohérence.", "it": it},
            location=place,
            theme=project.themes.get(slug=theme),
            partner=partner,
            cost_band=cost,
            timeline={"fr": "2027-2029", "it": "2027-2029"},
            published=True,
            position=n,
        )
        seeded.items.append(item)
    open_partner_vote(project=project, opens_at=opens, closes_at=closes, confirm_gaps=True)
    project.refresh_from_db()
    items = seeded.items

    def vote(voter, item, value, commune=None, comment=""):
        return cast_partner_vote(
            partner_project=item,
            participant=f"user:partner-voter-{voter}",
            value=value,
            commune=commune,
            comment=comment,
            moment=during,
        )

    # Twelve residents online: six give Menton (shown), three Ventimiglia (suppressed: fewer
    # than five), three give no commune. Voter 11 votes only on the project withdrawn later.
    communes = [menton] * 6 + [ventimiglia] * 3 + [None] * 3
    pattern = [1, 1, -1, 1, 0, -1]  # per item: 0 is no vote
    for voter in range(11):
        for index, item in enumerate(items[:6]):
            value = pattern[(index + voter) % len(pattern)]
            if value:
                vote(voter, item, value, communes[voter], "D'accord." if voter % 4 == 0 else "")
    vote(11, items[6], 1, communes[11])
    vote(0, items[6], -1, communes[0])
    # A vote changed before the close: voter 3 turns against the bus shelter.
    seeded.changed, _created = vote(3, items[0], 1, communes[3])
    seeded.changed, _created = vote(3, items[0], -1, communes[3])
    # Paper ballots and a workshop tablet.
    record_paper_votes(
        project=project,
        ballots=[
            {"votes": {str(items[0].pk): 1, str(items[2].pk): 1}, "commune": menton.pk},
            {"votes": {str(items[1].pk): -1, str(items[3].pk): 1}},
            {"votes": {str(items[4].pk): 1}, "comments": {str(items[4].pk): "Oui !"}},
        ],
        channel=Channel.PAPER,
        entered_by=clerk,
        moment=during,
    )
    record_paper_votes(
        project=project,
        ballots=[{"votes": {str(items[5].pk): 1, str(items[6].pk): 1}, "commune": sanremo.pk}],
        channel=Channel.WORKSHOP,
        entered_by=clerk,
        moment=during,
    )
    # After the close, one project is withdrawn: its votes leave every figure.
    seeded.withdrawn = publish_partner_project(partner_project=items[6], published=False)
    seeded.items = items[:6]
    assert PartnerVote.objects.filter(project=project, channel=Channel.PAPER).count() == 5
    return seeded
