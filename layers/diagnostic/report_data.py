"""What the diagnostic's report is drawn from (ReportData), its parts (Section) and the
project's partners for its title page; read by layers.diagnostic.report and report_stats."""

import base64
from dataclasses import dataclass, field
from datetime import datetime

from core.i18n import localized
from layers.diagnostic.density import Density


@dataclass
class Partner:
    name: str
    logo: str = ""  # a PNG data URI, or "" when the partner has no logo


@dataclass
class ReportData:
    """What the report is drawn from: the summary (summary.json) and the bundle's aggregates."""

    summary: dict
    title: str
    themes: list[dict]
    weeks: list
    raster: Density
    found: object  # hotspots.HotspotResult
    communes: list[dict]
    area_rows: list[dict]
    generated: datetime
    participation_level: str = ""
    # The statistics that survive small numbers (docs/diagnostic.md).
    rates: object = None  # rates.Rates
    gi: object = None  # getis_ord.GiStar
    weekly_themes: object = None  # themes.WeeklyThemes
    partners: list[Partner] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # What the services decided or did ("you said, we did"): results_of(project).
    results: list[dict] = field(default_factory=list)
    # The vote on the partners' projects: report_partner.partner_data(project), or None.
    partner_projects: dict | None = None
    # The questionnaires with responses: questionnaires.questionnaire_data(project, ...).
    questionnaires: list[dict] = field(default_factory=list)

    def theme_name(self, slug) -> str:
        for theme in self.themes:
            if theme["slug"] == slug:
                return localized(theme["name"]) or slug
        return ""


@dataclass
class Section:
    """One part of the report: an id (its anchor), a heading and what its template draws."""

    id: str
    heading: str
    template: str
    context: dict
    new_page: bool = True


def partners_of(project) -> list[Partner]:
    """The project's partners in order, their logos (stored re-encoded as PNG) as data URIs;
    a logo whose file is missing is left out, the name stays."""
    result = []
    for partner in project.partners.all():
        logo = ""
        if partner.logo:
            try:
                with partner.logo.open("rb") as stream:
                    data = stream.read()
                logo = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
            except OSError:
                logo = ""
        result.append(Partner(name=partner.name, logo=logo))
    return result
