"""No raw code on any workspace page: every status, channel, kind, role and action is shown by
its label in the reader's language. Each page's visible text (inside <main>, scripts and
styles left out) is searched, in French and in Italian, for the codes whose label differs."""

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation

from contributions.models import Channel, Contribution, Kind, Status
from staff.models import Action, AnswerTemplate, AuditEntry, Role, Target

pytestmark = pytest.mark.django_db

VOCABULARIES = (Status, Channel, Kind, Role, Action)
LANGUAGES = ("fr", "it")


def raw_codes(language):
    """The codes a reader of `language` must not see: those whose label is another word."""
    with translation.override(language):
        return {
            value
            for vocabulary in VOCABULARIES
            for value, label in vocabulary.choices
            if str(label).lower() != value
        }


class MainText(HTMLParser):
    """The text a person sees in <main>: no script, style or attribute, and no <code> (an
    address's parameter names, a command line: machine words shown as such on purpose)."""

    HIDDEN = {"script", "style", "template", "code"}

    def __init__(self):
        super().__init__()
        self.depth, self.hidden, self.parts = 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        elif tag in self.HIDDEN:
            self.hidden -= 1

    def handle_data(self, data):
        if self.depth and not self.hidden:
            self.parts.append(data)


def visible_text(html, said=""):
    """The visible text, less what residents wrote (`said`: titles, descriptions and answers
    may hold any word, "online" included): a text node found in it, whole or cut with "…",
    is data, not a label."""
    parser = MainText()
    parser.feed(html)
    return " ".join(
        part
        for part in parser.parts
        if not (
            said and part.strip().rstrip("…").strip() and part.strip().rstrip("…").strip() in said
        )
    )


def what_was_said(project):
    rows = Contribution.objects.filter(project=project).values_list(
        "title", "description", "answer"
    )
    return "\n".join(text for row in rows for text in row if text)


@pytest.fixture
def worked_on(demo, manager):
    """A project with some history: a status change, a hiding, an assisted entry, a template
    tied to a status, contributions from a workshop and on paper."""
    items = list(Contribution.objects.filter(project=demo).order_by("pk")[:4])
    Contribution.objects.filter(pk=items[0].pk).update(
        status=Status.PLANNED, channel=Channel.WORKSHOP, answer="Prévu pour l'automne."
    )
    Contribution.objects.filter(pk=items[1].pk).update(channel=Channel.PAPER)
    for action, item, details in (
        (Action.STATUS, items[0], {"from": "published", "to": "planned", "answer": "Prévu"}),
        (Action.HIDE, items[2], {"from": "published", "to": "hidden"}),
        (Action.RECORD, items[1], {"channel": "paper", "consent": True, "language": "fr"}),
        (Action.STATUS, items[3], {"from": "under_review", "to": "rejected", "answer": "Non"}),
    ):
        AuditEntry.objects.create(
            project=demo,
            actor=manager,
            actor_name="Claire Martin",
            action=action,
            target_type=Target.CONTRIBUTION,
            target_id=item.pk,
            target_title=item.title,
            details=details,
        )
    AnswerTemplate.objects.create(
        project=demo, name="Refus", texts={"fr": "Non."}, status="rejected"
    )
    return demo, items[0]


PAGES = [
    "",
    "{slug}/",
    "{slug}/c/{item}/",
    "{slug}/record/",
    "{slug}/dashboard/",
    "{slug}/answers/",
    "{slug}/audit/",
    "{slug}/diagnostic/",
    "{slug}/print/flyer/",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_no_raw_code_on_a_workspace_page(client, worked_on, manager, language, path):
    project, item = worked_on
    client.force_login(manager)
    url = f"/{language}/staff/" + path.format(slug=project.slug, item=item.pk)
    response = client.get(url)
    assert response.status_code == 200, url
    text = visible_text(response.content.decode(), what_was_said(project))
    assert text.strip(), url
    found = {code for code in raw_codes(language) if re.search(rf"\b{code}\b", text)}
    assert not found, f"{url} shows {sorted(found)}"


def test_the_audit_log_reads_with_labels(client, worked_on, manager):
    project, _item = worked_on
    client.force_login(manager)
    text = visible_text(client.get(f"/fr/staff/{project.slug}/audit/").content.decode())
    with translation.override("fr"):
        published, planned = str(Status.PUBLISHED.label), str(Status.PLANNED.label)
    assert f"{published} → {planned}" in text


def test_the_codes_list_is_not_empty():
    for language in LANGUAGES:
        assert {"published", "planned", "rejected", "workshop", "manager"} <= raw_codes(language)
