"""The notes beside an open-data export: README.txt (what, when, which filters, columns) and
LICENSE.txt (the ODbL)."""

from dataclasses import fields
from pathlib import Path

from django.utils import timezone

from contributions.selectors import ContributionFilters
from core.i18n import localized
from layers.exports.formats import FORMATS

ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"


def describe_filters(filters: ContributionFilters, empty: str = "none") -> str:
    shown = [
        f"{item.name}={getattr(filters, item.name)}"
        for item in fields(filters)
        if getattr(filters, item.name)
    ]
    return ", ".join(shown) or empty


def write_public_notes(project, output: Path, *, fmt, srs_name, srid, filters, count):
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    title = localized(project.title) or project.slug
    readme = f"""Public contributions: {title}

File: {output.name} ({FORMATS[fmt].driver})
What: the public contributions (proposals, reports of problems, observations) made by
residents to the participatory project {project.slug}, as moderated and published on the
map. Unpublished and hidden contributions, emails and authors are not included.
Features: {count}
Coordinate reference system: EPSG:{srid} ({srs_name}); the file name says it too
Exported: {now}
Filters: {describe_filters(filters)}
Metadata: {output.with_suffix(".xml").name} (ISO 19115 / INSPIRE, ISO 19139 XML)

Columns: id, kind, kind_label, sentiment, theme, theme_name, title, description, status,
status_label, duplicate_of (the id of the contribution this one repeats, when public),
commune_code, commune_name, location_precision, location_precision_label, answer,
answered_at, votes, comments, channel, channel_label, created_at, photo_urls
(space-separated photo URLs) and the geometry. Each *_label is the code's label in the
export's language.
location_precision: "exact" (placed on the map), "approximate" (roughly placed, said so
when entered) or "commune" (only the commune is known: the point is a spot inside it, not
the place meant; leave these out of density maps).
"""
    if fmt in ("gpkg", "qgis"):
        readme += (
            "GeoPackage: one layer per geometry type (contributions_points, contributions_lines,\n"
            "contributions_areas), the communes and the perimeter, each with the default style\n"
            "QGIS applies when it opens it (layer_styles: QML and SLD); `contributions` holds\n"
            "the three layers' rows as one table without geometry.\n"
        )
    if fmt == "qgis":
        readme += f"QGIS project: {output.name}, beside {output.with_suffix('.gpkg').name}.\n"
    if fmt == "shp":
        readme += "Shapefile: field names are cut to 10 characters and texts to 254.\n"
    readme += f"\nLicence: Open Database License (ODbL) 1.0, see LICENSE.txt\n{ODBL_URL}\n"
    license_text = f"""This database ({output.name}) is made available under the Open Database
License (ODbL) 1.0: {ODBL_URL}

Summary (not a substitute for the licence):
- You are free to share (copy, distribute and use the database), to create (produce works
  from the database) and to adapt (modify, transform and build upon the database).
- Attribute: you must attribute any public use of the database, or works produced from it,
  as "Contributors to {title}", and keep intact any notices on the original database.
- Share-alike: if you publicly use an adapted version of this database, or works produced
  from an adapted database, you must also offer that adapted database under the ODbL.
- Keep open: if you redistribute the database, or an adapted version of it, you may use
  technological measures that restrict the work only if you also redistribute a version
  without such measures.
"""
    (output.parent / "README.txt").write_text(readme, encoding="utf-8")
    (output.parent / "LICENSE.txt").write_text(license_text, encoding="utf-8")
