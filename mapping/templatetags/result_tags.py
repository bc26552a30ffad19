"""Results on the public pages that are not theirs: the results answering a contribution
(its page links to them), and how the project's loop is going (its page says it), each
figure from contributions.figures, the one truth (docs/figures.md)."""

from django import template
from django.utils.translation import get_language

from contributions import figures
from contributions.models import ResultStatus
from contributions.results import public_results, results_of

register = template.Library()


@register.simple_tag
def contribution_results(contribution):
    """[(result, its title in the reader's language)] for a public contribution."""
    project = contribution.project
    return [
        (result, project.answer_in(result.title, language=get_language()))
        for result in results_of(contribution)
    ]


@register.simple_tag
def loop_figures(project):
    """The answer loop in three figures: answered share, median time to answer, results by
    status (only statuses some result holds)."""
    total = figures.contributions(project)
    by_status = figures.results_by_status(project)
    return {
        "answer_rate": figures.answer_rate(figures.answered(project), total),
        "median_days": figures.median_days_to_answer(project),
        "results": [
            (ResultStatus(status).label, count) for status, count in by_status.items() if count
        ],
        "result_total": sum(by_status.values()),
    }


@register.simple_tag
def project_results(project):
    """[(result, its title in the reader's language)], newest change first: the list page
    shows what the services did beside what residents said."""
    return [
        (result, project.answer_in(result.title, language=get_language()))
        for result in public_results(project)
    ]
