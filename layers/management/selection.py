"""What the layer commands (export_layer, diagnostic) share: which project, which contributions."""

from django.core.management.base import CommandError

from contributions.models import Project
from contributions.selectors import ContributionFilters


def add_filter_arguments(parser):
    """The public list's filters, as repeatable options."""
    parser.add_argument("--kind", action="append", metavar="K", help="repeatable")
    parser.add_argument("--theme", action="append", metavar="T", help="repeatable")
    parser.add_argument("--status", action="append", metavar="S", help="repeatable")
    parser.add_argument("--commune", metavar="CODE")


def project_from(options) -> Project:
    try:
        return Project.objects.select_related("perimeter").get(slug=options["project"])
    except Project.DoesNotExist:
        raise CommandError(f"No project with the slug {options['project']!r}.") from None


def filters_from(options) -> ContributionFilters:
    return ContributionFilters(
        kinds=options["kind"],
        themes=options["theme"],
        statuses=options["status"],
        commune=options["commune"],
    )
