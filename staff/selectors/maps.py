"""The small maps the pages draw: an SVG frame around the project perimeter, and where the
contributions are for the dashboard's map."""

import math
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db import connection

from contributions.models import Contribution, Project, Status


@dataclass
class MapFrame:
    """An SVG frame around the project perimeter: lon/lat drawn with x shrunk by cos(lat)
    (an equirectangular view that looks right at the perimeter's latitude)."""

    path: str
    xmin: float
    ymin: float
    xmax: float
    ymax: float
    k: float
    markers: list = field(default_factory=list)

    @property
    def view_box(self):
        pad = (self.ymax - self.ymin) * 0.04
        width = (self.xmax - self.xmin) * self.k + 2 * pad
        height = self.ymax - self.ymin + 2 * pad
        return f"{self.xmin * self.k - pad:.5f} {-self.ymax - pad:.5f} {width:.5f} {height:.5f}"

    @property
    def radius(self):
        return (self.ymax - self.ymin) / 45

    def marker(self, point):
        """SVG coordinates of a lon/lat point."""
        if point is None:
            return None
        return {"x": round(point.x * self.k, 5), "y": round(-point.y, 5)}

    def within(self, point, span_m: float = 4000):
        """A frame zoomed on one point (a few km around it), same perimeter path."""
        half = span_m / 2 / 111_320
        return MapFrame(
            path=self.path,
            xmin=point.x - half / self.k,
            xmax=point.x + half / self.k,
            ymin=point.y - half,
            ymax=point.y + half,
            k=self.k,
        )


def perimeter_frame(project: Project) -> MapFrame:
    # ST_AsSVG writes y as -latitude, which is what an SVG (y downwards) needs.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ST_AsSVG(ST_SimplifyPreserveTopology(geom, 0.002), 0, 4),
                      ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)
               FROM territories_territory WHERE id = %s""",
            [project.perimeter_id],
        )
        path, xmin, ymin, xmax, ymax = cursor.fetchone()
    k = math.cos(math.radians((ymin + ymax) / 2))
    # The path is scaled in the template (transform="scale(k 1)").
    return MapFrame(path=path, xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax, k=k)


def map_points(project: Project, *, limit: int = 3000):
    """Where the (non-hidden) contributions are, for the dashboard's small map."""
    return list(
        Contribution.objects.of_project(project)
        .exclude(status=Status.HIDDEN)
        .annotate(spot=PointOnSurface("geom"))
        .order_by("pk")
        .values_list("spot", "theme__colour")[:limit]
    )
