"""Codes shown by their labels: a status, channel, kind, role or action stored as its code is
shown to staff as the TextChoices label, in the reader's language."""

from django import template

from contributions.models import Channel, Kind, Status
from core.i18n import language_name as core_language_name
from staff.models import Action, Role

register = template.Library()

VOCABULARIES = {
    "status": Status,
    "channel": Channel,
    "kind": Kind,
    "role": Role,
    "action": Action,
}


@register.filter
def label(value, vocabulary="status"):
    """`{{ entry.details.to|label:"status" }}`: the label of a code, or the value unchanged
    when it is not one (a place's coordinates, a code from an older version)."""
    choices = VOCABULARIES[vocabulary]
    if isinstance(value, str) and value in choices.values:
        return choices(value).label
    return value


@register.filter
def language_name(code):
    """A language code ("it") by its name in the reader's language."""
    return core_language_name(code)
