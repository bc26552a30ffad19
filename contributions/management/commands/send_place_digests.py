"""Sends the daily or weekly digests of the followed places (run it from cron)."""

from django.core.management.base import BaseCommand

from contributions.services.places import send_digests


class Command(BaseCommand):
    help = "Sends one digest per follower of a place: what happened there since the last one."

    def add_arguments(self, parser):
        parser.add_argument("--frequency", choices=["daily", "weekly"], required=True)

    def handle(self, *args, frequency, **options):
        sent = send_digests(frequency=frequency)
        self.stdout.write(f"{sent} digest(s) sent")
