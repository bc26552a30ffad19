"""Partner projects on the public pages that are not theirs: the list page shows them in a
section of their own, apart from residents' contributions."""

from django import template
from django.utils.translation import get_language

from contributions import partner_features
from core.i18n import localized

register = template.Library()


@register.simple_tag
def partner_projects_of(project):
    """[{item, words (texts in the reader's language), theme}] of the published partner
    projects, in the partners' order."""
    language = get_language()
    return [
        {
            "item": item,
            "words": partner_features.texts(item, language),
            "theme": localized(item.theme.name) or item.theme.slug,
        }
        for item in partner_features.published_partner_projects(project)
    ]
