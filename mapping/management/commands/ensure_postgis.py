"""Checks the configured database answers and has PostGIS, creating the extension if allowed."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection


class Command(BaseCommand):
    help = "Check that the database answers and has PostGIS (creating the extension if allowed)."

    def handle(self, *args, **options):
        where = "{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
                if cursor.fetchone() is None:
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("SELECT postgis_lib_version()")
                (version,) = cursor.fetchone()
        except DatabaseError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            if "extension" in first_line or "permission" in first_line:
                raise CommandError(
                    f"The database {where} has no PostGIS and this user may not install it "
                    f"({first_line}). Ask its administrator to run "
                    "'CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm;' in it, or unset "
                    "DATABASE_URL to use the project-local PostGIS."
                ) from None
            raise CommandError(f"Cannot use the database {where}: {first_line}") from None
        if options["verbosity"]:
            self.stdout.write(f"PostGIS {version} ready on {where}")
