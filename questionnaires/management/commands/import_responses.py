"""Import a questionnaire's responses from a file laid out like its staff export
(docs/questionnaire_results.md): `import_responses --questionnaire PROJECT/QSLUG PATH`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contributions.vocabulary import Channel
from questionnaires.imports import ImportFileError, import_responses
from questionnaires.models import Questionnaire


class Command(BaseCommand):
    help = (
        "Import responses from a GeoPackage (answers table and q_<code> layers) or the answers "
        "CSV (with its _q_<code>.csv files beside it), as the staff export writes them. Each "
        "response is checked like an online one; refused rows are listed, nothing of them is "
        "written; a response imported twice is stored once."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH")
        parser.add_argument("--questionnaire", required=True, metavar="PROJECT/QSLUG")
        parser.add_argument(
            "--entered-by", required=True, metavar="USERNAME", help="the staff member importing"
        )
        parser.add_argument(
            "--channel",
            default=Channel.PAPER,
            choices=Channel.values,
            help="for rows without a channel of their own (default: paper)",
        )

    def handle(self, *args, **options):
        project_slug, _slash, slug = options["questionnaire"].partition("/")
        questionnaire = (
            Questionnaire.objects.select_related("project__perimeter")
            .filter(project__slug=project_slug, slug=slug)
            .first()
        )
        if questionnaire is None:
            raise CommandError(f"No questionnaire {options['questionnaire']!r} (PROJECT/QSLUG).")
        user = get_user_model().objects.filter(username=options["entered_by"]).first()
        if user is None or not user.is_staff:
            raise CommandError(f"{options['entered_by']!r} is not a staff account.")
        try:
            report = import_responses(
                questionnaire=questionnaire,
                path=options["path"],
                entered_by=user,
                channel=options["channel"],
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        for refusal in report.refused:
            self.stderr.write(f"line {refusal.line}: {refusal.code}: {refusal.message}")
        self.stdout.write(
            f"{report.created} responses imported, {report.already} already there, "
            f"{len(report.refused)} refused."
        )
        if report.refused:
            raise CommandError(f"{len(report.refused)} rows refused; the others were imported.")
