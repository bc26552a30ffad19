"""The collections /collections lists beside each project's contributions and the
territories: its results (layers.ogc_results), its partner projects
(layers.ogc_partner_projects) and its questionnaires' map questions
(layers.ogc_questionnaires), each module saying which of its collections are listed."""

from layers import ogc_partner_projects, ogc_questionnaires, ogc_results


def listed(request, projects) -> list:
    return (
        ogc_results.listed(request, projects)
        + ogc_partner_projects.listed(request, projects)
        + ogc_questionnaires.listed(request, projects)
    )
