"""PostGIS in one place: the storage SRID, the metric CRSs, and functions the ORM lacks."""

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import GeoFunc
from django.db.models import FloatField

STORAGE_SRID = 4326
# Metric CRS for distance and buffer work across France and Italy (ETRS89 / LAEA Europe).
METRIC_SRID = 3035
WEB_MERCATOR_SRID = 3857


class SimplifyPreserveTopology(GeoFunc):
    function = "ST_SimplifyPreserveTopology"
    output_field = GeometryField(srid=STORAGE_SRID)


class GeographyArea(GeoFunc):
    """Area in square metres on the spheroid."""

    template = "ST_Area(%(expressions)s::geography)"
    output_field = FloatField()
