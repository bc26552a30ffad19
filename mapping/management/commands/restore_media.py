"""After pgBackRest's restore (scripts/restore.sh): the files the restored rows name."""

from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup.snapshot import restore_files


class Command(BaseCommand):
    help = (
        "Write into MEDIA_ROOT, from the media copy, every file the restored database's rows "
        "name, as it was at --at (default: the newest copy)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", help='the restore target time, e.g. "2026-11-26 10:00:00+00"')
        parser.add_argument(
            "--quarantine",
            type=Path,
            help="move files no row names there (an in-place restore to an earlier time)",
        )

    def handle(self, *args, **options):
        at = None
        if options["at"]:
            try:
                at = datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(f"--at {options['at']!r} is not a time") from None
            if at.tzinfo is None:
                raise CommandError("--at needs a time zone, e.g. +00")
        report = restore_files(at=at, quarantine=options["quarantine"])
        self.stdout.write(
            f"media: {report.restored} files restored ({report.bytes_restored:,} bytes), "
            f"{len(report.quarantined)} moved to quarantine"
        )
        if report.missing:
            raise CommandError(
                f"{len(report.missing)} files named by rows have no copy in the backup: "
                + ", ".join(report.missing[:10])
            )
