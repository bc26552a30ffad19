"""Remove the personal data of projects closed longer ago than RETENTION_DAYS (docs/privacy.md).

Scheduled by the operator (cron, systemd timer); idempotent, logs what it did."""

from django.core.management.base import BaseCommand

from privacy import services


class Command(BaseCommand):
    help = (
        "Remove emails, follows, profile answers and links to people from projects closed "
        "more than RETENTION_DAYS days ago; contributions stay, anonymous."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="overrides RETENTION_DAYS")
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, **options):
        report = services.apply_retention(days=options["days"], dry_run=options["dry_run"])
        verb = "would clear" if options["dry_run"] else "cleared"
        self.stdout.write(
            f"retention {verb}: {report.emails} emails, {report.follows} follows, "
            f"{report.profiles} profiles, {report.authors} contribution authors, "
            f"{report.comment_authors} comment authors, {report.votes} votes, "
            f"{report.abuse_reports} abuse reports in {len(report.projects)} projects"
            + (f" ({', '.join(report.projects)})" if report.projects else "")
        )
