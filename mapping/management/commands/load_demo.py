"""Loads the PITER ALPIMED demo; does nothing that is already there."""

from django.core.management.base import BaseCommand

from mapping.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the PITER ALPIMED demo (territories, project, contributions, questionnaire "
        "and its responses, partner projects put to the vote) if missing."
    )

    def handle(self, *args, **options):
        load_demo(stdout=self.stdout, showcase=True)
