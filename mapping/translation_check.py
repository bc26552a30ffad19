"""The translation check: every string marked in code is in the French, Italian and English
catalogues, translated and not fuzzy; every text a template shows is marked.

Used by the test suite and by `manage.py update_translations`.
"""

import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOMAINS = ("django", "djangojs")
SOURCE_LANGUAGE = "en"  # msgids are English: its catalogue repeats them
# Directories that hold no application strings (or someone else's).
IGNORED = [".venv", "bench", "tests", "notebooks", "node_modules", "artifacts", "vendor", ".git"]


def languages():
    return [code for code, _name in settings.LANGUAGES]


def extract(locale_dir: Path) -> None:
    """Runs makemessages for every language and domain into locale_dir (merging what is there)."""
    env = {**os.environ, "LOCALE_DIR": str(locale_dir)}
    ignore = [f"--ignore={name}" for name in IGNORED]
    for domain in DOMAINS:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-d", domain, "--no-obsolete", "-v0"]
            + [f"-l{code}" for code in languages()]
            + ignore,
            cwd=ROOT,
            env=env,
            check=True,
        )
    fill_source_language(locale_dir)


def fill_source_language(locale_dir: Path) -> None:
    """The English catalogue translates each msgid to itself."""
    import polib

    for domain in DOMAINS:
        path = locale_dir / SOURCE_LANGUAGE / "LC_MESSAGES" / f"{domain}.po"
        if not path.is_file():
            continue
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.metadata["Language"] = SOURCE_LANGUAGE
        catalogue.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
        catalogue.save()


@dataclass
class Problem:
    where: str
    text: str
    why: str

    def __str__(self):
        return f"{self.where}: {self.why}: {self.text!r}"


def catalogue_problems(locale_dir: Path) -> list[Problem]:
    """Untranslated, partly translated or fuzzy entries, and missing catalogues."""
    import polib

    problems = []
    for code in languages():
        for domain in DOMAINS:
            path = locale_dir / code / "LC_MESSAGES" / f"{domain}.po"
            if not path.is_file():
                problems.append(Problem(str(path), "", "missing catalogue"))
                continue
            for entry in polib.pofile(str(path)):
                if entry.obsolete:
                    continue
                where = f"{code}/{domain}.po:{entry.linenum}"
                if "fuzzy" in entry.flags:
                    problems.append(Problem(where, entry.msgid, "fuzzy"))
                elif not entry.translated():
                    problems.append(Problem(where, entry.msgid, "untranslated"))
    return problems


def fresh_catalogue_problems() -> list[Problem]:
    """Extracts the strings marked in code now, over a copy of the committed catalogues, and
    reports what is not translated: a string marked but never extracted is caught too."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "locale"
        shutil.copytree(ROOT / "locale", copy)
        extract(copy)
        return catalogue_problems(copy)


# ---------------------------------------------------------------- templates

TEMPLATE_NOISE = [
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{%\s*block body_class\s*%}.*?{%\s*endblock\b.*?%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S),
    re.compile(r"{{.*?}}", re.S),
    re.compile(r"{%.*?%}", re.S),
    re.compile(r"<!--.*?-->", re.S),
]
# Words that are the same in every language: names, formats, units.
UNIVERSAL = re.compile(
    r"\b(?:OpenStreetMap|GeoJSON|GeoPackage|FlatGeobuf|Shapefile|CSV|QR|OGC|API|PITER|ALPIMED|"
    r"Leaflet|Open311|EPSG|WGS|Lambert|UTM|QGIS|GDAL|PDF|PNG|JSON|OK|km|ha)\b"
)
# Code and keyboard examples are not prose.
VERBATIM_TAGS = ("script", "style", "code", "pre", "kbd", "samp")
TEXT_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label", "aria-description", "summary")


class _TextFinder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in VERBATIM_TAGS:
            self._skip += 1
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value:
                self._check(value, self.getpos(), f"{tag}[{name}]")
        if tag == "input":
            kind = dict(attrs).get("type", "")
            if kind in ("submit", "button", "reset") and dict(attrs).get("value"):
                self._check(dict(attrs)["value"], self.getpos(), "input[value]")

    def handle_endtag(self, tag):
        if tag in VERBATIM_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check(data, self.getpos(), "text")

    def _check(self, text, position, kind):
        text = " ".join(text.split())
        if text and re.search(r"[^\W\d_]{2,}", UNIVERSAL.sub("", text)):
            self.found.append((position[0], kind, text))


def unmarked_template_text(path: Path) -> list[Problem]:
    source = path.read_text(encoding="utf-8")
    # Keep line numbers: replace what is marked or dynamic by spaces of the same shape.
    for pattern in TEMPLATE_NOISE:
        source = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)
    finder = _TextFinder()
    finder.feed(source)
    return [
        Problem(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{line}",
            text,
            f"{kind} not marked for translation",
        )
        for line, kind, text in finder.found
    ]


def template_files() -> list[Path]:
    found = []
    for folder in ROOT.glob("*/templates"):
        if folder.parts[-2] in IGNORED:
            continue
        found += sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".txt", ".xml"))
    return found


def template_problems() -> list[Problem]:
    problems = []
    for path in template_files():
        problems += unmarked_template_text(path)
    return problems
