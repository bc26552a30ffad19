"""The vote figures of the partners' projects as the GIS outputs carry them (the OGC API
collection, the GeoPackage layer): contributions.partner_figures' rows, by partner project
id, reduced to the columns a layer holds. Nothing is counted here."""

from contributions.partner_figures import partner_vote_results, ranking_is_public

# The figures a layer carries per partner project, in this order (partner_figures.PartnerResult).
COLUMNS = ("votes", "votes_for", "votes_against", "mean_rating", "rank")


def figures_by_id(project) -> dict[str, dict]:
    """{partner project id (text): {column: value}} for every published partner project."""
    return {
        row.id: {column: getattr(row, column) for column in COLUMNS}
        for row in partner_vote_results(project)
    }


def public_figures(project) -> dict[str, dict] | None:
    """The figures the public may see: those of figures_by_id once the ranking is public
    (partner_figures.ranking_is_public), else None."""
    return figures_by_id(project) if ranking_is_public(project) else None
