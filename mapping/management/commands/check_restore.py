"""Is a restored instance whole? Rows against the backup's manifest, files by sha256, no orphan
file, migrations at head, PostGIS answering (core.backup.check)."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import manifest as manifests
from core.backup.check import check_restore
from core.backup.snapshot import store


class Command(BaseCommand):
    help = (
        "Check a restored instance: row counts per table against --manifest (when restored to "
        "its restore point), photo checksums, no orphan files, migrations at head, PostGIS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--manifest", help="the backup's manifest (BACKUP_DIR/manifests/)")
        parser.add_argument(
            "--no-counts",
            action="store_true",
            help="restored to another time than the manifest's restore point: skip row counts",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        manifest = None
        if options["manifest"]:
            try:
                manifest = manifests.read(options["manifest"])
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read the manifest: {exc}") from None
        results = check_restore(
            media_root=settings.MEDIA_ROOT,
            manifest=manifest,
            counts=not options["no_counts"],
            store=store(),
        )
        if options["json"]:
            self.stdout.write(json.dumps([r.__dict__ for r in results], indent=1))
        else:
            for result in results:
                self.stdout.write(
                    f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.detail}"
                )
                for problem in result.problems[:20]:
                    self.stdout.write(f"     {problem}")
                if len(result.problems) > 20:
                    self.stdout.write(f"     ... and {len(result.problems) - 20} more")
        failed = [r.name for r in results if not r.ok]
        if failed:
            raise CommandError(f"the restored instance is not whole: {', '.join(failed)}")
