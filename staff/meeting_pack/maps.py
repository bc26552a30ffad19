"""The meeting pack's maps, drawn as SVG on the server (no tile server is reachable, and
WeasyPrint draws SVG): a one-page overview of the period's proposals, numbered, on the
commune outlines of the perimeter, and a small map per proposal.

Every place drawn is the contribution's public location (`public_geom`, docs/privacy.md):
the pack is printed and shared with partners, so a place the location rules blur is blurred
here too. Coordinates are computed in the database as pixels of the drawing (lon/lat with
x shrunk by cos(latitude), then scaled to `width`), so strokes and text keep their size in a
browser and in WeasyPrint alike, without `vector-effect`.
"""

import math
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import get_language

from core.postgis import STORAGE_SRID
from territories.selectors import display_name_sql

OVERVIEW_WIDTH = 1000  # pixels of the overview's drawing
OVERVIEW_TOLERANCE = 0.001  # degrees: the boundaries' simplification on the overview
OVERVIEW_MARKER_RADIUS = 11  # pixels: a numbered marker on the overview
ITEM_WIDTH = 480  # pixels of a proposal's small map
ITEM_SPAN_M = 4000  # a proposal's map is at least this wide (metres)
# Boundaries simplified to about 30 m on a proposal's map (a pixel is some 8 m there), and
# drawn in whole pixels: the PDF's maps were half of its writing time at full detail.
ITEM_TOLERANCE = 0.0003
METRES_PER_DEGREE = 111_320
MARKER_CLEARANCE = 22  # pixels around a proposal's marker that no name covers


@dataclass
class Drawing:
    """One SVG map: its size, the commune outlines, names and what is drawn on them."""

    width: float
    height: float
    perimeter: str = ""
    communes: str = ""
    names: list = field(default_factory=list)
    markers: list = field(default_factory=list)  # {"x", "y", "number", "colour"}
    shape: str = ""  # the proposal's line or area (SVG path), "" for a point
    shape_kind: str = ""  # "point" | "line" | "area"
    scale: dict | None = None  # a scale bar: {"width": px, "label": "1 km"}

    @property
    def view_box(self):
        return f"0 0 {self.width:.0f} {self.height:.0f}"


@dataclass
class _Box:
    xmin: float
    ymin: float
    xmax: float
    ymax: float
    width: float

    @property
    def k(self):
        return math.cos(math.radians((self.ymin + self.ymax) / 2))

    @property
    def s(self):
        return self.width / ((self.xmax - self.xmin) * self.k)

    @property
    def height(self):
        return (self.ymax - self.ymin) * self.s

    def params(self, **extra):
        # ST_Affine(g, a, 0, 0, e, xoff, yoff); ST_AsSVG then writes y as -y.
        return {
            "a": self.k * self.s,
            "e": self.s,
            "xoff": -self.xmin * self.k * self.s,
            "yoff": -self.ymax * self.s,
            "x0": self.xmin,
            "y0": self.ymin,
            "x1": self.xmax,
            "y1": self.ymax,
            "language": get_language() or "en",
            **extra,
        }

    def pixel(self, lon, lat):
        return {
            "x": round((lon - self.xmin) * self.k * self.s, 1),
            "y": round((self.ymax - lat) * self.s, 1),
        }

    def scale_bar(self):
        """A round distance about a fifth of the width, as a bar of its length in pixels."""
        metres_wide = (self.xmax - self.xmin) * self.k * METRES_PER_DEGREE
        target = metres_wide / 5
        step = 10 ** math.floor(math.log10(target))
        metres = max(m for m in (step, 2 * step, 5 * step) if m <= target)
        label = f"{metres // 1000:g} km" if metres >= 1000 else f"{metres:g} m"
        bar = round(metres / metres_wide * self.width, 1)
        bottom = round(self.height, 1)
        return {
            "width": bar,
            "label": label,
            "box_width": bar + 16,
            "box_y": bottom - 34,
            "text_y": bottom - 20,
            "y": bottom - 14,
        }


_PIXELS = "ST_Affine({g}, %(a)s, 0, 0, %(e)s, %(xoff)s, %(yoff)s)"
_CLIPPED = "ST_ClipByBox2D(ST_SimplifyPreserveTopology(t.geom, %(tolerance)s), box.g)"

# Why raw SQL: ST_ClipByBox2D, ST_Affine and ST_AsSVG, which the ORM does not express, over the
# perimeter's communes clipped to the drawing, in one round trip.
_OUTLINES_SQL = f"""
    WITH box AS (SELECT ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, {STORAGE_SRID}) AS g),
    shown AS (
        SELECT t.*, {_CLIPPED} AS part
        FROM territories_territory t
        JOIN territories_territory_members m ON m.to_territory_id = t.id, box
        WHERE m.from_territory_id = %(perimeter)s AND t.valid_until IS NULL AND t.geom && box.g)
    SELECT (SELECT ST_AsSVG({_PIXELS.format(g=_CLIPPED)}, 0, 0)
            FROM territories_territory t, box WHERE t.id = %(perimeter)s),
           (SELECT ST_AsSVG({_PIXELS.format(g="ST_CollectionExtract(ST_Collect(part), 3)")}, 0, 0)
            FROM shown),
           coalesce((SELECT json_agg(json_build_object(
                   'name', {display_name_sql("shown", "%(language)s")},
                   'lon', ST_X(ST_PointOnSurface(part)), 'lat', ST_Y(ST_PointOnSurface(part)))
               ORDER BY shown.population DESC NULLS LAST, ST_Area(part) DESC)
            FROM shown WHERE NOT ST_IsEmpty(part)), '[]')
"""  # noqa: S608 - fixed fragments; values are parameters


def _outlines(project, box: _Box, *, tolerance: float) -> tuple[str, str, list]:
    with connection.cursor() as cursor:
        cursor.execute(
            _OUTLINES_SQL, box.params(perimeter=project.perimeter_id, tolerance=tolerance)
        )
        perimeter, communes, places = cursor.fetchone()
    return perimeter or "", communes or "", places


def _names(box: _Box, places: list, *, size: float, limit: int, avoid=None) -> list:
    """Names to write: the first places (most populous) whose label fits without
    overlapping one already placed; a name on the `avoid` point (the proposal's marker) is
    moved below it."""
    placed, boxes = [], []
    for place in places:
        point = box.pixel(place["lon"], place["lat"])
        half_w, half_h = 0.3 * size * len(place["name"]), 0.6 * size
        if avoid is not None and (
            abs(point["x"] - avoid["x"]) < half_w + MARKER_CLEARANCE
            and abs(point["y"] - avoid["y"]) < half_h + MARKER_CLEARANCE
        ):
            point = {"x": point["x"], "y": round(avoid["y"] + MARKER_CLEARANCE + half_h, 1)}
        rect = (point["x"] - half_w, point["y"] - half_h, point["x"] + half_w, point["y"] + half_h)
        if rect[0] < 0 or rect[2] > box.width or rect[1] < 0 or rect[3] > box.height:
            continue
        if any(
            rect[0] < b[2] and b[0] < rect[2] and rect[1] < b[3] and b[1] < rect[3] for b in boxes
        ):
            continue
        boxes.append(rect)
        placed.append({"name": place["name"], "size": size, **point})
        if len(placed) == limit:
            break
    return placed


def overview(project, items) -> Drawing:
    """The perimeter and its communes, each proposal a numbered marker at its public place."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)"
            " FROM territories_territory WHERE id = %s",
            [project.perimeter_id],
        )
        xmin, ymin, xmax, ymax = cursor.fetchone()
    pad = (ymax - ymin) * 0.03
    box = _Box(xmin - pad, ymin - pad, xmax + pad, ymax + pad, OVERVIEW_WIDTH)
    perimeter, communes, places = _outlines(project, box, tolerance=OVERVIEW_TOLERANCE)
    drawing = Drawing(width=box.width, height=box.height, perimeter=perimeter, communes=communes)
    drawing.names = _names(box, places, size=13, limit=14)
    drawing.markers = spread(
        [
            {**box.pixel(*item.spot), "number": item.number, "colour": item.theme_colour}
            for item in items
            if item.spot is not None
        ],
        radius=OVERVIEW_MARKER_RADIUS,
        bounds=(box.width, box.height),
    )
    drawing.scale = box.scale_bar()
    return drawing


def spread(markers: list, *, radius: float, bounds=None) -> list:
    """Markers that would cover one another moved around their place, on rings of growing
    size, each keeping its place (`at_x`, `at_y`) for a leader line: a town with ten
    proposals shows ten readable numbers."""
    placed = []
    for marker in markers:
        x, y = marker["x"], marker["y"]
        spot, step = (x, y), 0
        while step < 200 and any(
            (spot[0] - q["x"]) ** 2 + (spot[1] - q["y"]) ** 2 < (2 * radius) ** 2 for q in placed
        ):
            step += 1
            ring = 1 + (step - 1) // 8
            angle = ((step - 1) % 8) * math.pi / 4 + ring * 0.4
            spot = (
                x + 2.1 * radius * ring * math.cos(angle),
                y + 2.1 * radius * ring * math.sin(angle),
            )
            if bounds is not None:  # kept inside the drawing
                spot = (
                    min(max(spot[0], radius), bounds[0] - radius),
                    min(max(spot[1], radius), bounds[1] - radius),
                )
        placed.append(
            {
                **marker,
                "x": round(spot[0], 1),
                "y": round(spot[1], 1),
                "at_x": x,
                "at_y": y,
                "moved": step > 0,
            }
        )
    return placed


# Why raw SQL: the public geometry in the drawing's pixels (ST_Affine, ST_AsSVG).
_SHAPE_SQL = f"""
    SELECT GeometryType(public_geom), ST_AsSVG({_PIXELS.format(g="public_geom")}, 0, 1)
    FROM contributions_contribution WHERE id = %(id)s
"""  # noqa: S608 - a fixed fragment; values are parameters


def item_map(project, item) -> Drawing | None:
    """A proposal's own map: a few kilometres around its public place (wider when its line or
    area is), the communes there with their names, and the point, line or area itself."""
    if item.spot is None:
        return None
    lon, lat = item.spot
    k = math.cos(math.radians(lat))
    half_y = ITEM_SPAN_M / 2 / METRES_PER_DEGREE
    x0, y0, x1, y1 = lon - half_y / k, lat - half_y, lon + half_y / k, lat + half_y
    if item.extent is not None:
        ex0, ey0, ex1, ey1 = item.extent
        margin = max(ex1 - ex0, ey1 - ey0) * 0.15
        x0, y0 = min(x0, ex0 - margin), min(y0, ey0 - margin)
        x1, y1 = max(x1, ex1 + margin), max(y1, ey1 + margin)
    # A square drawing, so every proposal's map has the same size on the page.
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max((x1 - x0) * k, y1 - y0) / 2
    box = _Box(cx - half / k, cy - half, cx + half / k, cy + half, ITEM_WIDTH)
    perimeter, communes, places = _outlines(project, box, tolerance=ITEM_TOLERANCE)
    drawing = Drawing(width=box.width, height=box.height, perimeter=perimeter, communes=communes)
    marker = box.pixel(lon, lat)
    drawing.names = _names(box, places, size=20, limit=6, avoid=marker)
    with connection.cursor() as cursor:
        cursor.execute(_SHAPE_SQL, box.params(id=item.id))
        kind, path = cursor.fetchone()
    kind = (kind or "").upper()
    if "LINE" in kind:
        drawing.shape, drawing.shape_kind = path, "line"
    elif "POLYGON" in kind:
        drawing.shape, drawing.shape_kind = path, "area"
    else:
        drawing.shape_kind = "point"
    drawing.markers = [{**marker, "number": item.number, "colour": item.theme_colour}]
    drawing.scale = box.scale_bar()
    return drawing
