"""The forms of the evaluation pages: a criterion of the grid (a label, a help and, for a
choice, one option a line, per project language), an evaluator's scores, a meeting, and a
meeting's decision on one proposal (its public answer per project language)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.i18n import language_name
from staff.answer_forms import PerLanguageTexts
from staff.forms import LinkedErrors
from staff.models import CriterionKind, Outcome
from staff.services.evaluation_grid import HELP_MAX_LENGTH, LABEL_MAX_LENGTH, MAX_CHOICES
from staff.services.evaluations import NOTES_MAX_LENGTH


class CriterionForm(LinkedErrors, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CriterionKind.choices,
        widget=forms.RadioSelect,
        initial=CriterionKind.SCALE,
    )
    scale_min = forms.IntegerField(label=_("Lowest score"), initial=1, min_value=0, max_value=9)
    scale_max = forms.IntegerField(label=_("Highest score"), initial=5, min_value=1, max_value=10)

    def __init__(self, *args, project, criterion=None, **kwargs):
        self.project, self.criterion = project, criterion
        if criterion is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": criterion.kind,
                "scale_min": criterion.scale_min,
                "scale_max": criterion.scale_max,
                **{f"label_{code}": text for code, text in criterion.label.items()},
                **{f"help_{code}": text for code, text in (criterion.help or {}).items()},
                **{
                    f"choices_{code}": "\n".join(
                        (choice.get("label") or {}).get(code, "") for choice in criterion.choices
                    )
                    for code in project.languages
                },
            }
        super().__init__(*args, **kwargs)
        for position, code in enumerate(project.languages):
            name = language_name(code)
            self.fields[f"label_{code}"] = forms.CharField(
                label=_("%(language)s: label") % {"language": name},
                max_length=LABEL_MAX_LENGTH,
                required=position == 0,
                widget=forms.TextInput(attrs={"lang": code}),
            )
            self.fields[f"help_{code}"] = forms.CharField(
                label=_("%(language)s: help for evaluators") % {"language": name},
                max_length=HELP_MAX_LENGTH,
                required=False,
                widget=forms.TextInput(attrs={"lang": code}),
            )
            self.fields[f"choices_{code}"] = forms.CharField(
                label=_("%(language)s: options, one a line") % {"language": name},
                help_text=_("For a choice: the same options in the same order in each language.")
                if position == 0
                else "",
                required=False,
                max_length=MAX_CHOICES * (LABEL_MAX_LENGTH + 1),
                widget=forms.Textarea(attrs={"rows": 4, "lang": code}),
            )

    def language_rows(self):
        return [
            (self[f"label_{code}"], self[f"help_{code}"], self[f"choices_{code}"])
            for code in self.project.languages
        ]

    def labels(self) -> dict:
        return {code: self.cleaned_data.get(f"label_{code}", "") for code in self.project.languages}

    def helps(self) -> dict:
        return {code: self.cleaned_data.get(f"help_{code}", "") for code in self.project.languages}

    def choices(self) -> list:
        """The options as the service takes them; an edited option keeps its value (what
        scores hold) by its position."""
        lines = {
            code: self.cleaned_data.get(f"choices_{code}", "").strip().splitlines()
            for code in self.project.languages
        }
        count = max((len(found) for found in lines.values()), default=0)
        known = self.criterion.choice_values() if self.criterion else []
        options = []
        for index in range(count):
            label = {
                code: found[index].strip() for code, found in lines.items() if index < len(found)
            }
            if any(label.values()):
                value = known[index] if index < len(known) else ""
                options.append({"value": value, "label": label})
        return options


def _scale_field(criterion):
    choices = [("", _("not scored"))] + [(str(v), str(v)) for v in criterion.scale_values()]
    return forms.TypedChoiceField(
        label=criterion.display_label,
        help_text=criterion.display_help,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def _choice_field(criterion):
    choices = [("", "—")] + [
        (value, criterion.choice_label(value)) for value in criterion.choice_values()
    ]
    return forms.ChoiceField(
        label=criterion.display_label,
        help_text=criterion.display_help,
        choices=choices,
        required=False,
    )


class EvaluationForm(LinkedErrors, forms.Form):
    """One field a criterion (`score_<code>`), the partner the evaluator speaks for, and
    private notes."""

    partner = forms.ChoiceField(label=_("I speak for"), required=False)
    notes = forms.CharField(
        label=_("Private notes"),
        help_text=_("Seen by the project's staff only, never published."),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria, partners, evaluation=None, **kwargs):
        self.criteria = list(criteria)
        if evaluation is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "partner": evaluation.partner_id or "",
                "notes": evaluation.notes,
                **{f"score_{code}": value for code, value in (evaluation.scores or {}).items()},
            }
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "—")] + [(p.pk, p.name) for p in partners]
        if not partners:
            del self.fields["partner"]
        for criterion in self.criteria:
            field = _scale_field(criterion) if criterion.is_scale else _choice_field(criterion)
            self.fields[f"score_{criterion.code}"] = field

    def score_fields(self):
        return [self[f"score_{criterion.code}"] for criterion in self.criteria]

    def scores(self) -> dict:
        return {
            criterion.code: self.cleaned_data.get(f"score_{criterion.code}")
            for criterion in self.criteria
        }


class MeetingForm(LinkedErrors, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    date = forms.DateField(label=_("Meeting date"), widget=forms.DateInput(attrs={"type": "date"}))
    period_start = forms.DateField(
        label=_("Proposals submitted from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("until (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class DecisionForm(PerLanguageTexts, LinkedErrors, forms.Form):
    """A decision on one proposal; the public answer's fields are prefilled by the page's
    script from the default sentence of the outcome chosen (and without script, from the
    decision on record or the 'kept' sentence)."""

    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    merged_into = forms.ChoiceField(
        label=_("Merged into"),
        required=False,
        help_text=_("For a merged proposal: the one it joins (possible duplicates first)."),
    )

    def __init__(self, *args, project, targets=(), **kwargs):
        """`targets`: (id, title) of the proposals it may be merged into."""
        super().__init__(*args, **kwargs)
        self.fields["merged_into"].choices = [("", "—"), *((str(pk), t) for pk, t in targets)]
        self.add_language_fields(
            project,
            label=_("%(language)s: public answer"),
            help_text=_("Published on the proposal's page and emailed to its followers."),
        )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.MERGED and not data.get("merged_into"):
            self.add_error("merged_into", _("Say which proposal this one is merged into."))
        return data
