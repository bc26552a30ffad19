"""The PITER ALPIMED demo: what `make demo` loads. Idempotent: a second run changes nothing."""

import json

from django.conf import settings

from contributions import services as contribution_services
from contributions import synthetic
from contributions.models import ModerationMode, ParticipationLevel
from mapping.demo_partners import load_partner_vote
from questionnaires import synthetic as questionnaire_synthetic
from questionnaires.builder import load_definition
from staff.services.evaluation_grid import seed_default_grid
from territories.services import FieldMap, build_perimeter, import_names, import_territories

DEMO_DIR = settings.BASE_DIR / "fixtures" / "piter_alpimed"
SLUG = "piter-alpimed"
DEMO_CONTRIBUTIONS = 300

THEMES = [
    {
        "slug": "infrastructure",
        "name": {"fr": "Infrastructures", "it": "Infrastrutture", "en": "Infrastructure"},
        "colour": "#0b5cad",
        "icon": "road",
    },
    {
        "slug": "economic-development",
        "name": {
            "fr": "Développement économique",
            "it": "Sviluppo economico",
            "en": "Economic development",
        },
        "colour": "#1a7f37",
        "icon": "shop",
    },
    {
        "slug": "health-social",
        "name": {"fr": "Santé et social", "it": "Salute e sociale", "en": "Health and social"},
        "colour": "#b3261e",
        "icon": "health",
    },
    {
        "slug": "services",
        "name": {
            "fr": "Services aux personnes",
            "it": "Servizi alla persona",
            "en": "Services to people",
        },
        "colour": "#6f42c1",
        "icon": "people",
    },
]

PROJECT = {
    "title": {
        "fr": "PITER ALPIMED : le territoire de demain",
        "it": "PITER ALPIMED: il territorio di domani",
        "en": "PITER ALPIMED: tomorrow's territory",
    },
    "description": {
        "fr": "Propositions, signalements et observations pour le diagnostic partagé du "
        "territoire transfrontalier, des vallées de la Roya, de la Vésubie et de la Tinée à "
        "la Riviera.",
        "it": "Proposte, segnalazioni e osservazioni per la diagnosi condivisa del territorio "
        "transfrontaliero, dalle valli Roia, Vesubia e Tinea alla Riviera.",
        "en": "Proposals, reports and observations for the shared diagnostic of the "
        "cross-border territory, from the Roya, Vésubie and Tinée valleys to the Riviera.",
    },
    "promise": {
        "fr": "Chaque contribution reçoit une réponse des services ; le diagnostic partagé "
        "est présenté en réunion publique.",
        "it": "Ogni contributo riceve una risposta dagli uffici; la diagnosi condivisa è "
        "presentata in un incontro pubblico.",
        "en": "Every contribution gets an answer from the services; the shared diagnostic is "
        "presented at a public meeting.",
    },
    # A French-Italian project: answers are written in both, French first.
    "languages": ["fr", "it"],
    "participation_level": ParticipationLevel.CONSULT,
    "moderation": ModerationMode.AFTER,
    "allow_anonymous": True,
    "allow_lines": True,
    "allow_polygons": True,
    "tolerance_m": 25.0,
    "target_contributions": 100,
}


def load_demo(*, stdout=None, count=DEMO_CONTRIBUTIONS, showcase=False):
    """The territory, the project, its contributions, grid and questionnaire; with
    `showcase` (what `make demo` loads) also the partner projects put to the vote with their
    votes and the questionnaire's synthetic responses. Tests that build their own partner
    vote or responses on the demo load it without."""
    say = stdout.write if stdout else (lambda _line: None)
    # Parents first (the part of each EPCI and province inside the territory), so each
    # commune's `parent` code finds its row.
    report = import_territories(
        path=DEMO_DIR / "parents.geojson", fields=FieldMap(kind="kind", country="country")
    )
    say(f"PITER ALPIMED intercommunalities and provinces: {report.summary()}")
    report = import_territories(
        path=DEMO_DIR / "communes.geojson",
        fields=FieldMap(country="country", parent="parent", population_year="population_year"),
    )
    say(f"PITER ALPIMED communes: {report.summary()}")
    names = import_names(path=DEMO_DIR / "alternative_names.csv")
    say(f"PITER ALPIMED other names of communes: {names}")
    codes = (DEMO_DIR / "perimeter_codes.txt").read_text(encoding="utf-8").split()
    outcome, perimeter = build_perimeter(slug=SLUG, name="PITER ALPIMED", codes=codes)
    say(f"PITER ALPIMED perimeter: {outcome} ({perimeter.members.count()} communes)")
    created, project = contribution_services.upsert_project(
        slug=SLUG, perimeter=perimeter, themes=THEMES, **PROJECT
    )
    say(f"PITER ALPIMED project: {'created' if created else 'up to date'}")
    missing = count - project.contributions.count()
    if missing > 0:
        synthetic.generate(project=project, count=missing, seed=2026)
    say(f"PITER ALPIMED contributions: {project.contributions.count()}")
    added = seed_default_grid(project)
    say(f"PITER ALPIMED evaluation grid: {added} criteria added")
    definition = json.loads((DEMO_DIR / "questionnaire.json").read_text(encoding="utf-8"))
    created, questionnaire = load_definition(project=project, definition=definition)
    state = "created" if created else "up to date"
    say(f"PITER ALPIMED questionnaire {questionnaire.slug}: {state}")
    if showcase:
        _load_showcase(project, questionnaire, say)
    return project


def _load_showcase(project, questionnaire, say):
    items, votes = load_partner_vote(project=project, path=DEMO_DIR / "partner_projects.json")
    say(f"PITER ALPIMED partner projects: {items}, {votes} votes added")
    config = json.loads((DEMO_DIR / "questionnaire_responses.json").read_text(encoding="utf-8"))
    added = questionnaire_synthetic.generate_responses(questionnaire=questionnaire, config=config)
    total = questionnaire.responses.count()
    say(f"PITER ALPIMED questionnaire responses: {added} added ({total} in all)")
