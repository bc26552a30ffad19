"""Every output that shows how many contributions match, one line each: its name, its reader
(client, project, filters) -> Figures or None, and which meaning of "matching" it follows
(tests/consistency/truth.py). Adding an output is adding a line here."""

from collections.abc import Callable
from dataclasses import dataclass

from contributions.models import PUBLIC_STATUSES
from tests.consistency.outputs import api, diagnostic, files, pages, partner, staff
from tests.consistency.truth import DASHBOARD, PLACED, PUBLIC, STAFF, TOUCHING, Figures


@dataclass
class Output:
    name: str
    reader: Callable
    meaning: str = PUBLIC
    box: str = PLACED  # what its bbox selects
    # Whose commune it names, when not its meaning's (none does today; kept for an output
    # that would count public contributions in the communes of their exact places).
    communes: str | None = None

    def read(self, client, project, filters) -> Figures | None:
        if self.meaning == PUBLIC and not set(filters.statuses or []) <= set(PUBLIC_STATUSES):
            return None  # public outputs refuse statuses the public may not see
        return self.reader(client, project, filters)


OUTPUTS = [
    Output("api numberMatched", api.api_number_matched),
    Output("api features", api.api_features),
    Output("clusters", api.clusters),
    Output("vector tiles", api.tiles),
    Output("ogc numberMatched", api.ogc_items, box=TOUCHING),
    Output("open311 requests", api.open311_requests),
    Output("open data geojson", files.opendata_geojson),
    Output("open data csv", files.opendata_csv),
    Output("export_layer --public", files.export_layer_public),
    Output("staff export", files.staff_export, STAFF),
    Output("dashboard page", staff.dashboard_page, DASHBOARD),
    Output("dashboard csv", staff.dashboard_csv, DASHBOARD),
    Output("diagnostic summary totals", diagnostic.summary_totals),
    Output("diagnostic summary by_kind", diagnostic.summary_by_kind),
    Output("diagnostic summary by_theme", diagnostic.summary_by_theme),
    Output("diagnostic summary by_status", diagnostic.summary_by_status),
    Output("diagnostic areas.csv", diagnostic.areas_csv),
    Output("diagnostic areas.geojson", diagnostic.areas_geojson),
    Output("diagnostic report.html", diagnostic.report_html),
    Output("notebook themes_by_commune", diagnostic.notebook_themes_by_commune),
    Output("public page counter", pages.page_counter),
    Output("list page", pages.list_page),
    Output("home page counter", pages.home_counter),
]
BY_OUTPUT = {output.name: output for output in OUTPUTS}


@dataclass
class PartnerOutput:
    """An output of the vote on the partners' projects: its reader (client, project) ->
    PartnerFigures, compared with tests/consistency/partner_truth.py."""

    name: str
    reader: Callable


PARTNER_OUTPUTS = [
    PartnerOutput("partner results page", partner.results_page),
    PartnerOutput("partner api list", partner.api_list),
    PartnerOutput("partner ogc items", partner.ogc_items),
    PartnerOutput("partner dashboard page", partner.dashboard_page),
    PartnerOutput("partner dashboard csv", partner.dashboard_csv),
    PartnerOutput("partner diagnostic report.html", partner.diagnostic_report),
    PartnerOutput("partner diagnostic summary.json", partner.diagnostic_summary),
    PartnerOutput("partner staff geopackage", partner.staff_geopackage),
    PartnerOutput("partner open data geopackage", partner.open_data_geopackage),
]
BY_PARTNER_OUTPUT = {output.name: output for output in PARTNER_OUTPUTS}
