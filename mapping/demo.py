"""The PITER ALPIMED demo: what `make demo` loads. Idempotent: a second run changes nothing."""

from django.conf import settings

from territories.services import FieldMap, build_perimeter, import_territories

DEMO_DIR = settings.BASE_DIR / "fixtures" / "piter_alpimed"
PERIMETER_SLUG = "piter-alpimed"


def load_demo(*, stdout=None):
    say = stdout.write if stdout else (lambda _line: None)
    report = import_territories(
        path=DEMO_DIR / "communes.geojson", fields=FieldMap(country="country")
    )
    say(f"PITER ALPIMED communes: {report.summary()}")
    codes = (DEMO_DIR / "perimeter_codes.txt").read_text(encoding="utf-8").split()
    outcome, perimeter = build_perimeter(slug=PERIMETER_SLUG, name="PITER ALPIMED", codes=codes)
    say(f"PITER ALPIMED perimeter: {outcome} ({perimeter.members.count()} communes)")
    return perimeter
