"""Every value escaped for where it goes: the diagnostic's HTML files and charts, OGC API
links, email subjects and the CSP report log. (CSV cells: test_csv_injection.py.)"""

import json
import logging
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import matplotlib.pyplot as plt
import numpy as np
import pytest
from django.test import RequestFactory

from contributions.filters import ContributionFilters
from contributions.models import Contribution, Status
from core.escaping import log_value
from layers import ogc
from layers.diagnostic import report
from layers.diagnostic.bundle import Parameters, run
from staff.services.emails import Recipient, answer_email
from territories.models import Territory
from tests import factories

pytestmark = pytest.mark.django_db
NICE = (7.2620, 43.7030)
# A title that also closes the <title> element, which escapes its own content otherwise.
TITLE_BREAKOUT = "</title><img src=x onerror=alert('title')>"
MATH_THEME = r"Prix $x^2$ et $\notasymbol$"


@pytest.fixture
def hostile_diagnostic(demo, tmp_path):
    """The diagnostic of a project whose title, theme names and commune name are hostile,
    with enough contributions close together for a hotspot."""
    project = factories.make_project(
        demo.perimeter,
        title={"en": factories.hostile("project") + TITLE_BREAKOUT},
        themes=[
            {"slug": "roads", "name": {"en": factories.hostile("theme")}},
            {"slug": "prices", "name": {"en": MATH_THEME}},
        ],
    )
    roads, prices = project.themes.order_by("position")
    for k in range(24):
        factories.make_contribution(
            project,
            lonlat=(NICE[0] + 0.0002 * (k % 6), NICE[1] + 0.0002 * (k // 6)),
            theme=roads if k % 3 else prices,
        )
    commune = Contribution.objects.filter(project=project).values_list("commune", flat=True)[0]
    commune = Territory.objects.get(pk=commune)
    commune.name = factories.hostile("commune") + " $\\frac$ et $"
    commune.save(update_fields=["name"])
    folder = tmp_path / "bundle"
    run(
        project=project,
        filters=ContributionFilters(),
        output=folder,
        language="en",
        parameters=Parameters(minpoints=5),
    )
    return folder, project, commune


class _Tags(HTMLParser):
    """Every element and attribute an HTML parser sees, as a browser would build them."""

    def __init__(self):
        super().__init__()
        self.tags, self.handlers, self.images, self.title = [], [], [], ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        self.handlers += [name for name, _value in attrs if name.startswith("on")]
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def test_diagnostic_files_carry_no_live_markup_from_data(hostile_diagnostic):
    folder, project, commune = hostile_diagnostic
    for name in ("map.html", "report.html"):
        text = (folder / name).read_text(encoding="utf-8")
        for live in (*factories.LIVE, "</title><img"):
            assert live not in text, f"{live!r} is live in {name}"
        parsed = _Tags()
        parsed.feed(text)
        assert "svg" not in parsed.tags, name
        # The report's charts are the only images.
        assert all(src.startswith("data:image/png;base64,") for src in parsed.images), name
        assert parsed.handlers == [], name
    report_text = (folder / "report.html").read_text(encoding="utf-8")
    factories.assert_escaped(report_text, project.title["en"], commune.name)
    parsed = _Tags()
    parsed.feed((folder / "map.html").read_text(encoding="utf-8"))
    assert parsed.title == project.title["en"]  # shown as text, whole


def test_diagnostic_map_runs_no_script_from_data_in_chromium(hostile_diagnostic, page):
    folder, project, commune = hostile_diagnostic
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.route(
        "**/*",
        lambda route: route.abort() if route.request.url.startswith("http") else route.continue_(),
    )
    page.goto((folder / "map.html").as_uri())
    page.wait_for_selector(".leaflet-overlay-pane canvas")
    # Leaflet builds a tooltip's content (as HTML) each time it opens: open it over every
    # feature of every layer, communes, clusters and hotspots, and read what it shows.
    shown = page.evaluate(
        """() => { const texts = []; for (const key in window) {
                 const group = window[key];
                 if (!key.startsWith('geo_json_') || !group || !group.getTooltip
                     || !group.getTooltip()) continue;
                 group.eachLayer(layer => {
                     const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
                     layer.fire('mouseover', {latlng: at}, true);  // as a pointer would
                     texts.push(group.getTooltip().getElement().innerText);
                 });
               } return texts; }"""
    )
    assert len(shown) > 45
    page.wait_for_timeout(300)  # an onerror handler runs once the broken image fails
    tooltips = " ".join(shown)
    assert dialogs == []
    assert page.locator(".leaflet-tooltip img, .leaflet-tooltip svg").count() == 0
    assert commune.name in tooltips  # the hostile text is shown, as text
    assert factories.SCRIPT in tooltips  # in a theme name of a cluster or a hotspot
    assert page.title() == project.title["en"]
    legend = page.locator("#diagnostic-legend").inner_text()
    assert MATH_THEME in legend
    assert page.js_errors == []


# ---------------------------------------------------------------- charts (mathtext)


def _pixels(text, **options):
    figure = plt.figure(figsize=(4, 0.6), dpi=80)
    figure.text(0.02, 0.3, text, **options)
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba()).copy()
    plt.close(figure)
    return pixels


@pytest.mark.parametrize(
    "text", [MATH_THEME, "Prix $x^2$ et $", "de 5$ à 10$", r"a \$ b $c$", "$$", "sans dollar"]
)
def test_chart_text_is_drawn_as_written(text):
    # Drawn exactly as matplotlib draws the text with formulas turned off.
    assert np.array_equal(_pixels(report.chart_text(text)), _pixels(text, parse_math=False))


def test_dollars_in_names_neither_stop_the_diagnostic_nor_become_formulas(hostile_diagnostic):
    folder, _project, _commune = hostile_diagnostic
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert text.count('src="data:image/png;base64,') == 9  # every chart of the report drew


# ---------------------------------------------------------------- OGC API links


def test_ogc_links_carry_every_parameter_value_url_encoded():
    value = "a&b=c #d é+ü/2024"
    request = RequestFactory().get(
        "/ogc/collections/x-contributions/items",
        {"theme": value, "kind": ["report", "proposal"], "limit": 10, "offset": 10},
    )
    links = {link["rel"]: link["href"] for link in ogc._links(request, "x", 10, 10, 10, 100)}
    for rel in ("self", "alternate", "next", "prev"):
        href = links[rel]
        assert " " not in href and "#" not in href and href.isascii(), href
        query = parse_qs(urlsplit(href).query)
        assert query["theme"] == [value] and query["kind"] == ["report", "proposal"], href
    assert parse_qs(urlsplit(links["next"]).query)["offset"] == ["20"]
    assert parse_qs(urlsplit(links["alternate"]).query)["f"] == ["html"]


# ---------------------------------------------------------------- email subjects


def test_an_email_subject_is_plain_text_on_one_line(demo):
    contribution = factories.make_contribution(
        demo, title="L'école <b>\r\nBcc: someone@example.org\u2028x"
    )
    message = answer_email(
        contribution=contribution,
        link_to=contribution,
        status=Status.ACCEPTED,
        answers={},
        recipient=Recipient(email="follower@example.org", language="en"),
    )
    assert "L'école <b> Bcc: someone@example.org x" in message.subject
    assert "&#" not in message.subject and "&lt;" not in message.subject
    assert not any(character in message.subject for character in "\r\n\u2028")
    assert message.message()["Subject"]  # Django accepts it as one header


# ---------------------------------------------------------------- CSP report log


def test_a_csp_report_is_one_log_line_whatever_it_holds(client, caplog):
    report = {
        "csp-report": {
            "violated-directive": "script-src\nWARNING forged line",
            "blocked-uri": "inline\r\nERROR another\x1b[31m",
            "document-uri": "https://example.org/" + "x" * 5_000,
        }
    }
    with caplog.at_level(logging.WARNING, logger="privacy.csp"):
        response = client.post(
            "/csp-report/", json.dumps(report), content_type="application/csp-report"
        )
    assert response.status_code == 204
    records = [r for r in caplog.records if r.name == "privacy.csp"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "\n" not in message and "\r" not in message and "\x1b" not in message
    assert "script-src\\nWARNING forged line" in message
    assert len(message) < 1_000
    assert records[0].csp["blocked"] == "inline\\r\\nERROR another\\x1b[31m"


@pytest.mark.parametrize("body", [{"csp-report": "text"}, {"csp-report": [1]}, [], "x"])
def test_a_csp_report_of_another_shape_is_no_server_error(client, body):
    response = client.post("/csp-report/", json.dumps(body), content_type="application/csp-report")
    assert response.status_code == 204


def test_log_value_escapes_every_control_character_and_bounds_length():
    assert log_value("a\nb\rc\x00d\x85e\u2028f\x7f") == "a\\nb\\rc\\x00d\\x85e\\u2028f\\x7f"
    assert log_value(None) == ""
    assert len(log_value("y" * 10_000)) == 300
