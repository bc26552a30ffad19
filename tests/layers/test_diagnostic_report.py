"""The diagnostic's report, ready to present: the PDF read back with poppler (pdfinfo,
pdftotext), in French, Italian and English; the map's legend in the reader's language; the
QGIS project in the bundle; partners' logos checked and re-encoded.

The language checks read the report's own strings the way `makemessages` does (xgettext over
the report's modules and its templates, templatized by Django) and compare them with the
catalogues in locale/: an English msgid whose translation exists must not be in a French or
Italian PDF, and a text the English PDF shows must be one of those msgids or data (names,
numbers, dates), so a string left out of gettext is found.
"""

import io
import json
import re
import sqlite3
import subprocess
import tempfile
import zipfile
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation.template import templatize
from PIL import Image, ImageDraw

from contributions.logos import LOGO_SIDE, reencoded, validate_logo
from contributions.models import Contribution, Result
from core.i18n import localized
from tests.conftest import ARTIFACTS, need

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
PARTNER = "Provincia di Cuneo – Settore Territorio"
LANGUAGES = ("fr", "it", "en")
REPORT_MODULES = (
    "layers/diagnostic/report.py",
    "layers/diagnostic/report_stats.py",
    "layers/diagnostic/report_partner.py",  # the vote on the partners' projects
    "layers/diagnostic/figures.py",
    "layers/diagnostic/stat_maps.py",
    "layers/diagnostic/rates.py",  # the levels' sentences
)
MAP_MODULES = ("layers/diagnostic/folium_map.py",)
REPORT_TEMPLATES = "layers/templates/layers/diagnostic"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FILE_NAME = re.compile(r"\b[\w-]+\.(geojson|csv|json|html|tif|pdf|qgz|gpkg)\b")


def _logo_png(size=(300, 150), colour="#1a7f37") -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 140, 140), fill=colour)
    draw.rectangle((160, 40, 290, 110), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(scope="module")
def partnered(demo, media, django_db_blocker):
    """The demo project with two partners, one with a logo; committed, removed at the end."""
    from contributions.models.projects import ProjectPartner

    with django_db_blocker.unblock():
        with_logo = ProjectPartner(project=demo, name=PARTNER, position=1)
        with_logo.logo = ContentFile(_logo_png(), name="cuneo.png")
        with_logo.full_clean()
        with_logo.save()
        ProjectPartner.objects.create(project=demo, name="Métropole Nice Côte d'Azur", position=0)
        result = Result.objects.create(
            project=demo,
            title={"fr": "Navette du samedi", "it": "Navetta del sabato"},
            status="in_progress",
            progress=40,
        )
        result.contributions.set(Contribution.objects.filter(project=demo).public()[:3])
        yield demo
        ProjectPartner.objects.filter(project=demo).delete()
        result.delete()


@pytest.fixture(scope="module")
def bundles(partnered, tmp_path_factory, django_db_blocker):
    """The bundle in each language, and its PDF's pages as PNGs under artifacts/screenshots."""
    need(subprocess.run(["which", "pdftotext"], capture_output=True).returncode == 0, "poppler")
    folders = {}
    with django_db_blocker.unblock():
        for language in LANGUAGES:
            folder = tmp_path_factory.mktemp("report") / language
            call_command(
                "diagnostic",
                *("--project", partnered.slug, "--output", str(folder)),
                *("--no-progress", "--language", language),
                stdout=io.StringIO(),
            )
            folders[language] = folder
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for language, folder in folders.items():
        for old in shots.glob(f"diagnostic-report-{language}-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(folder / "report.pdf")]
            + [str(shots / f"diagnostic-report-{language}")],
            check=True,
        )
    return folders


def pdf_text(path: Path, first=None, last=None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


# ---------------------------------------------------------------- the report's msgids


def extracted_msgids(modules=REPORT_MODULES, templates=REPORT_TEMPLATES) -> list[polib.POEntry]:
    """The report's strings as makemessages would extract them: xgettext over its modules and
    over its templates turned into Python by Django's templatize."""
    with tempfile.TemporaryDirectory() as scratch:
        sources = [str(ROOT / m) for m in modules]
        for k, template in enumerate(
            sorted((ROOT / templates).rglob("*.html")) if templates else []
        ):
            python = Path(scratch) / f"t{k}.py"
            python.write_text(templatize(template.read_text(), origin=str(template)))
            sources.append(str(python))
        pot = Path(scratch) / "report.pot"
        subprocess.run(
            [
                "xgettext",
                "-L",
                "Python",
                "--from-code=UTF-8",
                "--keyword=gettext_noop",
                "--keyword=gettext_lazy",
                "--keyword=ngettext_lazy:1,2",
                "--keyword=pgettext:1c,2",
                "--keyword=npgettext:1c,2,3",
                "--keyword=pgettext_lazy:1c,2",
                "--output",
                str(pot),
                *sources,
            ],
            check=True,
        )
        return list(polib.pofile(str(pot)))


def catalogue(language) -> dict[str, polib.POEntry]:
    po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    return {entry.msgid: entry for entry in po if not entry.obsolete}


def _translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return all(entry.msgstr_plural.values()) and "fuzzy" not in entry.flags
    return bool(entry.msgstr) and "fuzzy" not in entry.flags


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def msgid_pattern(msgid: str, filler=r".{0,120}?") -> re.Pattern:
    """A msgid as it appears on a page: its placeholders filled with anything short (a word
    or a number at either end), its spaces any run of white space (pdftotext breaks lines).
    A literal "%" is written "%%" in a msgid with placeholders."""
    pieces = PLACEHOLDER.split(msgid.replace("%%", "\x00"))[::2]  # literal pieces only
    literal = []
    for piece in (p.replace("\x00", "%") for p in pieces):
        words = r"\s+".join(re.escape(word) for word in piece.split())
        before = r"\s*" if piece[:1].isspace() else ""
        after = r"\s*" if piece[-1:].isspace() else ""
        literal.append(before + words + after)
    body = filler.join(literal)
    if pieces[0] == "":  # a placeholder first: a number or a word, not any text before
        body = r"(?<!\S)\S{0,40}" + body[len(filler) :]
    if len(pieces) > 1 and pieces[-1] == "":
        body = body[: -len(filler)] + r"\S{0,40}(?!\S)"
    start = r"\b" if re.match(r"\w", msgid) else ""
    end = r"\b" if re.search(r"\w$", msgid) else ""
    return re.compile(start + body + end)


def _dehyphenated(text: str) -> str:
    """pdftotext joins a word hyphenated at a line's end ("Cap-\nMartin" gives "CapMartin"):
    hyphens are dropped from both sides of a comparison."""
    return text.replace("-", "")


def english_leaks(text: str, language: str, modules=REPORT_MODULES, templates=REPORT_TEMPLATES):
    """(English msgids found in `text`, the report's msgids not yet translated, the report's
    msgids missing from the catalogue)."""
    entries = catalogue(language)
    leaks, untranslated, missing, translated = [], [], [], []
    for entry in extracted_msgids(modules, templates):
        known = entries.get(entry.msgid)
        if known is None:
            missing.append(entry)
        elif not _translated(known):
            untranslated.append(entry)
        else:
            translated.append((entry, known))
    # Strings still in English for want of a translation are expected there, and may hold a
    # translated msgid ("per 1,000 inhabitants"): taken out before looking for leaks.
    expected = [m for e in (*missing, *untranslated) for m in (e.msgid, e.msgid_plural) if m]
    for english in sorted(expected, key=len, reverse=True):
        text = msgid_pattern(english).sub(" ", text)
    for entry, known in translated:
        translations = [known.msgstr, *known.msgstr_plural.values()]
        for english in filter(None, [entry.msgid, entry.msgid_plural]):
            # A word that is the same in both languages ("Code", "Hotspot") is no leak.
            if any(english in t or t in english for t in translations if t):
                continue
            if len(PLACEHOLDER.sub("", english).strip()) < 3:
                continue
            if msgid_pattern(english).search(text):
                leaks.append(english)
    return leaks, [e.msgid for e in untranslated], [e.msgid for e in missing]


def _explain(language, leaks, untranslated, missing):
    return (
        f"{language}: English text in the report: {leaks}\n"
        f"report strings without a {language} translation yet (locale/{language}): "
        f"{untranslated}\nreport strings missing from locale/{language}/LC_MESSAGES/"
        f"django.po (run makemessages): {missing}"
    )


# ---------------------------------------------------------------- the bundle


def test_the_bundle_holds_the_pdf_and_a_qgis_project_beside_its_styled_geopackage(bundles):
    folder = bundles["fr"]
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")
    projects = list((folder / "qgis").glob("*.qgz"))
    assert len(projects) == 1
    geopackage = projects[0].with_suffix(".gpkg")
    assert geopackage.exists()
    with zipfile.ZipFile(projects[0]) as archive:
        (name,) = archive.namelist()
        project_xml = archive.read(name).decode("utf-8")
    assert f"./{geopackage.name}" in project_xml or geopackage.name in project_xml
    assert "EPSG:3035" in project_xml  # the CRS of density.tif
    with sqlite3.connect(geopackage) as db:
        styles = db.execute("SELECT count(*) FROM layer_styles").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")}
    assert styles >= 1
    assert any(t.startswith("contributions") for t in tables)
    summary = json.loads((folder / "summary.json").read_text())
    assert "report.pdf" in summary["files"] and "qgis" in summary["files"]
    # The statistics the report draws: rates smoothed by empirical Bayes, Gi* hot spots.
    assert summary["rates"]["territory_per_1000"] > 0
    assert sum(summary["rates"]["levels"].values()) > 0
    assert summary["gi_star"]["cells"] > 0


def test_the_pdf_is_paginated_a4_with_page_numbers(bundles):
    for language, folder in bundles.items():
        path = folder / "report.pdf"
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
        pages = page_count(path)
        assert pages >= 5
        with translation.override(language):
            for page in range(2, pages + 1):
                footer = gettext("Page %(page)s of %(pages)s") % {"page": page, "pages": pages}
                text = " ".join(pdf_text(path, page, page).split())
                assert footer in text, (language, page, text[-200:])
            # The title page has no number.
            first = gettext("Page %(page)s of %(pages)s") % {"page": 1, "pages": pages}
            assert first not in " ".join(pdf_text(path, 1, 1).split())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_title_page_names_the_project_its_partners_period_and_level(
    bundles, partnered, language
):
    text = " ".join(pdf_text(bundles[language] / "report.pdf", 1, 1).split())
    title = localized(partnered.title, language)
    assert " ".join(title.split()) in text
    assert PARTNER in text and "Métropole Nice Côte d'Azur" in text
    with translation.override(language):
        assert gettext("Participation level") in text
        assert str(partnered.get_participation_level_display()) in text
    summary = json.loads((bundles[language] / "summary.json").read_text())
    from layers.diagnostic.formatting import long_date

    with translation.override(language):
        from datetime import datetime

        first = long_date(datetime.fromisoformat(summary["period"]["first"]))
        last = long_date(datetime.fromisoformat(summary["period"]["last"]))
    assert first in text and last in text
    # The partner's logo is on the title page, as an image of its own.
    images = subprocess.run(
        ["pdfimages", "-list", "-f", "1", "-l", "1", str(bundles[language] / "report.pdf")],
        capture_output=True,
        text=True,
    ).stdout
    assert len(images.strip().splitlines()) >= 3, images  # two header lines, then the logo


def test_the_report_shows_its_figures_and_the_methods_page(bundles):
    folder = bundles["fr"]
    html = (folder / "report.html").read_text()
    # Maps (per 1,000, levels of the smoothed rates, density, Gi*), timeline, kinds,
    # statuses, themes and themes by week: every one embedded, and the partner's logo.
    assert html.count('src="data:image/png;base64,') >= 10
    assert "http://" not in html and "https://" not in html
    text = " ".join(pdf_text(folder / "report.pdf").split())
    with translation.override("fr"):
        for heading in (
            "Key figures",
            "Themes",
            "Contributions per commune",
            "Where participation is higher or lower than expected",
            "Where contributions concentrate",
            "Concentrations beyond chance",
            "Methods and limits",
            "Every commune of the perimeter",
        ):
            assert gettext(heading) in text, heading
    images = subprocess.run(
        ["pdfimages", "-list", str(folder / "report.pdf")], capture_output=True, text=True
    ).stdout
    assert len(images.strip().splitlines()) - 2 >= 10  # the figures and the logo


@pytest.mark.parametrize("language", ("fr", "it"))
def test_french_and_italian_pdfs_hold_no_english_string_of_the_report(bundles, language):
    text = " ".join(pdf_text(bundles[language] / "report.pdf").split())
    text = FILE_NAME.sub(" ", text)  # hotspots.geojson is a file's name in any language
    leaks, untranslated, missing = english_leaks(text, language)
    assert not leaks, _explain(language, leaks, untranslated, missing)


@pytest.mark.parametrize("language", ("fr", "it"))
def test_every_string_of_the_report_is_in_the_catalogue(language):
    """A string the report shows that is missing from the catalogue was never extracted: the
    translator's next pass (makemessages) adds it, or it is not wrapped in gettext."""
    _leaks, untranslated, missing = english_leaks("", language)
    assert not missing, _explain(language, [], untranslated, missing)


def test_the_english_pdf_shows_nothing_but_gettext_strings_and_data(bundles, partnered):
    """Every text of the English PDF is a msgid of the report or data (names, numbers, dates):
    a sentence written without gettext would be left over here."""
    from contributions.models import Kind, ParticipationLevel, ResultStatus, Status

    text = " " + _dehyphenated(" ".join(pdf_text(bundles["en"] / "report.pdf").split())) + " "
    english = [
        msgid
        for entry in extracted_msgids()
        for msgid in filter(None, [_dehyphenated(entry.msgid), _dehyphenated(entry.msgid_plural)])
    ]
    summary = json.loads((bundles["en"] / "summary.json").read_text())
    areas = json.loads((bundles["en"] / "areas.geojson").read_text())["features"]
    # Names first, each left as one token that a msgid's placeholder takes in its place.
    names = [localized(partnered.title, "en"), PARTNER, "Métropole Nice Côte d'Azur"]
    names += [f["properties"]["name"] for f in areas]
    names += [localized(t.name, "en") for t in partnered.themes.all()]
    names += [country for country, _year in summary["totals"]["population_years"]]
    names += [localized(r.title, "en") for r in Result.objects.filter(project=partnered)]
    for name in sorted(set(names), key=len, reverse=True):
        text = text.replace(_dehyphenated(" ".join(name.split())), " ¤ ")
    # Longest first, so that a sentence goes whole before a shorter msgid inside it.
    for msgid in sorted(english, key=len, reverse=True):
        text = msgid_pattern(msgid).sub(" ", text)
    # Then the labels of choices (some are words of the sentences above) and months.
    with translation.override("en"):
        labels = [str(label) for _v, label in (*Kind.choices, *Status.choices)]
        labels += [str(label) for _v, label in ParticipationLevel.choices]
        labels += [str(label) for _v, label in ResultStatus.choices]
    for label in sorted(set(labels), key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(label)}\b", " ", text)
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    text = re.sub(rf"\b({months})\b", " ", text)
    leftover = re.findall(r"[^\W\d_]{2,}", text)
    assert not leftover, f"text in the English PDF that is no msgid of the report: {leftover}"


def test_french_numbers_use_the_decimal_comma_and_no_iso_timestamp(bundles):
    text = pdf_text(bundles["fr"] / "report.pdf")
    assert re.search(r"\d,\d", text)  # "0,3 pour 1 000 habitants"
    assert not re.search(r"\d\.\d", text), re.findall(r".{20}\d\.\d.{20}", text)[:5]
    for language, folder in bundles.items():
        pdf = pdf_text(folder / "report.pdf")
        html = (folder / "report.html").read_text()
        assert not ISO_DATE.search(pdf), (language, ISO_DATE.findall(pdf)[:3])
        assert not ISO_DATE.search(re.sub(r'src="data:[^"]*"', "", html)), language
    italian = pdf_text(bundles["it"] / "report.pdf")
    assert re.search(r"\d,\d", italian) and not re.search(r"\d\.\d\b(?!\d{2})", italian)


def test_dates_and_numbers_are_written_the_readers_way():
    import datetime

    from layers.diagnostic.formatting import long_date, number

    moment = datetime.date(2026, 11, 26)
    with translation.override("fr"):
        assert number(1234.5, 1) == "1\xa0234,5"
        assert long_date(moment) == "26 novembre 2026"
    with translation.override("it"):
        assert number(1234.5, 1) == "1.234,5"
        assert long_date(moment) == "26 novembre 2026"
    with translation.override("en"):
        assert number(1234.5, 1) == "1,234.5"
        assert long_date(moment) == "26 November 2026"


@pytest.mark.parametrize("language", ("fr", "it"))
def test_the_map_legend_is_in_the_readers_language(bundles, partnered, language):
    page = (bundles[language] / "map.html").read_text()
    assert f'<html lang="{language}">' in page
    start = page.index(">", page.index('id="diagnostic-legend"')) + 1
    legend = re.sub(r"<[^>]+>", " ", page[start : page.index("</div>\n</div>", start)])
    legend = " ".join(legend.split())
    with translation.override(language):
        assert gettext("Contributions per 1,000 inhabitants") in legend
        assert gettext("no data (population unknown)") in legend
    for theme in partnered.themes.all():
        assert localized(theme.name, language) in legend
    # The class bounds are numbers the reader's way.
    assert re.search(r"\d,\d", legend) and not re.search(r"\d\.\d{1,2}\b", legend)
    leaks, untranslated, missing = english_leaks(legend, language, MAP_MODULES, None)
    assert not leaks, _explain(language, leaks, untranslated, missing)


# ---------------------------------------------------------------- partners' logos


def test_a_logo_is_stored_re_encoded_as_a_small_png(partnered):
    partner = partnered.partners.exclude(logo="").get()
    with partner.logo.open("rb") as stream:
        image = Image.open(stream)
        image.load()
    assert image.format == "PNG" and max(image.size) <= LOGO_SIDE
    assert partner.logo.name.endswith(".png")


def test_big_logos_are_shrunk_and_metadata_dropped():
    buffer = io.BytesIO()
    image = Image.new("RGB", (2400, 1200), "#0b5cad")
    exif = Image.Exif()
    exif[0x010E] = "secret description"
    image.save(buffer, format="JPEG", exif=exif)
    result = reencoded(ContentFile(buffer.getvalue(), name="logo.jpg"), name="Provincia")
    data = result.read()
    out = Image.open(io.BytesIO(data))
    assert out.format == "PNG" and out.size == (LOGO_SIDE, LOGO_SIDE // 2)
    assert b"secret description" not in data
    assert result.name == "provincia.png"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "bad_extension"),
        ("logo.png", b"not an image at all", "not_an_image"),
        ("logo.jpg", _logo_png(), "bad_extension"),  # a PNG named .jpg
        ("logo.png", b"\x89PNG" + b"0" * (3 * 1024 * 1024), "logo_too_large"),
    ],
)
def test_unsafe_logos_are_refused_with_a_reason(name, data, code):
    with pytest.raises(ValidationError) as refused:
        validate_logo(ContentFile(data, name=name))
    assert refused.value.code == code


def test_a_logo_with_too_many_pixels_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (5000, 5000)).save(buffer, format="PNG")  # small file, 25 Mpx
    with pytest.raises(ValidationError) as refused:
        validate_logo(ContentFile(buffer.getvalue(), name="logo.png"))
    assert refused.value.code in ("decompression_bomb", "not_an_image")


def test_the_report_says_what_the_services_did(bundles):
    """You said, we did: each result with its status and progress, in the report's language."""
    french = pdf_text(bundles["fr"] / "report.pdf")
    italian = pdf_text(bundles["it"] / "report.pdf")
    assert "Navette du samedi" in french and "40 %" in french
    assert "Navetta del sabato" in italian and "Navette du samedi" not in italian
    with translation.override("it"):
        assert gettext("You said, we did") in italian


def test_a_partner_with_a_file_that_is_no_image_is_refused_on_its_logo(demo):
    from contributions.models.projects import ProjectPartner

    partner = ProjectPartner(project=demo, name="Comune")
    partner.logo = ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>", name="logo.png")
    with pytest.raises(ValidationError) as refused:
        partner.full_clean()
    assert "logo" in refused.value.message_dict
