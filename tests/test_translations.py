"""French, Italian and English throughout: the catalogues are complete, templates mark their
text, and the check itself catches what it must."""

import textwrap

import polib
import pytest

from mapping import translation_check

pytestmark = pytest.mark.slow


def test_every_marked_string_is_translated_in_french_italian_and_english():
    problems = translation_check.fresh_catalogue_problems()
    assert not problems, "\n".join(map(str, problems[:50]))


def test_every_template_text_is_marked_for_translation():
    problems = translation_check.template_problems()
    assert not problems, "\n".join(map(str, problems))


def _catalogue(folder, language, entries):
    path = folder / language / "LC_MESSAGES"
    path.mkdir(parents=True)
    for domain in translation_check.DOMAINS:
        catalogue = polib.POFile()
        catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
        for entry in entries:
            catalogue.append(entry)
        catalogue.save(str(path / f"{domain}.po"))


def test_the_check_catches_untranslated_and_fuzzy_strings(tmp_path):
    done = polib.POEntry(msgid="Send", msgstr="Envoyer")
    _catalogue(tmp_path, "fr", [done, polib.POEntry(msgid="Deliberately untranslated")])
    _catalogue(tmp_path, "it", [polib.POEntry(msgid="Send", msgstr="Invia", flags=["fuzzy"])])
    _catalogue(tmp_path, "en", [polib.POEntry(msgid="Send", msgstr="Send")])
    problems = translation_check.catalogue_problems(tmp_path)
    found = {(p.where.split("/")[0], p.why, p.text) for p in problems}
    assert ("fr", "untranslated", "Deliberately untranslated") in found
    assert ("it", "fuzzy", "Send") in found
    assert not any(p.where.startswith("en/") for p in problems)


def test_the_check_catches_unmarked_template_text(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        textwrap.dedent(
            """\
            {% load i18n %}
            <h1>{% translate "Marked" %}</h1>
            <p>Deliberately unmarked sentence</p>
            <img src="x.png" alt="An unmarked photo">
            <p>{% blocktranslate %}Marked {{ name }} here{% endblocktranslate %}</p>
            <p>{{ contribution.title }} · GeoJSON (WGS 84)</p>
            <pre><code>manage.py diagnostic</code></pre>
            """
        ),
        encoding="utf-8",
    )
    problems = translation_check.unmarked_template_text(template)
    assert [(p.where.rsplit(":", 1)[1], p.text) for p in problems] == [
        ("3", "Deliberately unmarked sentence"),
        ("4", "An unmarked photo"),
    ]
