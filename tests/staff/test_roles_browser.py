"""The staff workspace walked in Chromium by each role, in French and in Italian: a moderator
filters the queue, merges a duplicate and undoes it; an analyst reads without deciding; a
manager keeps the answer templates; and no page shows an internal code (a status, channel,
kind, role, action...) where a person expects a word of their language.

Screenshots of every page, at tablet and desktop sizes, land in /tmp/workspace_shots/ (or
$WORKSPACE_SHOTS) for a person to look at."""

import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.db.models import Count, Exists, OuterRef, Q
from django.test import Client
from django.utils import translation

from contributions.models import (
    Channel,
    Comment,
    CommentStatus,
    Contribution,
    Follow,
    Kind,
    Status,
    Vote,
)
from contributions.vocabulary import LocationPrecision, Sentiment
from mapping.demo import load_demo
from staff.models import Action, AnswerTemplate, AuditEntry, Role, Target
from staff.services.answer_templates import save_answer_template
from staff.services.answers import set_status
from staff.services.duplicates import mark_duplicate
from staff.services.moderation import moderate
from territories.models import Territory
from tests.staff.conftest import give_role, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["fr", "it"]
METRE = 1 / 111_320
SHOTS = Path(os.environ.get("WORKSPACE_SHOTS", "/tmp/workspace_shots"))
VIEWPORTS = {"tablet": (1024, 768), "desktop": (1440, 900)}

# Every vocabulary whose codes are stored, and so could leak onto a page as they are.
VOCABULARIES = (Status, CommentStatus, Channel, Kind, Sentiment, LocationPrecision)
STAFF_VOCABULARIES = (Role, Action, Target)

# Codes that are also ordinary words of the page's language, so finding them proves nothing.
ORDINARY_WORDS = {
    # "Commune" heads a column and a filter in French: the word for a municipality.
    # "contribution" is the French word for a contribution, all over the pages.
    "fr": {"commune", "contribution"},
    "it": set(),
}


# A language stored as its code ("it") is a code too; "en" is left out in French, where it
# is a preposition.
LANGUAGE_CODES = {"fr": {"fr", "it"}, "it": {"fr", "it", "en"}}


def raw_codes(language):
    """The codes a reader of `language` must not see: every code whose label, in that
    language, is another word (Italian says "online" too), less the ordinary words of the
    language."""
    with translation.override(language):
        codes = {
            value
            for vocabulary in VOCABULARIES + STAFF_VOCABULARIES
            for value, label in vocabulary.choices
            if str(label).lower() != value
        }
    return (codes | LANGUAGE_CODES[language]) - ORDINARY_WORDS[language]


def fold(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# The text nodes a person reads in <main>: no script or style, no <code>/<pre> (machine words
# shown as such on purpose: a command line, an address's parameters), no form values typed
# in a field (a <textarea>'s text), and no address.
VISIBLE_TEXT = """() => {
  const main = document.querySelector("main") || document.body;
  const skip = "script, style, template, code, pre, textarea";
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(skip)) continue;
    const text = node.textContent.trim();
    if (text) parts.push(text);
  }
  return parts;
}"""


def what_was_said(project):
    """What residents and staff wrote (titles, descriptions, answers, reasons, comments,
    template names and texts), line by line: it may hold any word, a code included, and is
    data, not a label."""
    said = []
    for row in Contribution.objects.filter(project=project).values_list(
        "title", "description", "answer"
    ):
        said += [text for text in row if text]
    said += Comment.objects.filter(contribution__project=project).values_list("body", flat=True)
    said += AuditEntry.objects.of_project(project).values_list("reason", flat=True)
    for template in AnswerTemplate.objects.filter(project=project):
        said += [template.name, template_text(template)]
    return {line.strip() for text in said for line in [text, *text.splitlines()] if line.strip()}


def is_said(part, said):
    """A text node that is one of the written texts, or one of their lines, whole or cut
    short with "…"."""
    if part in said:
        return True
    cut = part.rstrip("…").rstrip()
    return part.endswith("…") and len(cut) > 10 and any(text.startswith(cut) for text in said)


def template_text(template):
    """A template's text, all its languages (a template may hold one text per language)."""
    texts = getattr(template, "texts", None)
    return "\n".join(texts.values()) if isinstance(texts, dict) else template.text


def new_template(actor, project, name, text, status=""):
    return save_answer_template(actor=actor, project=project, name=name, text=text, status=status)


def codes_on(page, project, language):
    """The raw codes the page shows as whole words, as they are stored (lower case: "IT" for
    Italy in a note is not the language code, "Commune" heading a column is French); a code
    inside another word, like "report" in "reported", does not count."""
    said = what_was_said(project)
    text = " ".join(part for part in page.evaluate(VISIBLE_TEXT) if not is_said(part, said))
    text = re.sub(r"https?://\S+|/\S*/", " ", text)  # addresses are not words
    return sorted(
        code
        for code in raw_codes(language)
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)
    )


def sign_in(page, base, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def shoot(page, name):
    """What the page shows first, and the whole page, at a tablet's and a desktop's size."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))
        page.screenshot(path=str(SHOTS / f"{name}-{size}-full.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.fixture
def staff(live_server):
    """The demo and one person of each role in it."""
    project = load_demo()
    people = {
        role: give_role(make_user(f"{role}-person"), project, role)
        for role in (Role.MODERATOR, Role.ANALYST, Role.MANAGER)
    }
    return live_server.url, project, people


def near(project, title, commune, *, dy=0.0, status=Status.PUBLISHED, **extra):
    return Contribution.objects.create(
        project=project,
        kind=extra.pop("kind", Kind.PROPOSAL),
        theme=project.themes.first(),
        title=title,
        geom=Point(commune.spot.x, commune.spot.y + dy, srid=4326),
        commune=commune,
        status=status,
        **extra,
    )


def communes_by_queue(project):
    """The project's communes, the one with the most contributions first."""
    return list(
        Territory.objects.filter(perimeters=project.perimeter)
        .annotate(spot=PointOnSurface("geom"), n=Count("contributions"))
        .order_by("-n", "name")
    )


def waiting_in(project, commune, word):
    """What the queue should list, read from the database by its definition (docs: staff):
    awaiting publication, reported, or (this project moderates after publication) published
    and never reviewed; in the commune; the word in the title or the description, accents
    and case ignored."""
    reviewed = Exists(AuditEntry.objects.filter(target_id=OuterRef("pk")))
    rows = (
        Contribution.objects.filter(project=project, commune=commune)
        .annotate(reviewed=reviewed)
        .filter(
            Q(status=Status.SUBMITTED)
            | Q(report_count__gt=0)
            | Q(status=Status.PUBLISHED, reviewed=False)
        )
    )
    return sorted(
        row.title
        for row in rows
        if fold(word) in fold(row.title) or fold(word) in fold(row.description)
    )


def label_of(choice, language):
    with translation.override(language):
        return str(choice.label)


# ------------------------------------------------------------------ 1. a moderator


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_moderator_filters_the_queue_then_merges_and_undoes(staff, page, language):
    base, project, people = staff
    sign_in(page, base, people[Role.MODERATOR])
    commune, elsewhere = communes_by_queue(project)[:2]
    # The word of a title; variants with other accents and case, elsewhere, or not waiting.
    word = "lavoir"
    near(project, "Lavoir à restaurer, place de l'église", commune, status=Status.SUBMITTED)
    near(project, "Un banc près du LAVOIR", commune)
    near(project, "Éclairage", commune, description="Le lavoir est dans le noir.")
    near(project, "Lavoir fermé", elsewhere)  # another commune
    near(project, "Lavoir sale", commune, status=Status.HIDDEN)  # not waiting
    near(project, "Lavoir repeint", commune, status=Status.PLANNED)  # answered, not waiting

    page.goto(f"{base}/{language}/staff/{project.slug}/")
    # A person picks the commune by its name in the list, then filters.
    option = page.locator("#filter-commune option", has_text=commune.name).first
    label = option.inner_text()
    page.select_option("#filter-commune", label=label)
    page.locator("#queue-filters button[type=submit]").click()
    page.wait_for_load_state()
    in_commune = waiting_in(project, commune, "")
    assert page.locator("#filter-commune").input_value() == commune.code
    assert f"({len(in_commune)})" in label  # the option's count is what choosing it shows
    assert str(len(in_commune)) in page.locator("#filter-result").inner_text()

    page.fill("#filter-q", word)
    page.locator("#queue-filters button[type=submit]").click()
    page.wait_for_load_state()
    expected = waiting_in(project, commune, word)
    assert len(expected) >= 3
    titles = sorted(page.locator(".queue-item .item-title").all_inner_texts())
    assert titles == expected
    # The counts shown: the result line and the chosen commune's option, search kept.
    assert re.search(rf"\b{len(expected)}\b", page.locator("#filter-result").inner_text())
    chosen = page.locator("#filter-commune option:checked").inner_text()
    assert chosen.endswith(f"({len(expected)})")
    assert parse_qs(urlparse(page.url).query) == {"commune": [commune.code], "q": [word]}
    assert codes_on(page, project, language) == []
    # The address is the list: reloading it (or sharing it) shows the same items.
    page.goto(page.url)
    assert sorted(page.locator(".queue-item .item-title").all_inner_texts()) == expected
    assert page.locator("#filter-q").input_value() == word
    assert page.locator("#filter-commune").input_value() == commune.code

    # A duplicate, with two votes and a follower of its own.
    original = near(project, "Nid-de-poule dangereux devant l'école Jules Ferry", commune)
    copy = near(
        project, "Nid de poule dangereux devant l'école Jules-Ferry", commune, dy=40 * METRE
    )
    for participant in ("anon:a", "anon:b"):
        Vote.objects.create(contribution=copy, participant=participant)
    Follow.objects.create(contribution=copy, email="voisine@example.org", language=language)
    page.goto(f"{base}/{language}/staff/{project.slug}/c/{copy.pk}/")
    page.locator(f"#duplicates form:has(input[value='{original.pk}']) button").click()
    page.wait_for_load_state()
    confirm = page.locator("#confirm")
    assert confirm.is_visible()
    assert "2" in confirm.inner_text()
    assert codes_on(page, project, language) == []
    shoot(page, f"{language}-merge-confirm")
    copy.refresh_from_db()
    # Nothing has happened yet: only the confirmation is shown.
    assert copy.status == Status.PUBLISHED and copy.vote_count == 2
    assert copy.follows.count() == 1 and not AuditEntry.objects.about(copy.pk).exists()
    confirm.locator("button.danger").click()
    page.wait_for_load_state()
    copy.refresh_from_db()
    assert copy.status == Status.DUPLICATE and copy.duplicate_of_id == original.pk
    assert copy.vote_count == 0 and copy.follows.count() == 0

    page.locator("#undo button.danger").click()
    page.wait_for_load_state()
    copy.refresh_from_db()
    original.refresh_from_db()
    assert copy.status == Status.PUBLISHED and copy.duplicate_of_id is None
    assert copy.vote_count == 2 and copy.votes.count() == 2
    assert copy.follows.count() == 1 and original.follows.count() == 0
    assert page.locator("#undo-refusal").is_visible()

    # The audit log says both, by their labels in the page's language.
    page.goto(f"{base}/{language}/staff/{project.slug}/audit/")
    rows = page.locator("table.audit tbody tr", has_text=copy.title[:40])
    whats = rows.locator("td:nth-child(3)").all_inner_texts()
    assert [what.split(" (")[0] for what in whats] == [
        label_of(Action.UNDO, language),
        label_of(Action.DUPLICATE, language),
    ]
    assert label_of(Action.UNDO, language) != label_of(Action.UNDO, "en")  # translated
    assert codes_on(page, project, language) == []
    assert page.js_errors == []


# ------------------------------------------------------------------ 2. an analyst


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_analyst_reads_but_does_not_decide(staff, page, language):
    base, project, people = staff
    sign_in(page, base, people[Role.ANALYST])
    root = f"{base}/{language}/staff/{project.slug}"
    for path, heading in (
        ("dashboard/", "#weeks-title"),
        ("diagnostic/", "h1"),
        ("audit/", "h1"),
        ("", "#queue-filters"),
    ):
        response = page.goto(f"{root}/{path}")
        assert response.status == 200, path
        assert page.locator(heading).first.is_visible(), path
    # The weekly bars and table give each week its first day, written the reader's way.
    page.goto(f"{root}/dashboard/")
    first_week = Contribution.objects.filter(project=project).earliest("created_at").created_at
    monday = first_week.date().fromordinal(first_week.date().toordinal() - first_week.weekday())
    bar = page.locator(".weekly-chart rect.bar title").first.text_content()
    assert monday.strftime("%d/%m/%Y") in bar and monday.isoformat() not in bar
    page.locator("#weeks-title ~ details summary").click()
    cell = page.locator("#weeks-title ~ details tbody tr td").first.inner_text()
    assert str(monday.year) in cell and monday.isoformat() not in cell
    assert page.locator(".weekly-chart .x-ticks li").first.inner_text() == monday.strftime(
        "%d/%m/%Y"
    )
    # The exports with the private fields, at the addresses the diagnostic page gives.
    for fmt in ("geojson", "csv"):
        response = page.request.get(f"{base}/api/projects/{project.slug}/export.{fmt}?srid=4326")
        assert response.status == 200, fmt
        assert response.body(), fmt
    # The queue and an item, without any control that decides.
    page.goto(f"{root}/")
    assert page.locator(".queue-item").count() > 0
    assert page.locator("input.pick, .bulk, button[value=hide], button[value=publish]").count() == 0
    item = Contribution.objects.filter(project=project, status=Status.PUBLISHED).first()
    page.goto(f"{root}/c/{item.pk}/")
    assert page.locator("h1").inner_text() == item.title
    for control in ("#answer-form", "#undo", "#move", "#moderation-title", "#duplicates form"):
        assert page.locator(control).count() == 0, control
    assert page.locator("nav.staff-nav a[href$='/record/']").count() == 0
    assert page.goto(f"{root}/record/").status == 404
    # The administration is not theirs: a page of the site says so and where to go.
    response = page.goto(f"{base}/admin/")
    assert response.status == 403
    assert page.locator("h1").first.is_visible()
    assert page.locator("a[href$='/staff/']").count() >= 1
    assert people[Role.ANALYST].get_username() in page.inner_text("body")
    shoot(page, f"{language}-admin-refused")
    assert page.js_errors == []


# ------------------------------------------------------------------ 3. a manager


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_manager_keeps_the_answer_templates(staff, page, language):
    base, project, people = staff
    sign_in(page, base, people[Role.MANAGER])
    new_template(people[Role.MANAGER], project, "Ancien", "Obsolète.")
    page.goto(f"{base}/{language}/staff/{project.slug}/answers/")
    page.fill("#id_name", "Travaux prévus")
    page.select_option("#id_status", Status.PLANNED)
    template_form = page.locator("main form[method=post]").last
    template_form.locator("textarea").first.fill("Les travaux sont prévus au prochain budget.")
    template_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    created = AnswerTemplate.objects.get(project=project, name="Travaux prévus")
    assert created.status == Status.PLANNED
    card = page.locator(".card", has_text="Travaux prévus")
    assert label_of(Status.PLANNED, language) in card.inner_text()

    card.locator("a[href*='edit=']").click()
    page.wait_for_load_state()
    assert page.input_value("#id_name") == "Travaux prévus"
    template_form = page.locator("main form[method=post]").last
    template_form.locator("textarea").first.fill("Les travaux sont prévus au printemps.")
    page.select_option("#id_status", Status.ACCEPTED)
    template_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    created.refresh_from_db()
    assert template_text(created).strip() == "Les travaux sont prévus au printemps."
    assert created.status == Status.ACCEPTED
    assert AnswerTemplate.objects.filter(project=project).count() == 2

    page.locator(".card", has_text="Ancien").locator("a[href*='/delete/']").click()
    page.wait_for_load_state()
    assert "/delete/" in page.url
    assert AnswerTemplate.objects.filter(name="Ancien").exists()  # asked first
    assert "Obsolète." in page.locator("main .card").inner_text()  # what is to be deleted
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert not AnswerTemplate.objects.filter(name="Ancien").exists()
    assert page.locator(".card", has_text="Travaux prévus").count() == 1
    assert page.js_errors == []


# ------------------------------------------------------------------ 4. no raw code anywhere


@pytest.fixture
def worked_on(staff):
    """A project with history: an item published, then planned, rejected, hidden, published
    again and marked a duplicate; items from a workshop, on paper and by phone; answer
    templates tied to statuses; a comment awaiting moderation."""
    base, project, people = staff
    manager = people[Role.MANAGER]
    commune = communes_by_queue(project)[0]
    original = near(project, "Parc à chiens au bord du Roya", commune)
    item = near(
        project,
        "Parc pour les chiens près de la Roya",
        commune,
        dy=30 * METRE,
        language="it",
        kind=Kind.OBSERVATION,
        sentiment=Sentiment.POSITIVE,
        channel=Channel.WORKSHOP,
    )
    near(project, "Rampe d'accès", commune, channel=Channel.PAPER, kind=Kind.REPORT)
    near(
        project,
        "Observation des chamois",
        commune,
        channel=Channel.PHONE,
        kind=Kind.OBSERVATION,
        sentiment=Sentiment.NEGATIVE,
    )
    near(project, "Banc cassé", commune, status=Status.SUBMITTED, kind=Kind.REPORT)
    set_status(actor=manager, contribution=item, status=Status.PLANNED, answer="Prévu.")
    item.refresh_from_db()
    set_status(actor=manager, contribution=item, status=Status.REJECTED, answer="Non.")
    moderate(
        actor=manager,
        project=project,
        action=Action.HIDE,
        contribution_ids=[item.pk],
        reason="Hors sujet",
    )
    moderate(actor=manager, project=project, action=Action.PUBLISH, contribution_ids=[item.pk])
    item.refresh_from_db()
    mark_duplicate(actor=manager, contribution=item, original=original)
    Comment.objects.create(contribution=original, body="D'accord !", status=CommentStatus.SUBMITTED)
    new_template(manager, project, "Refus", "Non.", Status.REJECTED)
    new_template(manager, project, "Prévu", "Oui.", Status.PLANNED)
    return base, project, people, item, original


def pages_of(role, project, item, original):
    """The workspace pages a role reaches, by name and address (after /<language>/staff/)."""
    slug = project.slug
    template = AnswerTemplate.objects.get(project=project, name="Refus")
    pages = {
        "index": "",
        "queue": f"{slug}/",
        "queue-comments": f"{slug}/?tab=comments",
        "item": f"{slug}/c/{item.pk}/",
        "original": f"{slug}/c/{original.pk}/",
        "audit": f"{slug}/audit/",
        "answers": f"{slug}/answers/",
        "dashboard": f"{slug}/dashboard/",
        "diagnostic": f"{slug}/diagnostic/",
        "flyer": f"{slug}/print/flyer/",
    }
    if role in (Role.MODERATOR, Role.MANAGER):
        pages["record"] = f"{slug}/record/"
    if role == Role.MANAGER:
        pages["answers-edit"] = f"{slug}/answers/?edit={template.pk}"
        pages["answers-delete"] = f"{slug}/answers/{template.pk}/delete/"
    return pages


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ANALYST, Role.MANAGER])
def test_no_raw_code_on_any_page_a_role_reaches(worked_on, page, role, language):
    base, project, people, item, original = worked_on
    sign_in(page, base, people[role])
    found = {}
    for name, path in pages_of(role, project, item, original).items():
        response = page.goto(f"{base}/{language}/staff/{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        codes = sorted(set(codes_on(page, project, language)))
        if codes:
            found[name] = codes
        if role == Role.MANAGER:
            shoot(page, f"{language}-{name}")
    assert found == {}
    assert page.js_errors == []
