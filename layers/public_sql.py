"""The SQL fragments the map layers read public contributions through: the public list's own
WHERE clause and the point each contribution is clustered at. They sit below both the
cluster SQL (layers.selectors) and the in-memory index (layers.cluster_index), which reads
the same rows as the SQL path it stands in for."""

from django.db import connection

from contributions.selectors import PUBLIC_GEOM, ContributionFilters, public_contributions


def contribution_where(project, filters, *, with_bbox=False):
    """The list's own WHERE clause (public, project, filters), so map and list agree.

    Clusters and tiles bring their own viewport, so the box is left out unless asked for."""
    if not with_bbox:
        filters = ContributionFilters(**{**vars(filters), "bbox": None})
    queryset = public_contributions(project, filters)
    return queryset.query.get_compiler(connection=connection).compile(queryset.query.where)


# Clusters count, place and search by the public location only, like the running counts.
POINT_SQL = f"layers_point(contributions_contribution.{PUBLIC_GEOM})"
