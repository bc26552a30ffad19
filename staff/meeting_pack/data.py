"""What the meeting pack holds, gathered in a few queries: the period's proposals to decide
(staff.selectors.evaluations.proposals_to_decide), grouped by theme then by territory, each
with its public place, photos, text, votes, a summary of its public comments, its possible
duplicates and the evaluators' scores side by side.

The pack is shown to partners and printed, so it is built like a public output for residents'
data: nothing here reads a resident's email, name or account, a hidden or unmoderated
contribution or comment, or the exact place (only `public_geom` and `public_commune`).
Evaluators' private notes are read for the staff edition only.
"""

import base64
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.text import Truncator
from django.utils.translation import get_language

from contributions.models import PUBLIC_STATUSES, Comment, CommentStatus, Photo
from contributions.vocabulary import Kind, LocationPrecision
from core.i18n import localized
from layers.diagnostic.formatting import long_date, number
from staff import permissions
from staff.models import Evaluation
from staff.selectors.duplicates import possible_duplicates
from staff.selectors.evaluations import criteria_of, proposals_to_decide, side_by_side
from territories.selectors import display_name_sql

RECENT_COMMENTS = 3  # the most recent public comments quoted per proposal
EXCERPT_CHARS = 240  # a quoted comment is cut after this many characters
DUPLICATES_SHOWN = 5


@dataclass
class Item:
    """One proposal of the pack, everything the page shows of it already written out."""

    id: str
    number: int
    title: str
    description: str
    kind: str
    theme: str
    theme_colour: str
    commune: str
    territory: str
    submitted: str
    status: str
    votes: str
    comments: str
    commune_only: bool = False
    spot: tuple | None = None  # (lon, lat) of the public place's point on surface
    extent: tuple | None = None  # (xmin, ymin, xmax, ymax) of a public line or area
    photos: list = field(default_factory=list)  # data URIs
    excerpts: list = field(default_factory=list)  # {"date", "text"}
    duplicates: list = field(default_factory=list)
    evaluators: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    disagreements: int = 0
    notes: list = field(default_factory=list)  # staff edition only: {"who", "text"}
    # The reader scores proposals but has not scored this one yet: the others' scores are
    # not shown to them (evaluations are independent), only how many there are.
    blind: bool = False
    evaluation_count: int = 0
    map: object = None  # maps.Drawing


@dataclass
class Group:
    name: str
    colour: str = ""
    territories: list = field(default_factory=list)  # [Group] under a theme
    items: list = field(default_factory=list)


# Why raw SQL: each proposal's public commune and its valley (the intercommunality it belongs
# to) by the names the reader uses (display_name_sql), and its public place's point and
# extent, in one query for the whole pack.
_PLACES_SQL = f"""
    SELECT c.id,
           {display_name_sql("pc", "%(language)s")},
           CASE WHEN parent.kind = 'intercommunality'
                THEN {display_name_sql("parent", "%(language)s")} END,
           ST_X(ST_PointOnSurface(c.public_geom)), ST_Y(ST_PointOnSurface(c.public_geom)),
           CASE WHEN GeometryType(c.public_geom) NOT IN ('POINT', 'MULTIPOINT')
                THEN ARRAY[ST_XMin(c.public_geom), ST_YMin(c.public_geom),
                           ST_XMax(c.public_geom), ST_YMax(c.public_geom)] END
    FROM contributions_contribution c
    LEFT JOIN territories_territory pc ON pc.id = c.public_commune_id
    LEFT JOIN territories_territory parent ON parent.id = pc.parent_id
    WHERE c.id = ANY(%(ids)s::uuid[])
"""  # noqa: S608 - fixed fragments (display_name_sql); values are parameters


def _places(ids) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(_PLACES_SQL, {"ids": ids, "language": get_language() or "en"})
        return {str(row[0]): row[1:] for row in cursor.fetchall()}


def _photos(ids) -> dict:
    """The proposals' photos (they are public: the proposals are), as data URIs of their
    thumbnails, so the page and the PDF fetch nothing; a missing file is left out."""
    found = {}
    for photo in Photo.objects.filter(contribution_id__in=ids).order_by("position"):
        try:
            with photo.thumbnail.open("rb") as stream:
                data = stream.read()
        except (OSError, ValueError):
            continue
        uri = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
        found.setdefault(str(photo.contribution_id), []).append(uri)
    return found


def _excerpts(ids) -> dict:
    """The most recent published comments of each proposal: their date and text, cut short;
    never who wrote them."""
    recent = (
        Comment.objects.filter(contribution_id__in=ids, status=CommentStatus.PUBLISHED)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=F("contribution_id"), order_by=F("created_at").desc()
            )
        )
        .filter(rank__lte=RECENT_COMMENTS)
        .order_by("contribution_id", "-created_at")
        .values_list("contribution_id", "created_at", "body")
    )
    found = {}
    for contribution_id, created_at, body in recent:
        found.setdefault(str(contribution_id), []).append(
            {"date": long_date(created_at), "text": Truncator(body).chars(EXCERPT_CHARS)}
        )
    return found


def _evaluator(evaluation) -> str:
    if evaluation.partner is not None:
        return evaluation.partner.name
    user = evaluation.evaluator
    return user.get_full_name() or user.get_username()


def _cell(row, cell) -> str:
    if cell.value in (None, ""):
        return ""
    if row.criterion.is_scale and isinstance(cell.value, int | float):
        return number(cell.value)
    return cell.label


def _evaluations(item, contribution, criteria, evaluations, *, notes: bool):
    rows = side_by_side(contribution, criteria=criteria, evaluations=evaluations)
    item.evaluators = [_evaluator(e) for e in evaluations]
    item.rows = [
        {
            "label": row.criterion.display_label,
            "code": row.criterion.code,
            "cells": [_cell(row, cell) for cell in row.cells],
            "mean": number(row.mean, 1) if row.mean is not None else "",
            "scale": (
                f"{number(row.criterion.scale_min)}–{number(row.criterion.scale_max)}"
                if row.criterion.is_scale
                else ""
            ),
            "disagrees": row.disagrees,
        }
        for row in rows
    ]
    item.disagreements = sum(1 for row in rows if row.disagrees)
    if notes:
        item.notes = [
            {"who": _evaluator(e), "text": e.notes} for e in evaluations if e.notes.strip()
        ]


def _duplicates(contribution, numbers: dict) -> list:
    """Possible duplicates that the public may read (a hidden or unmoderated one is not
    named), with their number in the pack when they are in it too. Not their distance: the
    selector measures it between exact places, which the pack does not tell."""
    return [
        {"title": d.title, "number": numbers.get(d.id), "status": d.status_label}
        for d in possible_duplicates(contribution, limit=DUPLICATES_SHOWN * 2)
        if d.status in PUBLIC_STATUSES
    ][:DUPLICATES_SHOWN]


def _blind(viewer, project, ids) -> set:
    """The proposals whose evaluations this reader may not see yet: an evaluator who does not
    run meetings (no `decide` capability) sees the others' scores once they have saved their
    own, as on the evaluation page (staff.selectors.evaluations.may_see_others)."""
    if viewer is None or permissions.can(viewer, project, "decide"):
        return set()
    own = Evaluation.objects.filter(evaluator=viewer, contribution_id__in=ids)
    return set(ids) - {str(pk) for pk in own.values_list("contribution_id", flat=True)}


def gather(project, start, end, *, notes: bool = False, limit: int | None = None, viewer=None):
    """(groups, items): the proposals of the period grouped by theme (the project's order),
    then by territory (valley, else commune, by name), numbered in that order. With a
    `viewer`, the evaluations they may not see yet are left out (`_blind`)."""
    proposals = list(proposals_to_decide(project, start, end))
    if limit is not None and len(proposals) > limit:
        raise TooMany(len(proposals))
    ids = [str(p.pk) for p in proposals]
    places = _places(ids)
    kinds = dict(Kind.choices)
    themes = {t.pk: i for i, t in enumerate(project.themes.all())}
    rows = []
    for p in proposals:
        commune, valley, lon, lat, extent = places.get(str(p.pk), (None,) * 5)
        rows.append(
            (themes.get(p.theme_id, 0), valley or commune or "", p, commune, lon, lat, extent)
        )
    rows.sort(key=lambda r: (r[0], r[1].casefold(), r[2].created_at, str(r[2].pk)))

    items, by_id = [], {}
    for number_, (_pos, territory, p, commune, lon, lat, extent) in enumerate(rows, start=1):
        item = Item(
            id=str(p.pk),
            number=number_,
            title=p.title,
            description=p.description,
            kind=str(kinds.get(p.kind, p.kind)),
            theme=localized(p.theme.name) or p.theme.slug,
            theme_colour=p.theme.colour,
            commune=commune or "",
            territory=territory,
            submitted=long_date(p.created_at),
            status=p.get_status_display(),
            votes=number(p.vote_count),
            comments=number(p.comment_count),
            commune_only=p.location_precision == LocationPrecision.COMMUNE,
            spot=(lon, lat) if lon is not None else None,
            extent=tuple(extent) if extent else None,
        )
        items.append(item)
        by_id[item.id] = (item, p)

    photos, excerpts = _photos(ids), _excerpts(ids)
    criteria = criteria_of(project)
    evaluations = {}
    for e in (
        Evaluation.objects.filter(contribution_id__in=ids)
        .select_related("evaluator", "partner")
        .order_by("partner__position", "partner__name", "evaluator__username")
    ):
        evaluations.setdefault(str(e.contribution_id), []).append(e)
    numbers = {item.id: item.number for item in items}
    blind = _blind(viewer, project, ids)
    for item_id, (item, p) in by_id.items():
        item.photos = photos.get(item_id, [])
        item.excerpts = excerpts.get(item_id, [])
        item.duplicates = _duplicates(p, numbers)
        item.evaluation_count = len(evaluations.get(item_id, []))
        if item_id in blind:
            item.blind = True
            continue
        _evaluations(item, p, criteria, evaluations.get(item_id, []), notes=notes)
    return _grouped(items), items


def _grouped(items) -> list[Group]:
    groups: list[Group] = []
    for item in items:
        if not groups or groups[-1].name != item.theme:
            groups.append(Group(name=item.theme, colour=item.theme_colour))
        theme = groups[-1]
        if not theme.territories or theme.territories[-1].name != item.territory:
            theme.territories.append(Group(name=item.territory))
        theme.territories[-1].items.append(item)
    return groups


class TooMany(Exception):
    def __init__(self, count: int):
        super().__init__(count)
        self.count = count
