"""The small SQL helpers other functions build on, asked directly."""

import pytest

from layers.grid import to_mercator
from tests.database.helpers import rows

pytestmark = pytest.mark.django_db

POINT = "SRID=4326;POINT(7.262 43.703)"
LINE = "SRID=4326;LINESTRING(7.26 43.70, 7.27 43.70, 7.27 43.71)"
# A C-shaped area: its centroid falls outside it, its anchor must not.
AREA = (
    "SRID=4326;POLYGON((7 43, 7.3 43, 7.3 43.1, 7.1 43.1, 7.1 43.2,"
    " 7.3 43.2, 7.3 43.3, 7 43.3, 7 43))"
)


def test_territories_anchor_is_the_point_itself_or_a_point_on_the_shape():
    [(point_kept, on_line, in_area, centroid_in_area, srid)] = rows(
        """SELECT ST_Equals(territories_anchor(%s::geometry), %s::geometry),
                  ST_Intersects(territories_anchor(%s::geometry), %s::geometry),
                  ST_Intersects(territories_anchor(%s::geometry), %s::geometry),
                  ST_Intersects(ST_Centroid(%s::geometry), %s::geometry),
                  ST_SRID(territories_anchor(%s::geometry))""",
        [POINT, POINT, LINE, LINE, AREA, AREA, AREA, AREA, AREA],
    )
    assert point_kept and on_line and in_area
    assert not centroid_in_area  # the shape is one where the naive answer would be wrong
    assert srid == 4326


def test_layers_point_is_the_anchor_in_web_mercator():
    [(srid, same_place, x)] = rows(
        """SELECT ST_SRID(layers_point(%s::geometry)),
                  ST_Equals(ST_SnapToGrid(ST_Transform(layers_point(%s::geometry), 4326), 1e-9),
                            ST_SnapToGrid(territories_anchor(%s::geometry), 1e-9)),
                  ST_X(layers_point(%s::geometry))""",
        [AREA, AREA, AREA, POINT],
    )
    assert srid == 3857 and same_place
    assert x == pytest.approx(to_mercator(7.262, 43.703)[0], abs=0.01)
