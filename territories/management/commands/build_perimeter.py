"""Build a project perimeter as the union of imported territories."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.models import TerritoryKind
from territories.services import PerimeterError, build_perimeter


class Command(BaseCommand):
    help = "Build (or rebuild) a perimeter territory as the union of territories given by code."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="code of the perimeter, e.g. piter-alpimed")
        parser.add_argument("--name", required=True)
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--codes", help="comma-separated official codes")
        source.add_argument("--codes-file", help="a file with one code per line (# comments)")
        parser.add_argument(
            "--member-kind", default=TerritoryKind.COMMUNE, choices=TerritoryKind.values
        )
        parser.add_argument(
            "--close-gaps",
            type=float,
            default=100.0,
            metavar="METRES",
            help="gaps and slivers narrower than twice this are dissolved (default 100)",
        )

        parser.add_argument(
            "--fill-holes",
            type=float,
            default=2.0,
            metavar="KM2",
            help="holes smaller than this are gaps between boundaries and are filled (default 2)",
        )

    def handle(self, *args, **options):
        if options["codes"]:
            codes = options["codes"].split(",")
        else:
            try:
                lines = Path(options["codes_file"]).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise CommandError(
                    f"Cannot read {options['codes_file']}: {exc.strerror}."
                ) from None
            codes = [line.split("#")[0] for line in lines]
        try:
            outcome, perimeter = build_perimeter(
                slug=options["slug"],
                name=options["name"],
                codes=codes,
                member_kind=options["member_kind"],
                close_gaps_m=options["close_gaps"],
                fill_holes_km2=options["fill_holes"],
            )
        except PerimeterError as exc:
            raise CommandError(f"[{exc.code}] {exc.message} Nothing was written.") from None
        perimeter.refresh_from_db()
        self.stdout.write(
            f"{outcome} perimeter {perimeter.slug!r} ({perimeter.name}): "
            f"{perimeter.members.count()} territories, {perimeter.area_m2 / 1e6:.1f} km², "
            f"generation {perimeter.generation}"
        )
