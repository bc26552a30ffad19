"""What the layer commands (export_layer, diagnostic) share: which project, which contributions."""

from django.core.management.base import CommandError

from contributions.filters import ContributionFilters, command_filters
from contributions.models import Project
from core.errors import DomainError


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


def filters_from(options, *, staff: bool, project: Project) -> ContributionFilters:
    """The options as filters, checked by the API's own rules (an unknown kind is refused)."""
    try:
        return command_filters(options, staff=staff, project=project)
    except DomainError as error:
        raise CommandError(error.message) from None
