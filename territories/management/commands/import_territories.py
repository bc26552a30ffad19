"""Import boundaries from any file GDAL reads, in any CRS; upserts by official code."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from territories.models import TerritoryKind
from territories.readers import BoundaryFileError
from territories.services import FieldMap, import_territories, read_population_csv

PROGRESS_FROM = 200  # features; smaller files import too fast to need a bar


class Command(BaseCommand):
    help = (
        "Import territories (communes, provinces...) from GeoJSON, GeoPackage, Shapefile or any "
        "file GDAL reads. Running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--layer", help="layer to read (GeoPackage and other multi-layer files)"
        )
        parser.add_argument(
            "--srid", type=int, help="EPSG code, for files that do not say their CRS"
        )
        parser.add_argument("--kind", default=TerritoryKind.COMMUNE, choices=TerritoryKind.values)
        parser.add_argument("--kind-field", help="field holding the kind, instead of --kind")
        parser.add_argument("--name-field", help="field holding the name (guessed by default)")
        parser.add_argument("--code-field", help="field holding the official code (guessed)")
        parser.add_argument("--population-field", help="field holding the population (guessed)")
        parser.add_argument(
            "--population-year",
            type=int,
            help="reference year of every population imported (e.g. 2021 for INSEE's legal "
            "populations), when the file has no year field",
        )
        parser.add_argument("--population-year-field", help="field holding the year (guessed)")
        parser.add_argument("--country", default="", help="ISO 3166-1 alpha-2 code, e.g. FR or IT")
        parser.add_argument("--country-field", help="field holding the country code")
        parser.add_argument("--parent", help="official code of the parent of every territory")
        parser.add_argument("--parent-field", help="field holding each territory's parent code")
        parser.add_argument("--population-csv", help="CSV of populations keyed by code")
        parser.add_argument("--csv-code-column", help="code column of --population-csv")
        parser.add_argument("--csv-population-column", help="population column of --population-csv")

    def handle(self, *args, **options):
        fields = FieldMap(
            name=options["name_field"],
            code=options["code_field"],
            population=options["population_field"],
            kind=options["kind_field"],
            country=options["country_field"],
            parent=options["parent_field"],
            population_year=options["population_year_field"],
        )
        try:
            populations = (
                read_population_csv(
                    options["population_csv"],
                    options["csv_code_column"],
                    options["csv_population_column"],
                )
                if options["population_csv"]
                else None
            )
            with transaction.atomic():  # several files: all of them or none
                reports = [
                    import_territories(
                        path=path,
                        kind=options["kind"],
                        fields=fields,
                        layer=options["layer"],
                        srid=options["srid"],
                        country=options["country"],
                        parent_code=options["parent"],
                        populations=populations,
                        population_year=options["population_year"],
                        progress=self._progress,
                    )
                    for path in options["paths"]
                ]
        except BoundaryFileError as exc:
            raise CommandError(f"[{exc.code}] {exc.message} Nothing was imported.") from None
        except OSError as exc:
            raise CommandError(f"[unreadable_file] {exc} Nothing was imported.") from None
        for path, report in zip(options["paths"], reports, strict=True):
            self._print(path, report)

    def _progress(self, features):
        return tqdm(
            features,
            desc="territories",
            unit="feature",
            file=sys.stderr,
            disable=len(features) < PROGRESS_FROM,
        )

    def _print(self, path, report):
        self.stdout.write(f"{path}: {report.summary()}")
        for label in report.repaired:
            self.stdout.write(f"  repaired invalid geometry: {label}")
        for label, reason in report.skipped:
            self.stdout.write(f"  skipped {label}: {reason}")
