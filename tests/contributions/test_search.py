"""Searching contributions by words of their text (`q`): the API and the list page, accents
and case ignored, in French and Italian alike, and a search that cannot run refused."""

import pytest

from contributions.filters import SEARCH_MAX_LENGTH
from contributions.models import Status
from tests.contributions.conftest import MENTON, NICE, SANREMO
from tests.factories import make_contribution

pytestmark = pytest.mark.django_db
URL = "/api/projects/piter-alpimed/contributions/"
LIST = "/{language}/p/piter-alpimed/list/"
WORD = "Quorvinte"  # a word no demo contribution holds


@pytest.fixture
def items(demo):
    return {
        "school": make_contribution(
            demo, lonlat=NICE, title=f"Une nouvelle École près du {WORD}", description=""
        ),
        "city": make_contribution(
            demo,
            lonlat=SANREMO,
            title="Piazza chiusa",
            description=f"Il centro della Città è chiuso la domenica ({WORD}).",
        ),
        "wildcards": make_contribution(
            demo, lonlat=MENTON, title=f"{WORD} à 100% l_un", description="Trottoir"
        ),
        "unpublished": make_contribution(
            demo, lonlat=NICE, title=f"École {WORD}", status=Status.SUBMITTED, description=""
        ),
    }


def found(client, q, **params):
    response = client.get(URL, {"q": q, "limit": 500, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    titles = {feature["properties"]["title"] for feature in body["features"]}
    assert body["numberMatched"] == len(titles)  # the count knows the search too
    return titles


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (f"ecole {WORD}", {"school"}),  # "ecole" finds "École"
        (f"ÉCOLE {WORD.upper()}", {"school"}),
        (f"{WORD.lower()} citta", {"city"}),  # "citta" finds "città", in the description
        (f"CITTÀ {WORD}", {"city"}),
        (f"{WORD} nouvelle", {"school"}),  # every word, in any order
        (WORD.lower(), {"school", "city", "wildcards"}),  # never an unpublished one
        (f"  {WORD}   trottoir ", {"wildcards"}),
        (f"{WORD} 100%", {"wildcards"}),
        (f"{WORD} %", {"wildcards"}),
        (f"{WORD} l_un", {"wildcards"}),
        (f"{WORD} l%un", set()),  # LIKE's wildcards are matched as themselves
        (f"{WORD} a_un", set()),
        (f"{WORD} absent", set()),
    ],
)
def test_the_api_finds_by_words_of_the_title_or_the_description(client, items, q, expected):
    assert found(client, q) == {items[name].title for name in expected}


def test_an_empty_search_is_no_search(client, items):
    assert (
        client.get(URL, {"q": "", "limit": 1}).json()["numberMatched"]
        == client.get(URL, {"limit": 1}).json()["numberMatched"]
    )


def test_the_search_combines_with_the_other_filters(client, items):
    assert found(client, WORD, commune="06088") == {items["school"].title}
    assert found(client, WORD, kind="proposal") == set()


@pytest.mark.parametrize("language", ["fr", "it", "en"])
def test_a_search_too_long_is_refused_with_its_code(client, demo, language):
    response = client.get(URL, {"q": "a" * (SEARCH_MAX_LENGTH + 1)}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["q"]
    assert str(SEARCH_MAX_LENGTH) in body["fields"]["q"][0]
    assert client.get(URL, {"q": "a" * SEARCH_MAX_LENGTH}).status_code == 200


def test_a_search_holding_nul_is_refused_with_its_code(client, demo):
    for url in (URL, LIST.format(language="fr")):
        response = client.get(url, {"q": "école\x00"})
        assert response.status_code == 400
        assert response.json()["code"] == "nul_byte"


# ---------------------------------------------------------------- the list page


@pytest.mark.parametrize(
    ("language", "q", "expected"),
    [
        ("fr", "citta", "city"),  # an Italian item, found from a French page
        ("it", "ecole", "school"),  # a French item, found from an Italian page
        ("en", "CITTÀ", "city"),
    ],
)
def test_the_list_page_finds_in_every_language(client, items, language, q, expected):
    response = client.get(LIST.format(language=language), {"q": f"{q} {WORD}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert items[expected].title in html
    assert 'name="q" value="' in html and f"{q} {WORD}" in html  # the search stays in its field
    others = {name for name in items if name != expected}
    assert not any(items[name].title in html for name in others)


def test_the_list_page_keeps_the_search_across_its_pages(client, items):
    response = client.get(LIST.format(language="fr"), {"q": WORD, "kind": "report"})
    assert response.context["query"] == f"kind=report&q={WORD}"


def test_the_list_page_refuses_a_search_too_long(client, items):
    response = client.get(LIST.format(language="fr"), {"q": "a" * (SEARCH_MAX_LENGTH + 1)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-code="invalid"' in html and 'aria-invalid="true"' in html
    assert str(SEARCH_MAX_LENGTH) in html
    assert items["school"].title not in html  # no list passing for the answer
