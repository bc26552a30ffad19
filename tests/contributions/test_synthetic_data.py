"""The synthetic generator's texts (contributions/synthetic_data/): well-formed data files, in
every language the generator writes, that fit the model, and that the generator really reads."""

import json
import re
import string
import tomllib
import unicodedata
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from contributions import synthetic
from contributions.models import Contribution
from tests.conftest import ROOT

DATA = Path(synthetic.__file__).with_name("synthetic_data")
THEMES = {"infrastructure", "economic-development", "health-social", "services"}
KINDS = {"proposal", "report", "observation-positive", "observation-negative"}
PLACEHOLDER = "{commune}"
# The generator picks among the first 8 texts of a kind (INSERT_SQL: floor(r_text * 8)).
PICKED = 8
# Room left in a title for the commune's name (the demo's longest is 23 characters).
NAME_ROOM = 50
# The texts' own rules, beyond the model's limits: short titles, a few sentences.
MAX_TITLE_LENGTH = 90
MAX_DESCRIPTION_LENGTH = 400
SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


def _no_duplicate_keys(pairs):
    keys = [key for key, _value in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)


def read(lang):
    raw = (DATA / f"{lang}.json").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "byte order mark"
    assert b"\x00" not in raw
    return json.loads(raw.decode("utf-8", errors="strict"), object_pairs_hook=_no_duplicate_keys)


@pytest.fixture(scope="module")
def texts():
    return {lang: read(lang) for lang in synthetic.LANGUAGES}


def entries(texts):
    for lang, themes in texts.items():
        for theme, kinds in themes.items():
            for kind, items in kinds.items():
                for n, entry in enumerate(items):
                    yield (lang, theme, kind, n), entry


def test_one_file_per_language_the_generator_writes():
    assert set(synthetic.LANGUAGES) == {"fr", "it", "en"}
    assert set(synthetic.BY_COUNTRY) == {"fr", "it"} <= set(synthetic.LANGUAGES)
    assert sorted(p.name for p in DATA.iterdir()) == sorted(
        f"{lang}.json" for lang in synthetic.LANGUAGES
    )


def test_every_language_has_every_theme_and_kind(texts):
    for lang, themes in texts.items():
        assert set(themes) == THEMES, lang
        for theme, kinds in themes.items():
            assert set(kinds) == KINDS, (lang, theme)
            for kind, items in kinds.items():
                assert isinstance(items, list) and len(items) >= PICKED, (lang, theme, kind)
    # The same themes and kinds, in the same order, with as many texts: a translation.
    shapes = {
        lang: [(t, k, len(items)) for t, kinds in themes.items() for k, items in kinds.items()]
        for lang, themes in texts.items()
    }
    assert all(shape == shapes["fr"] for shape in shapes.values()), shapes


def test_english_is_the_french_translated_entry_by_entry(texts):
    # Italian has its own texts; English translates the French, so the commune's name goes
    # where the French puts it.
    for (_lang, theme, kind, n), entry in entries({"en": texts["en"]}):
        french = texts["fr"][theme][kind][n]
        for field in ("title", "description"):
            has = (PLACEHOLDER in entry[field], PLACEHOLDER in french[field])
            assert has[0] == has[1], (theme, kind, n, field)
            assert entry[field] != french[field], (theme, kind, n, field)


def test_texts_are_clean_and_fit_the_model(texts):
    title_max = Contribution._meta.get_field("title").max_length
    description_max = Contribution._meta.get_field("description").max_length
    titles = set()
    for where, entry in entries(texts):
        assert set(entry) == {"title", "description"}, where
        title, description = entry["title"], entry["description"]
        for text in (title, description):
            assert isinstance(text, str) and text and text == text.strip(), where
            # No control, format, private-use or unassigned characters (NUL, tabs, newlines...).
            bad = [ch for ch in text if unicodedata.category(ch).startswith("C")]
            assert not bad, (where, bad)
            assert unicodedata.normalize("NFC", text) == text, where
            fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            assert fields <= {"commune"}, (where, text)
            without = text.replace(PLACEHOLDER, "")
            assert "{" not in without and "}" not in without, (where, text)
        filled = "x" * NAME_ROOM
        assert len(title.replace(PLACEHOLDER, filled)) <= title_max, where
        assert len(description.replace(PLACEHOLDER, filled)) <= description_max, where
        assert len(title) <= MAX_TITLE_LENGTH and len(description) <= MAX_DESCRIPTION_LENGTH, where
        assert 1 <= len(SENTENCE_END.findall(description)) <= 3, where
        assert SENTENCE_END.search(description[-1]), where
        assert (where[0], title) not in titles, ("duplicate title", where)
        titles.add((where[0], title))


def test_the_generator_reads_these_files(texts):
    loaded = synthetic.load_texts()
    assert loaded == texts
    assert list(loaded["fr"]) == list(texts["fr"])  # file order: `n` is the position
    first = loaded["fr"]["infrastructure"]["proposal"][0]
    assert first["title"] == "Navette quotidienne vers la vallée de la Roya"
    assert loaded["it"]["services"]["observation-negative"][-1]["title"] == "Bancomat introvabile"
    assert loaded["en"]["infrastructure"]["proposal"][0]["title"] == (
        "Daily shuttle to the Roya valley"
    )
    assert synthetic.load_texts(("en",)) == {"en": texts["en"]}
    rows = list(synthetic._text_rows(loaded))
    assert len(rows) == sum(1 for _ in entries(texts))
    assert ("it", "services", "observation-negative", 8, "Bancomat introvabile") in {
        r[:5] for r in rows
    }


def test_the_data_ships_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["setuptools"]["package-data"]["contributions"]
    assert "synthetic_data/*.json" in shipped


def _matches(entry, row, towns):
    """Whether the row's title and description are this entry's, filled with a town's name."""
    parts = [
        re.escape(part) for part in f"{entry['title']}\n{entry['description']}".split(PLACEHOLDER)
    ]
    pattern = parts[0] + "".join(
        ("(?P<name>.+?)" if i == 0 else "(?P=name)") + part for i, part in enumerate(parts[1:])
    )
    found = re.fullmatch(pattern, f"{row.title}\n{row.description}")
    return bool(found) and (len(parts) == 1 or found["name"] in towns)


@pytest.mark.django_db
def test_generated_rows_carry_these_texts(demo, texts):
    before = set(Contribution.objects.values_list("pk", flat=True))
    synthetic.generate(project=demo, count=300, seed=8)
    new = Contribution.objects.exclude(pk__in=before).select_related("theme")
    assert len(new) == 300
    towns = set(demo.perimeter.members.values_list("name", flat=True))
    languages = set()
    for row in new:
        kind = row.kind if row.kind != "observation" else f"observation-{row.sentiment}"
        # The name is the town the point was drawn around, which may not be its commune.
        found = {
            lang
            for lang in texts
            for entry in texts[lang][row.theme.slug][kind][:PICKED]
            if _matches(entry, row, towns)
        }
        assert found, (row.theme.slug, kind, row.title)
        languages |= found
    # By default the texts follow the country: French and Italian, never English.
    assert languages == set(synthetic.BY_COUNTRY)


@pytest.mark.django_db
def test_language_en_writes_every_text_in_english(demo, texts):
    before = set(Contribution.objects.values_list("pk", flat=True))
    call_command(
        "generate_contributions",
        "--project=piter-alpimed",
        "--count=300",
        "--seed=8",
        "--language=en",
        stdout=StringIO(),
    )
    new = Contribution.objects.exclude(pk__in=before).select_related("theme", "commune")
    assert len(new) == 300
    # Italian communes too: the language asked for overrides the country.
    assert any(row.commune.country == "IT" for row in new)
    towns = set(demo.perimeter.members.values_list("name", flat=True))
    for row in new:
        kind = row.kind if row.kind != "observation" else f"observation-{row.sentiment}"
        found = {
            lang
            for lang in texts
            for entry in texts[lang][row.theme.slug][kind][:PICKED]
            if _matches(entry, row, towns)
        }
        assert found == {"en"}, (row.theme.slug, kind, row.title)


def test_an_unknown_language_is_refused():
    with pytest.raises(CommandError, match="invalid choice: 'de'"):
        call_command("generate_contributions", "--project=x", "--count=1", "--language=de")
