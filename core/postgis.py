"""PostGIS in one place: the storage SRID, the metric and web CRSs, and the GeoFunc wrappers
for functions the ORM lacks (none is needed today: querysets use Django's own, and raw SQL
fast paths name PostGIS functions directly, with these SRIDs)."""

STORAGE_SRID = 4326
# Metric CRS for distance and buffer work across France and Italy (ETRS89 / LAEA Europe).
METRIC_SRID = 3035
# The web map's CRS: vector tiles and the running per-cell counts are in Web Mercator.
WEB_MERCATOR_SRID = 3857
