"""The small maps the pages draw: an SVG frame around the project perimeter, and where the
contributions are for the dashboard's map."""

import math
from dataclasses import dataclass, field

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db import connection
from django.utils.translation import get_language

from contributions.models import Contribution, Project, Status
from core.postgis import STORAGE_SRID
from territories.selectors import display_name_sql


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
    # Commune outlines (one SVG path) and names with their label point, most populous first:
    # what orients a reader on these maps, which have no basemap.
    communes_path: str = ""
    places: list = field(default_factory=list)
    # A zoomed frame draws its own, more detailed shapes instead of the page's shared ones.
    detailed: bool = False

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

    def labels(self, limit: int = 8):
        """The names to write on this frame: the most populous communes whose label point is
        inside it, in SVG coordinates, at a size readable on the frame."""
        size = (self.ymax - self.ymin) / 14
        inside = [
            p
            for p in self.places
            if self.xmin <= p["lon"] <= self.xmax and self.ymin <= p["lat"] <= self.ymax
        ]
        placed, boxes = [], []
        for p in inside:
            x, y = p["lon"] * self.k, -p["lat"]
            # About 0.6 em per character: enough to keep two names from overlapping.
            half_w, half_h = 0.3 * size * len(p["name"]) + size / 4, 0.6 * size
            box = (x - half_w, y - half_h, x + half_w, y + half_h)
            if any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes
            ):
                continue
            boxes.append(box)
            placed.append(
                {
                    "name": p["name"],
                    "x": round(x, 5),
                    "y": round(y, 5),
                    "size": round(size, 5),
                    "halo": round(size / 4, 5),
                }
            )
            if len(placed) == limit:
                break
        return placed


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
    communes_path, places = _communes(project)
    # The paths are scaled in the template (transform="scale(k 1)").
    return MapFrame(
        path=path,
        xmin=xmin,
        ymin=ymin,
        xmax=xmax,
        ymax=ymax,
        k=k,
        communes_path=communes_path,
        places=places,
    )


def zoom_frame(frame: MapFrame, project: Project, point, span_m: float = 4000) -> MapFrame:
    """A frame a few kilometres across around one point, with the perimeter and communes
    clipped to it at full detail (the shared shapes are too coarse there) and the name of
    every commune it shows, at a point inside the part it shows."""
    half = span_m / 2 / 111_320
    xmin, xmax = point.x - half / frame.k, point.x + half / frame.k
    ymin, ymax = point.y - half, point.y + half
    language = "%(language)s"
    sql = f"""
        WITH box AS (SELECT ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, {STORAGE_SRID}) AS g),
        shown AS (
            SELECT t.*, ST_ClipByBox2D(t.geom, box.g) AS part
            FROM territories_territory t
            JOIN territories_territory_members m ON m.to_territory_id = t.id, box
            WHERE m.from_territory_id = %(perimeter)s AND t.valid_until IS NULL
              AND t.geom && box.g)
        SELECT (SELECT ST_AsSVG(ST_ClipByBox2D(t.geom, box.g), 0, 6)
                FROM territories_territory t, box WHERE t.id = %(perimeter)s),
               (SELECT ST_AsSVG(ST_CollectionExtract(ST_Collect(part), 3), 0, 6) FROM shown),
               coalesce((SELECT json_agg(json_build_object(
                       'name', {display_name_sql("shown", language)},
                       'lon', ST_X(ST_PointOnSurface(part)),
                       'lat', ST_Y(ST_PointOnSurface(part)))
                   ORDER BY ST_Area(part) DESC)
                FROM shown WHERE NOT ST_IsEmpty(part)), '[]')
    """  # noqa: S608 - a fixed fragment (display_name_sql); values are parameters
    params = {
        "x0": xmin,
        "y0": ymin,
        "x1": xmax,
        "y1": ymax,
        "perimeter": project.perimeter_id,
        "language": get_language() or "en",
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        path, communes_path, places = cursor.fetchone()
    return MapFrame(
        path=path or "",
        xmin=xmin,
        ymin=ymin,
        xmax=xmax,
        ymax=ymax,
        k=frame.k,
        communes_path=communes_path or "",
        places=places,
        detailed=True,
    )


def _communes(project: Project):
    """The perimeter's current communes as one SVG path, and their names in the reader's
    language at a point inside each, most populous first."""
    language = "%(language)s"
    sql = f"""
        SELECT (SELECT ST_AsSVG(ST_CollectionExtract(
                    ST_Collect(ST_SimplifyPreserveTopology(t.geom, 0.001)), 3), 0, 4)
                FROM territories_territory t
                JOIN territories_territory_members m ON m.to_territory_id = t.id
                WHERE m.from_territory_id = %(perimeter)s AND t.valid_until IS NULL),
               coalesce((SELECT json_agg(json_build_object(
                       'name', {display_name_sql("t", language)},
                       'lon', ST_X(t.label_point),
                       'lat', ST_Y(t.label_point))
                   ORDER BY t.population DESC NULLS LAST, t.code)
                FROM territories_territory t
                JOIN territories_territory_members m ON m.to_territory_id = t.id
                WHERE m.from_territory_id = %(perimeter)s AND t.valid_until IS NULL), '[]')
    """  # noqa: S608 - a fixed fragment (display_name_sql); values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"perimeter": project.perimeter_id, "language": get_language() or "en"})
        path, places = cursor.fetchone()
    return path or "", places


def map_points(project: Project, *, limit: int = 3000):
    """Where the (non-hidden) contributions are, for the dashboard's small map."""
    return list(
        Contribution.objects.of_project(project)
        .exclude(status=Status.HIDDEN)
        .annotate(spot=PointOnSurface("geom"))
        .order_by("pk")
        .values_list("spot", "theme__colour")[:limit]
    )
