"""Which contributions the density raster and the hotspots may place.

A contribution placed only by its commune sits at a spot inside the commune chosen by
geometry (PointOnSurface), not by the resident: counted there, every such contribution of a
commune would pile onto one spot and show a concentration nobody reported. The density and
the hotspots therefore read only the precisions in DENSITY_PRECISIONS, and say how many
contributions in scope they left out; the per-commune tables and the totals count them all,
since their commune is known.
"""

from dataclasses import dataclass

from django.db import connection

from contributions.models import DENSITY_PRECISIONS
from layers.diagnostic.queries import Scope

_PRECISIONS = [str(precision) for precision in DENSITY_PRECISIONS]


@dataclass(frozen=True)
class PlacedScope(Scope):
    """A scope narrowed to the contributions whose point is a place."""

    def where(self):
        where_sql, params = super().where()
        return f"({where_sql}) AND location_precision = ANY(%s)", [*params, _PRECISIONS]


def placed(scope: Scope) -> PlacedScope:
    return PlacedScope(scope.project, scope.filters)


def left_out(scope: Scope) -> int:
    """How many contributions in `scope` the density and the hotspots leave out."""
    where_sql, params = Scope(scope.project, scope.filters).where()
    sql = (
        "SELECT count(*) FROM contributions_contribution "  # noqa: S608 - the compiled WHERE
        f"WHERE ({where_sql}) AND location_precision <> ALL(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, _PRECISIONS])
        return int(cursor.fetchone()[0])
