"""Realistic synthetic contributions inside a project's perimeter (benchmarks, demo)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from contributions import synthetic
from contributions.models import Project


class Command(BaseCommand):
    help = "Generate N realistic synthetic contributions inside a project's perimeter."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--count", required=True, type=int)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--language",
            choices=synthetic.LANGUAGES,
            help="Write every text in this language (default: Italian in Italy, else French).",
        )

    def handle(self, *args, **options):
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        try:
            project = Project.objects.select_related("perimeter").get(slug=options["project"])
        except Project.DoesNotExist:
            raise CommandError(f"No project with the slug {options['project']!r}.") from None
        started = time.monotonic()
        inserted = synthetic.generate(
            project=project,
            count=options["count"],
            seed=options["seed"],
            language=options["language"],
            progress=lambda total: tqdm(total=total, unit="contribution", file=sys.stderr),
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{inserted} contributions generated in {project.slug} in {elapsed:.1f} s "
            f"({inserted / elapsed:,.0f}/s)"
        )
