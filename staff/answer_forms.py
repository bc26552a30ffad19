"""The answer forms: a status with a public answer, and answer templates, each with a text
per project language (`answer_fr`, `answer_it`, ...), the main language first."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contributions.models import ANSWER_STATUSES, Status
from core.i18n import language_name
from staff.forms import LinkedErrors
from staff.services.answers import ANSWER_MAX_LENGTH


def missing_sentence() -> str:
    return gettext(
        "Missing languages: %(missing)s. Text shown to their readers instead: %(shown)s."
    )


class PerLanguageTexts:
    """One textarea per project language, named `<prefix>_<code>`, gathered by `texts()`."""

    text_prefix = "answer"

    def add_language_fields(self, project, *, label, help_text="", required=False):
        self.project = project
        for position, code in enumerate(project.languages):
            name = f"{self.text_prefix}_{code}"
            self.fields[name] = forms.CharField(
                label=label % {"language": language_name(code)},
                widget=forms.Textarea(attrs={"rows": 5, "lang": code, "data-language": code}),
                required=required and position == 0,
                max_length=ANSWER_MAX_LENGTH,
                help_text=help_text if position == 0 else "",
            )

    def languages_json(self) -> dict:
        """What the page's script needs to say which languages are missing."""
        return {
            "order": list(self.project.answer_order),
            "names": {code: language_name(code) for code in self.project.languages},
            "sentence": missing_sentence(),
        }

    def language_fields(self):
        return [self[f"{self.text_prefix}_{code}"] for code in self.project.languages]

    def texts(self) -> dict:
        texts = {
            code: self.cleaned_data.get(f"{self.text_prefix}_{code}", "")
            for code in self.project.languages
        }
        # A client posting one text under the plain name (`answer`, `text`), without the
        # per-language fields, writes in the main language.
        single = self.data.get(self.text_prefix) if hasattr(self.data, "get") else None
        if single and isinstance(single, str) and not any(texts.values()):
            texts[self.project.main_language] = single
        return texts

    def current_texts(self) -> dict:
        """What the form holds now: posted, or the initial texts."""
        return {
            code: (self[f"{self.text_prefix}_{code}"].value() or "")
            for code in self.project.languages
        }

    def initial_texts(self, texts: dict) -> dict:
        return {f"{self.text_prefix}_{code}": text for code, text in (texts or {}).items()}

    def missing_note(self) -> str:
        """Which languages have no text yet, and what their readers get instead (the page's
        script says it again as one types: staff/static/staff/answer.js)."""
        texts = self.current_texts()
        missing = self.project.missing_languages(texts)
        if not missing or len(missing) == len(self.project.languages):
            return ""
        shown = self.project.answer_in(texts, language=missing[0]).language
        return missing_sentence() % {
            "missing": ", ".join(language_name(code) for code in missing),
            "shown": language_name(shown),
        }


class StatusForm(PerLanguageTexts, LinkedErrors, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(s, Status(s).label) for s in ANSWER_STATUSES]
    )
    template = forms.ChoiceField(label=_("Start from an answer template"), required=False)

    def __init__(self, *args, project, templates=(), contribution=None, **kwargs):
        if contribution is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "status": contribution.status,
                **self.initial_texts(
                    contribution.answer_texts
                    or ({project.main_language: contribution.answer} if contribution.answer else {})
                ),
            }
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", "—")] + [(t.pk, t.name) for t in templates]
        if self.initial.get("status") not in ANSWER_STATUSES:
            # A duplicate, hidden or unmoderated item: no answer status is preselected.
            self.fields["status"].choices = [("", "—"), *self.fields["status"].choices]
            self.initial["status"] = ""
        self.add_language_fields(
            project,
            label=_("%(language)s: public answer"),
            help_text=_("Published on the contribution's page and emailed to its followers."),
        )


class AnswerTemplateForm(PerLanguageTexts, LinkedErrors, forms.Form):
    text_prefix = "text"
    name = forms.CharField(label=_("Name"), max_length=80)
    status = forms.ChoiceField(
        label=_("Status it goes with"),
        choices=[("", "—")] + [(s, Status(s).label) for s in ANSWER_STATUSES],
        required=False,
    )

    def __init__(self, *args, project, template=None, **kwargs):
        if template is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": template.name,
                "status": template.status,
                **self.initial_texts(template.texts),
            }
        super().__init__(*args, **kwargs)
        self.add_language_fields(project, label=_("%(language)s: answer"))
