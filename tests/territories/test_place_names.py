"""Places are found by the names people use: the official name with its article, and the
name in their own language (Nizza, Vintimille), from the map's search."""

import pytest

from territories.models import TerritoryName
from territories.readers import BoundaryFileError
from territories.services import import_names

pytestmark = pytest.mark.django_db


def search(client, text, language="fr"):
    response = client.get(
        "/api/projects/piter-alpimed/places/", {"q": text}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.json()["results"]


@pytest.mark.parametrize(
    ("text", "code", "also"),
    [
        ("Nizza", "06088", "Nizza"),
        ("nizza", "06088", "Nizza"),
        ("Mentone", "06083", "Mentone"),
        ("Vintimille", "008065", "Vintimille"),
        ("La Brigue", "06162", None),  # the official name matched: nothing to add
        ("Briga Marittima", "06162", "Briga Marittima"),
        ("Sospello", "06136", "Sospello"),
    ],
)
def test_the_map_search_finds_a_commune_by_its_other_names(client, demo, text, code, also):
    results = search(client, text)
    assert results, text
    assert results[0]["code"] == code
    assert results[0]["also"] == also


def test_an_exonym_never_hides_the_official_name(client, demo):
    [nice] = [r for r in search(client, "Nizza") if r["code"] == "06088"]
    assert nice["name"] == "Nice"


def test_names_survive_a_boundary_reimport_and_import_again_without_duplicates(demo, tmp_path):
    before = TerritoryName.objects.count()
    assert before >= 30
    path = tmp_path / "names.csv"
    path.write_text("code,language,name,note\n06088,it,Nizza,exonym\n06088,en,Nice,\n")
    assert import_names(path=path) == 2
    assert TerritoryName.objects.count() == before + 1  # Nizza was there already
    assert TerritoryName.objects.filter(code="06088", language="it", name="Nizza").count() == 1


@pytest.mark.parametrize(
    "text",
    ["code,name\n06088,Nizza\n", "code,language,name\n06088,,Nizza\n", "nothing\n"],
)
def test_an_unusable_names_file_writes_nothing(demo, tmp_path, text):
    before = TerritoryName.objects.count()
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(BoundaryFileError):
        import_names(path=path)
    assert TerritoryName.objects.count() == before
