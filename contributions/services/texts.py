"""Texts staff write in each of a project's languages (a result, a partner project, its
photos' alternative texts): one check for all of them."""

from django.utils.translation import gettext as _

from contributions.models import Project
from core.errors import DomainError


def clean_texts(project: Project, texts, *, limit: int, field: str) -> dict:
    """Texts per language reduced to the project's languages (Project.answer_texts); 422 for
    a text that is not text, has a NUL, is in a language the project does not speak or is
    longer than `limit`."""
    if texts is None:
        texts = {}
    if not isinstance(texts, dict) or not all(
        isinstance(code, str) and isinstance(text, str) for code, text in texts.items()
    ):
        raise DomainError("invalid", _("Write each text as text."), status=422)
    if any("\x00" in text for text in texts.values()):
        raise DomainError("invalid", _("A text may not contain a NUL character."), status=422)
    foreign = sorted(code for code, text in texts.items() if text and code not in project.languages)
    if foreign:
        raise DomainError(
            "unknown_language",
            _("This project does not speak: %(codes)s.") % {"codes": ", ".join(foreign)},
            status=422,
        )
    cleaned = project.answer_texts(texts)
    if any(len(text) > limit for text in cleaned.values()):
        raise DomainError(
            "too_long",
            _("A text is limited to %(n)d characters.") % {"n": limit},
            status=422,
            extra={"field": field},
        )
    return cleaned
