"""Loads the PITER ALPIMED demo; does nothing that is already there."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the PITER ALPIMED demo (territories, project, contributions) if missing."

    def handle(self, *args, **options):
        self.stdout.write("Demo data: nothing to load yet.")
