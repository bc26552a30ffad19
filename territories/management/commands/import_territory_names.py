"""Import other names of territories (official names with their article, exonyms) from a CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.models import TerritoryKind
from territories.readers import BoundaryFileError
from territories.services import import_names


class Command(BaseCommand):
    help = "Import other names of territories from a CSV: code, language, name (and a note)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--kind", default=TerritoryKind.COMMUNE, choices=TerritoryKind.values)

    def handle(self, *args, **options):
        try:
            count = import_names(path=options["path"], kind=options["kind"])
        except (OSError, BoundaryFileError) as error:
            raise CommandError(getattr(error, "message", str(error))) from error
        self.stdout.write(f"{count} names of territories imported from {options['path']}.")
