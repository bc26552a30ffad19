"""Export a project's contributions to a GIS file (docs/exports.md)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from layers.exports.files import export_layer
from layers.exports.formats import FORMATS, TERRITORY_CRS, ExportError
from layers.exports.questionnaire_files import export_questionnaire
from layers.exports.sql import DEFAULT_BASE_URL
from layers.management.selection import add_filter_arguments, filters_from, project_from


class Command(BaseCommand):
    help = (
        "Export a project's contributions with ogr2ogr to GeoJSON, GeoPackage (one styled layer "
        "per geometry type, with metadata), CSV, FlatGeobuf, Shapefile or a QGIS project (.qgz "
        "beside its GeoPackage) in any EPSG coordinate reference system. Without --public "
        "(staff): every status, with the moderation state, email and author_id."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument(
            "--srid",
            "--crs",
            required=True,
            metavar="EPSG",
            help="an EPSG code (2154 or EPSG:2154): the territory's are "
            + ", ".join(f"{code} ({label})" for code, label in TERRITORY_CRS.items())
            + "; any other that GDAL knows is accepted",
        )
        parser.add_argument(
            "--output",
            required=True,
            metavar="PATH",
            help="a file, or a folder (ending in /) where the file is named after the project "
            "and the CRS, e.g. piter-alpimed_contributions_EPSG2154.gpkg",
        )
        parser.add_argument(
            "--public",
            action="store_true",
            help="only public items, no email or author; writes README.txt, LICENSE.txt and an "
            "ISO 19115 record (.xml) beside the file",
        )
        parser.add_argument(
            "--questionnaire",
            metavar="QSLUG",
            help="export this questionnaire of the project instead (gpkg, geojson or csv): one "
            "layer per map question, q_<code>, and the answers table; --output is a folder",
        )
        add_filter_arguments(parser)
        parser.add_argument("--base-url", default=DEFAULT_BASE_URL)
        parser.add_argument("--language", help="for labels and theme names (fr, it, en)")
        parser.add_argument("--overwrite", action="store_true")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        project = project_from(options)
        if options["questionnaire"]:
            return self._questionnaire(project, options)
        filters = filters_from(options, staff=not options["public"], project=project)
        quiet = options["no_progress"] or options["verbosity"] < 1
        try:
            result = export_layer(
                project=project,
                fmt=options["format"],
                srid=options["srid"],
                output=options["output"],
                public=options["public"],
                filters=filters,
                progress=None if quiet else sys.stderr,
                base_url=options["base_url"],
                language=options["language"],
                overwrite=options["overwrite"],
            )
        except ExportError as error:
            raise CommandError(str(error)) from error
        if not quiet:
            sys.stderr.write("\n")
        self.stdout.write(
            f"{result.count} contributions of {project.slug} written to {result.output} "
            f"(EPSG:{result.srid}, {'public' if options['public'] else 'staff'})"
        )

    def _questionnaire(self, project, options):
        questionnaire = project.questionnaires.filter(slug=options["questionnaire"]).first()
        if questionnaire is None:
            raise CommandError(f"{project.slug} has no questionnaire {options['questionnaire']!r}.")
        try:
            result = export_questionnaire(
                questionnaire=questionnaire,
                fmt=options["format"],
                srid=options["srid"],
                output=options["output"],
                public=options["public"],
                language=options["language"],
                overwrite=options["overwrite"],
            )
        except ExportError as error:
            raise CommandError(str(error)) from error
        for path in result.files:
            self.stdout.write(str(path))
