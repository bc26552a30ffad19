import pytest
from django.core.management import call_command

from territories.models import Territory

FR_RIVIERA_EPCI = "240600551"  # CA de la Riviera Française (Menton, Roya, Bévéra)


@pytest.fixture(scope="module")
def real_territories(boundaries_dir, django_db_setup, django_db_blocker):
    """The French and Italian communes of the shared files, imported once per test module."""
    with django_db_blocker.unblock():
        call_command(
            "import_territories",
            boundaries_dir / "fr06_communes.geojson",
            "--country=FR",
            f"--population-csv={boundaries_dir / 'fr06_commune_epci.csv'}",
            stdout=open("/dev/null", "w"),  # noqa: SIM115
        )
        call_command(
            "import_territories",
            boundaries_dir / "it_imperia_P8_comuni.geojson",
            "--country=IT",
            "--code-field=com_istat_code",
            stdout=open("/dev/null", "w"),  # noqa: SIM115
        )
        yield
        Territory.objects.all().delete()


@pytest.fixture(scope="session")
def riviera_codes(boundaries_dir):
    import csv

    with open(boundaries_dir / "fr06_commune_epci.csv", encoding="utf-8") as handle:
        french = [
            r["code_insee"] for r in csv.DictReader(handle) if r["epci_siren"] == FR_RIVIERA_EPCI
        ]
    assert len(french) > 10
    return french
