"""A mobility questionnaire as a planning service would write it, in French, Italian and
English, for the answering page's browser tests and screenshots: eight questions on two pages,
one shown only to those who never take the bus, a scale, a number, texts, points and a line."""

import itertools

from questionnaires.models import Question, Questionnaire, QuestionPage

SANREMO = (7.7760, 43.8170)
# In the sea off Sanremo: outside the perimeter, inside the map's bounds.
AT_SEA = (7.7800, 43.7500)


def _t(fr, it, en):
    return {"fr": fr, "it": it, "en": en}


BUS = [
    {"value": "daily", "label": _t("Tous les jours", "Ogni giorno", "Every day")},
    {"value": "weekly", "label": _t("Chaque semaine", "Ogni settimana", "Every week")},
    {"value": "never", "label": _t("Jamais", "Mai", "Never")},
]
WHY = [
    {"value": "slow", "label": _t("Trop lent", "Troppo lento", "Too slow")},
    {"value": "far", "label": _t("Arrêt trop loin", "Fermata troppo lontana", "Stop too far")},
]


def mobility_questionnaire(project, slug="mobilita") -> Questionnaire:
    questionnaire = Questionnaire.objects.create(
        project=project,
        slug=slug,
        title=_t("Se déplacer au quotidien", "Muoversi ogni giorno", "Getting around"),
        intro=_t(
            "Dix minutes pour dire comment vous vous déplacez.",
            "Dieci minuti per dire come vi spostate.",
            "Ten minutes to say how you get around.",
        ),
        published=True,
        allow_anonymous=True,
    )
    first = QuestionPage.objects.create(questionnaire=questionnaire, position=0)
    second = QuestionPage.objects.create(questionnaire=questionnaire, position=1)
    position = itertools.count()

    def add(page, code, kind, text, **fields):
        question = Question(
            questionnaire=questionnaire,
            page=page,
            position=next(position),
            code=code,
            kind=kind,
            text=text,
            **fields,
        )
        question.full_clean()
        question.save()

    add(
        first,
        "bus",
        "single_choice",
        _t("Prenez-vous le bus ?", "Prendete l'autobus?", "Do you take the bus?"),
        required=True,
        choices=BUS,
    )
    add(
        first,
        "why",
        "multi_choice",
        _t("Pourquoi jamais ?", "Perché mai?", "Why never?"),
        choices=WHY,
        condition={"question": "bus", "values": ["never"]},
    )
    add(
        first,
        "satisfaction",
        "scale",
        _t(
            "Êtes-vous satisfait des transports publics ?",
            "Siete soddisfatti dei trasporti pubblici?",
            "How satisfied are you with public transport?",
        ),
        scale_labels={
            "1": _t("pas du tout", "per niente", "not at all"),
            "5": _t("très", "molto", "very"),
        },
    )
    add(
        first,
        "age",
        "number",
        _t("Votre âge", "La vostra età", "Your age"),
        number_min=0,
        number_max=120,
    )
    add(first, "remarks", "long_text", _t("Autre chose ?", "Altro?", "Anything else?"))
    add(
        second,
        "unsafe",
        "map_point",
        _t(
            "Où vous sentez-vous en danger à pied ?",
            "Dove vi sentite in pericolo a piedi?",
            "Where do you feel unsafe walking?",
        ),
        required=True,
        max_count=3,
    )
    add(
        second,
        "route",
        "map_line",
        _t(
            "Tracez votre trajet pour aller au travail",
            "Disegnate il percorso per andare al lavoro",
            "Draw the route you take to work",
        ),
        max_length_m=20_000,
    )
    add(
        second,
        "protect",
        "map_area",
        _t(
            "Quelle zone aimeriez-vous voir protégée ?",
            "Quale zona vorreste vedere protetta?",
            "Which area would you like to see protected?",
        ),
        max_area_m2=5_000_000,
    )
    return questionnaire
