"""Content entered per language by staff ({"fr": ..., "it": ..., "en": ...}), with fallbacks."""

from typing import NamedTuple

from django.conf import settings
from django.utils.translation import get_language

FALLBACK_ORDER = ("fr", "it", "en")


class Localized(NamedTuple):
    """A text and the language it is written in (for the `lang` attribute of what shows it,
    which differs from the page's when the text fell back to another language)."""

    text: str
    language: str

    def __str__(self):
        return self.text


def reader_language(language=None) -> str:
    return (language or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def localized_in(value, language=None, order=FALLBACK_ORDER) -> Localized:
    """The text in the reader's language, else in the first language of `order` that has
    one, else in any; with the language it is in ("" when there is no text)."""
    if not isinstance(value, dict):
        return Localized(str(value) if value else "", "")
    for code in (reader_language(language), *order):
        if value.get(code):
            return Localized(str(value[code]), code)
    return next(
        (Localized(str(text), str(code)) for code, text in value.items() if text),
        Localized("", ""),
    )


def localized(value, language=None, order=FALLBACK_ORDER) -> str:
    """The text in the reader's language, else the first of `order`, else any.

    Always a string: a translations field edited by hand in the admin may hold a number,
    and a model's __str__ built on it must not fail (a TypeError, a 500) on the form that
    shows the mistake."""
    return localized_in(value, language, order).text


def language_name(code: str) -> str:
    """A language's name in the active language, as the site's language menu says it."""
    return str(dict(settings.LANGUAGES).get(code, code))
