"""Contributions as files for GIS staff (GeoJSON, GeoPackage, CSV, FlatGeobuf, Shapefile).

GDAL's ogr2ogr does the work: it reads PostGIS through a server-side cursor and writes the
file as it goes, so memory stays constant however many contributions there are. The SELECT it
runs is built from the same filters (and the same compiled WHERE clause) as the public list,
so an export holds exactly what the map and the API would show for those filters.

One module per idea: `formats` (what each format is, and the errors), `sql` (the SELECT),
`ogr2ogr` (driving GDAL), `notes` (the open-data README and licence), `files` (an export
written to files: `export_layer`).
"""
