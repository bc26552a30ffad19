"""Content entered per language by staff ({"fr": ..., "it": ..., "en": ...}), with fallbacks."""

from django.conf import settings
from django.utils.translation import get_language

FALLBACK_ORDER = ("fr", "it", "en")


def localized(value, language=None):
    """The text in the reader's language, else the first of FALLBACK_ORDER, else any.

    Always a string: a translations field edited by hand in the admin may hold a number,
    and a model's __str__ built on it must not fail (a TypeError, a 500) on the form that
    shows the mistake."""
    if not isinstance(value, dict):
        return str(value) if value else ""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    for code in (language, *FALLBACK_ORDER):
        if value.get(code):
            return str(value[code])
    return next((str(text) for text in value.values() if text), "")
