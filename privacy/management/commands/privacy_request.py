"""Staff handle a request received by post, phone or at the counter (docs/privacy.md)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from privacy import selectors, services


class Command(BaseCommand):
    help = (
        "Export (--export PATH, .json or .csv) or erase (--erase) everything held about a "
        "person, found by email: their account if one holds the address, else what is tied "
        "to the address."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--export", metavar="PATH")
        action.add_argument("--erase", action="store_true")
        parser.add_argument("--delete-photos", action="store_true")

    def handle(self, *args, **options):
        email = options["email"].strip().lower()
        user = services.user_by_email(email)
        who = {"user": user} if user else {"email": email}
        if options["export"]:
            path = Path(options["export"])
            data = selectors.personal_data(**who)
            if path.suffix == ".csv":
                path.write_text(selectors.personal_data_csv(data), encoding="utf-8")
            else:
                path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            self.stdout.write(
                f"{len(data['contributions'])} contributions, {len(data['comments'])} comments, "
                f"{len(data['votes'])} votes written to {path}"
            )
            return
        try:
            report = services.erase_person(delete_photos=options["delete_photos"], **who)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"erased: {report.contributions} contributions anonymised, {report.follows} "
            f"follows, {report.comments} comments, {report.votes} votes, account deleted: "
            f"{'yes' if report.account_deleted else 'no account'}"
        )
