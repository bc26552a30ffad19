from django.core.management.base import BaseCommand

from mapping import translation_check


class Command(BaseCommand):
    help = (
        "Extracts every marked string into locale/ (French, Italian, English; Python, templates "
        "and JavaScript), fills the English catalogue, and lists what still needs translating."
    )

    def handle(self, *args, **options):
        locale = translation_check.ROOT / "locale"
        translation_check.extract(locale)
        problems = translation_check.catalogue_problems(locale)
        problems += translation_check.template_problems()
        for problem in problems:
            self.stdout.write(str(problem))
        self.stdout.write(f"{len(problems)} string(s) to translate or mark.")
