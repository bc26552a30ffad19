"""After pgBackRest's backup (scripts/backup.sh): the manifest, its restore point and the media
copy (core.backup.snapshot)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from core.backup import manifest as manifests
from core.backup.snapshot import expire, snapshot, sync_media


class Command(BaseCommand):
    help = (
        "Write the manifest of a backup (row counts, files with their sha256, a restore point) "
        "and copy the new media files; --media-only copies the media files only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--label", help="the pgBackRest backup label (default: the time)")
        parser.add_argument("--media-only", action="store_true")
        parser.add_argument(
            "--expire-before",
            metavar="TIME",
            help="then forget the media versions and manifests no backup from TIME on can need",
        )

    def handle(self, *args, **options):
        before = None
        if options["expire_before"]:
            try:
                before = datetime.fromisoformat(options["expire_before"])
            except ValueError:
                raise CommandError(f"{options['expire_before']!r} is not a time") from None
        if options["media_only"]:
            report = sync_media()
            self.stdout.write(
                f"media: {report.seen} files, {report.copied} copied "
                f"({report.bytes_copied:,} bytes), {report.deleted} gone since the last sync"
            )
        else:
            self.snapshot(options["label"] or manifests.now_label())
        if before is not None:
            objects, manifests_removed = expire(before=before)
            self.stdout.write(
                f"expired: {objects} media copies, {manifests_removed} manifests older than "
                f"{before.isoformat()}"
            )

    def snapshot(self, label):
        path, manifest, report = snapshot(label=label)
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"manifest {path}: {len(manifest['tables'])} tables, {rows:,} rows, "
            f"{len(manifest['files']):,} files, restore point {manifest['restore_point']} "
            f"at {manifest['time']} (LSN {manifest['lsn']}); media: {report.copied} new files"
        )
        if manifest["missing"]:
            self.stderr.write(
                f"warning: {len(manifest['missing'])} files named by rows are missing from "
                f"MEDIA_ROOT, so from the backup too: {', '.join(manifest['missing'][:5])}"
            )
