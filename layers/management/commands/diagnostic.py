"""Write a project's diagnostic bundle into a folder (docs/diagnostic.md)."""

from django.core.management.base import BaseCommand, CommandError

from layers.diagnostic import bundle, hotspots
from layers.management.selection import add_filter_arguments, filters_from, project_from


class Command(BaseCommand):
    help = (
        "Write the diagnostic bundle of a project's public contributions into a folder: "
        "map.html, density.tif, areas.geojson, areas.csv, hotspots.geojson, summary.json, "
        "report.html, report.pdf (A4, paginated), and a QGIS project beside its styled "
        "GeoPackage (folder qgis)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--output", required=True, metavar="DIR")
        add_filter_arguments(parser)
        parser.add_argument(
            "--language", help="of the report (HTML and PDF) and the map: fr, it or en"
        )
        parser.add_argument(
            "--cell", type=float, default=bundle.DEFAULT_CELL_M, help="density cell size (m)"
        )
        parser.add_argument(
            "--bandwidth",
            type=float,
            default=bundle.DEFAULT_BANDWIDTH_M,
            help="density kernel standard deviation (m)",
        )
        parser.add_argument(
            "--eps", type=float, default=hotspots.DEFAULT_EPS_M, help="hotspot distance (m)"
        )
        parser.add_argument(
            "--minpoints",
            type=int,
            default=None,
            help=(
                f"contributions within eps that make a hotspot (default: "
                f"{hotspots.DEFAULT_MINPOINTS}, or {hotspots.DENSITY_FACTOR} times the even "
                f"spread over the perimeter when larger)"
            ),
        )
        parser.add_argument(
            "--no-qgis",
            action="store_true",
            help="leave out the QGIS project and its GeoPackage (every contribution's point)",
        )
        parser.add_argument("--overwrite", action="store_true")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        project = project_from(options)
        filters = filters_from(options, staff=False, project=project)
        quiet = options["no_progress"] or options["verbosity"] < 1
        try:
            result = bundle.run(
                project=project,
                filters=filters,
                output=options["output"],
                language=options["language"],
                parameters=bundle.Parameters(
                    cell_m=options["cell"],
                    bandwidth_m=options["bandwidth"],
                    eps_m=options["eps"],
                    minpoints=options["minpoints"],
                ),
                overwrite=options["overwrite"],
                progress=not quiet,
                qgis=not options["no_qgis"],
            )
        except bundle.DiagnosticError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Diagnostic of {result.count} contributions of {project.slug} "
            f"({result.hotspots} hotspots) written to {result.output}"
        )
