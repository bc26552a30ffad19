"""The table behind the export for the programming call: each kept proposal (of one meeting,
or of all) with its decision, and its evaluations as one column per criterion and evaluator,
plus the mean of each scale (docs/figures.md, "Mean score"). No field of a resident's
identity (email, name, account, address, phone) is among the columns."""

import re
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import PointOnSurface
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from contributions.models import Contribution
from core.i18n import language_name
from staff.models import Decision, Evaluation, Outcome
from staff.selectors.evaluations import criteria_of, scale_mean

# The proposal's columns, before the answers and the evaluations, with their headings in
# the reader's language (the spreadsheet variant).
BASE_HEADINGS = {
    "id": _("id"),
    "title": _("title"),
    "description": _("description"),
    "theme": _("theme"),
    "commune": _("commune"),
    "status": _("status"),
    "votes": _("votes"),
    "comments": _("comments"),
    "submitted_on": _("submitted on"),
    "meeting_date": _("meeting date"),
    "meeting": _("meeting"),
    "decision": _("decision"),
    "longitude": _("longitude"),
    "latitude": _("latitude"),
}
BASE_COLUMNS = list(BASE_HEADINGS)


@dataclass
class ProgrammingTable:
    columns: list
    headings: list = field(default_factory=list)  # `columns` in the reader's language
    rows: list = field(default_factory=list)  # lists of values, in `columns` order
    geometries: list = field(default_factory=list)  # GEOS geometries, one per row
    scale_columns: set = field(default_factory=set)  # numeric columns


def _name(text: str) -> str:
    """A column name every GIS reads: lower-case letters, digits and underscores."""
    return re.sub(r"[^a-z0-9]+", "_", slugify(text)).strip("_") or "x"


def kept_decisions(project, meeting=None):
    decisions = Decision.objects.filter(project=project, outcome=Outcome.KEPT)
    if meeting is not None:
        decisions = decisions.filter(meeting=meeting)
    return decisions.select_related(
        "meeting", "contribution__theme", "contribution__commune"
    ).order_by("meeting__date", "contribution__created_at", "contribution_id")


def programming_table(project, meeting=None) -> ProgrammingTable:
    decisions = list(kept_decisions(project, meeting))
    ids = [d.contribution_id for d in decisions]
    spots = dict(
        Contribution.objects.filter(pk__in=ids)
        .annotate(spot=PointOnSurface("geom"))
        .values_list("pk", "spot")
    )
    evaluations = list(
        Evaluation.objects.filter(contribution_id__in=ids).select_related("evaluator")
    )
    evaluators = sorted({e.evaluator.get_username() for e in evaluations})
    criteria = criteria_of(project)
    by_contribution = {}
    for evaluation in evaluations:
        by_contribution.setdefault(evaluation.contribution_id, {})[
            evaluation.evaluator.get_username()
        ] = evaluation
    languages = list(project.languages)
    columns = BASE_COLUMNS + [f"answer_{code}" for code in languages]
    headings = [str(h) for h in BASE_HEADINGS.values()] + [
        str(_("answer (%(language)s)") % {"language": language_name(code)}) for code in languages
    ]
    table = ProgrammingTable(columns=columns, headings=headings)
    for criterion in criteria:
        for evaluator in evaluators:
            column = f"{_name(criterion.code)}__{_name(evaluator)}"
            table.columns.append(column)
            table.headings.append(f"{criterion.display_label} – {evaluator}")
            if criterion.is_scale:
                table.scale_columns.add(column)
        if criterion.is_scale:
            table.columns.append(f"{_name(criterion.code)}__mean")
            table.headings.append(f"{criterion.display_label} – {_('mean')}")
            table.scale_columns.add(f"{_name(criterion.code)}__mean")
    for decision in decisions:
        proposal = decision.contribution
        spot = spots.get(proposal.pk)
        row = [
            str(proposal.pk),
            proposal.title,
            proposal.description,
            str(proposal.theme),
            proposal.commune.name if proposal.commune else "",
            proposal.status,
            proposal.vote_count,
            proposal.comment_count,
            proposal.created_at.date().isoformat(),
            decision.meeting.date.isoformat(),
            str(decision.meeting),
            decision.outcome,
            round(spot.x, 6) if spot else None,
            round(spot.y, 6) if spot else None,
        ]
        row += [(decision.answer_texts or {}).get(code, "") for code in languages]
        scored = by_contribution.get(proposal.pk, {})
        for criterion in criteria:
            values = []
            for evaluator in evaluators:
                evaluation = scored.get(evaluator)
                value = (evaluation.scores or {}).get(criterion.code) if evaluation else None
                values.append(value)
                row.append(
                    value if criterion.is_scale or value is None else criterion.choice_label(value)
                )
            if criterion.is_scale:
                row.append(scale_mean(values))
        table.rows.append(row)
        table.geometries.append(proposal.geom)
    return table
