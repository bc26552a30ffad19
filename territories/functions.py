"""The territories' SQL functions, wrapped once for the ORM."""

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import GeoFunc

from core.postgis import STORAGE_SRID


class Anchor(GeoFunc):
    """`territories_anchor`: the point that stands for a geometry (itself for a point, a
    point on the surface of a line or an area): where the map places it and counts it."""

    function = "territories_anchor"
    output_field = PointField(srid=STORAGE_SRID)
