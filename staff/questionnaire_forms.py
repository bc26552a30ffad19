"""The questionnaire builder's forms: a questionnaire's settings, a page's title, and a
question with its texts per project language, its choices (rows of one value and one label
per language), its scale, number or map limits and its condition. The models' rules
(questionnaires.models, through questionnaires.builder) have the last word."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.i18n import language_name
from questionnaires.models import (
    MAX_CHOICES,
    MAX_MAP_ANSWERS,
    QUESTION_TEXT_MAX_LENGTH,
    Kind,
)
from staff.forms import LinkedErrors

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Empty rows offered under a question's choices, for new ones.
BLANK_CHOICES = 3


class Texts:
    """Fields `<prefix>_<language>` for each project language; `texts(prefix)` gathers them."""

    def add_texts(self, prefix, label, *, required=False, textarea=False, initial=None):
        for position, code in enumerate(self.project.languages):
            widget = (
                forms.Textarea(attrs={"rows": 3, "lang": code})
                if textarea
                else forms.TextInput(attrs={"lang": code})
            )
            self.fields[f"{prefix}_{code}"] = forms.CharField(
                label=label % {"language": language_name(code)},
                required=required and position == 0,
                max_length=QUESTION_TEXT_MAX_LENGTH if not textarea else 3000,
                widget=widget,
                initial=(initial or {}).get(code, ""),
            )

    def fields_of(self, prefix):
        return [self[f"{prefix}_{code}"] for code in self.project.languages]

    # For the templates, which call without arguments.
    def title_fields(self):
        return self.fields_of("title")

    def intro_fields(self):
        return self.fields_of("intro")

    def question_fields(self):
        return self.fields_of("text")

    def help_fields(self):
        return self.fields_of("help")

    def scale_low_fields(self):
        return self.fields_of("scale_low")

    def scale_high_fields(self):
        return self.fields_of("scale_high")

    def texts(self, prefix) -> dict:
        return self.project.answer_texts(
            {code: self.cleaned_data.get(f"{prefix}_{code}", "") for code in self.project.languages}
        )


class QuestionnaireForm(Texts, LinkedErrors, forms.Form):
    slug = forms.SlugField(
        label=_("Short name in its address"),
        max_length=80,
        help_text=_("Letters, digits and hyphens, e.g. “transport-2026”."),
    )
    opens_at = forms.DateTimeField(label=_("Opens at"), required=False, widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Closes at"), required=False, widget=DATETIME)
    allow_anonymous = forms.BooleanField(label=_("Answers without signing in"), required=False)

    def __init__(self, *args, project, questionnaire=None, **kwargs):
        self.project = project
        if questionnaire is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "slug": questionnaire.slug,
                "opens_at": questionnaire.opens_at,
                "closes_at": questionnaire.closes_at,
                "allow_anonymous": questionnaire.allow_anonymous,
            }
        super().__init__(*args, **kwargs)
        q = questionnaire
        self.add_texts("title", _("%(language)s: title"), required=True, initial=q and q.title)
        self.add_texts(
            "intro", _("%(language)s: introduction"), textarea=True, initial=q and q.intro
        )
        if not project.allow_anonymous:
            self.fields["allow_anonymous"].disabled = True
            self.fields["allow_anonymous"].help_text = _(
                "This project asks every participant to sign in."
            )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The closing date must come after the opening."))
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "slug": data["slug"],
            "title": self.texts("title"),
            "intro": self.texts("intro"),
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "allow_anonymous": data["allow_anonymous"],
        }


class PageForm(Texts, LinkedErrors, forms.Form):
    def __init__(self, *args, project, page=None, **kwargs):
        self.project = project
        super().__init__(*args, **kwargs)
        self.add_texts("title", _("%(language)s: page title"), initial=page and page.title)


class QuestionForm(Texts, LinkedErrors, forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("A short name, the column or layer name in exports, e.g. “bus-use”."),
    )
    page = forms.TypedChoiceField(label=_("Page"), coerce=int)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    personal = forms.BooleanField(
        label=_("Personal: results only for groups of 5 or more"), required=False
    )

    def __init__(self, *args, questionnaire, kind, question=None, earlier=(), **kwargs):
        self.project = questionnaire.project
        self.kind = kind
        self.question = question
        q = question
        pages = list(questionnaire.pages.order_by("position", "pk"))
        if q is not None and "initial" not in kwargs:
            kwargs["initial"] = _initial(q)
        super().__init__(*args, **kwargs)
        self.fields["page"].choices = [
            (p.pk, _("Page %(n)d") % {"n": p.position + 1}) for p in pages
        ]
        self.add_texts("text", _("%(language)s: question"), required=True, initial=q and q.text)
        self.add_texts("help", _("%(language)s: help (optional)"), initial=q and q.help)
        if kind in (Kind.SINGLE_CHOICE, Kind.MULTI_CHOICE):
            self.choice_rows = _choice_rows(self, q)
        if kind == Kind.SCALE:
            self._add_scale_fields(q)
        if kind == Kind.NUMBER:
            for name, label in (
                ("number_min", _("Smallest number")),
                ("number_max", _("Largest number")),
            ):
                self.fields[name] = forms.FloatField(
                    label=label, required=False, min_value=-1e12, max_value=1e12
                )
        if kind in (Kind.MAP_POINT, Kind.MAP_LINE, Kind.MAP_AREA):
            self._add_map_fields(kind)
        self.earlier = list(earlier)
        if self.earlier:
            self.fields["condition_question"] = forms.ChoiceField(
                label=_("Show this question only if the answer to"),
                required=False,
                choices=[("", _("— always show it —"))]
                + [(e.code, f"{e.code}: {self.project.answer_in(e.text).text}") for e in earlier],
            )
            self.fields["condition_values"] = forms.MultipleChoiceField(
                label=_("is one of"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[
                    (f"{e.code}:{c['value']}", self._choice_label(e, c, several=len(earlier) > 1))
                    for e in earlier
                    for c in e.choices
                ],
            )

    def _choice_label(self, question, choice, *, several):
        """A choice's label; with the question's code when several questions offer theirs."""
        label = self.project.answer_in(choice.get("label")).text
        return f"{question.code}: {label}" if several else label

    def _add_scale_fields(self, q):
        self.fields["scale_min"] = forms.IntegerField(label=_("From"), min_value=-10, max_value=10)
        self.fields["scale_max"] = forms.IntegerField(label=_("To"), min_value=-10, max_value=20)
        self.initial.setdefault("scale_min", 1)
        self.initial.setdefault("scale_max", 5)
        labels = (q.scale_labels if q else None) or {}
        ends = list(labels.values())
        self.add_texts(
            "scale_low", _("%(language)s: label of the lowest"), initial=ends[0] if ends else {}
        )
        self.add_texts(
            "scale_high",
            _("%(language)s: label of the highest"),
            initial=ends[-1] if len(ends) > 1 else {},
        )

    def _add_map_fields(self, kind):
        self.fields["min_count"] = forms.IntegerField(
            label=_("Fewest drawings"), min_value=0, max_value=MAX_MAP_ANSWERS, initial=0
        )
        self.fields["max_count"] = forms.IntegerField(
            label=_("Most drawings"), min_value=1, max_value=MAX_MAP_ANSWERS, initial=1
        )
        if kind == Kind.MAP_LINE:
            self.fields["max_length_m"] = forms.FloatField(
                label=_("Longest line (m)"), required=False, min_value=1, max_value=1_000_000
            )
        if kind == Kind.MAP_AREA:
            self.fields["max_area_ha"] = forms.FloatField(
                label=_("Largest area (ha)"), required=False, min_value=0.01, max_value=1_000_000
            )
        self.fields["inside_perimeter"] = forms.BooleanField(
            label=_("Only inside the project's perimeter"), required=False, initial=True
        )

    def clean(self):
        cleaned = super().clean()
        if hasattr(self, "choice_rows"):
            cleaned["choices"] = self._clean_choices()
        if self.earlier:
            cleaned["condition"] = self._clean_condition(cleaned)
        return cleaned

    def _clean_choices(self):
        choices, seen = [], set()
        for row in self.choice_rows:
            label = self.project.answer_texts({code: text for code, text, _n in row["labels"]})
            value = (row["value"] or "").strip()[:60]
            if any(len(text) > QUESTION_TEXT_MAX_LENGTH for text in label.values()):
                self.add_error(
                    None,
                    _("A choice's label has at most %(n)d characters.")
                    % {"n": QUESTION_TEXT_MAX_LENGTH},
                )
            if not label:
                if value:
                    self.add_error(
                        None, _("The choice “%(value)s” has no label.") % {"value": value}
                    )
                continue
            value = value or slugify(next(iter(label.values())))[:60] or f"choice-{len(choices)}"
            while value in seen:
                value = f"{value[:56]}-{len(choices) + 1}"
            seen.add(value)
            choices.append({"value": value, "label": label})
        if not choices:
            self.add_error(None, _("Give at least one choice a label."))
        return choices

    def _clean_condition(self, cleaned):
        code = cleaned.get("condition_question")
        if not code:
            return None
        values = [v.split(":", 1)[1] for v in cleaned.get("condition_values", []) if ":" in v]
        picked = [v.split(":", 1)[0] for v in cleaned.get("condition_values", [])]
        if not values or set(picked) != {code}:
            self.add_error(
                "condition_values", _("Tick one or more answers of the question chosen above.")
            )
        return {"question": code, "values": values}

    def values(self) -> dict:
        """The question's fields, for questionnaires.builder.save_question."""
        data = self.cleaned_data
        values = {
            "code": data["code"],
            "kind": self.kind,
            "text": self.texts("text"),
            "help": self.texts("help"),
            "required": data["required"],
            "personal": data["personal"],
        }
        if "choices" in data:
            values["choices"] = data["choices"]
        if self.kind == Kind.SCALE:
            low, high = data["scale_min"], data["scale_max"]
            values.update(scale_min=low, scale_max=high, scale_labels={})
            for end, prefix in ((low, "scale_low"), (high, "scale_high")):
                if self.texts(prefix):
                    values["scale_labels"][str(end)] = self.texts(prefix)
        if self.kind == Kind.NUMBER:
            values.update(number_min=data["number_min"], number_max=data["number_max"])
        if "min_count" in data:
            values.update(
                min_count=data["min_count"],
                max_count=data["max_count"],
                inside_perimeter=data["inside_perimeter"],
            )
        if "max_length_m" in self.fields:
            values["max_length_m"] = data["max_length_m"]
        if "max_area_ha" in self.fields:
            area = data["max_area_ha"]
            values["max_area_m2"] = area * 10_000 if area is not None else None
        if self.earlier:
            values["condition"] = data.get("condition")
        return values


def _initial(q) -> dict:
    initial = {
        "code": q.code,
        "page": q.page_id,
        "required": q.required,
        "personal": q.personal,
        "scale_min": q.scale_min,
        "scale_max": q.scale_max,
        "number_min": q.number_min,
        "number_max": q.number_max,
        "min_count": q.min_count,
        "max_count": q.max_count,
        "max_length_m": q.max_length_m,
        "max_area_ha": q.max_area_m2 / 10_000 if q.max_area_m2 else None,
        "inside_perimeter": q.inside_perimeter,
    }
    if q.condition:
        initial["condition_question"] = q.condition.get("question")
        initial["condition_values"] = [
            f"{q.condition.get('question')}:{v}" for v in q.condition.get("values", [])
        ]
    return initial


def _choice_rows(form, question) -> list[dict]:
    """Rows of inputs named `choice_value` and `choice_label_<language>` (repeated), the
    question's choices then empty rows; posted rows are read back as they were sent."""
    languages = form.project.languages
    if form.is_bound:
        posted = [form.data.getlist(f"choice_label_{code}") for code in languages]
        values = form.data.getlist("choice_value")
        count = min(max([len(values), *map(len, posted)]), MAX_CHOICES)
        rows = [
            {
                "value": values[i] if i < len(values) else "",
                "labels": {
                    code: (p[i] if i < len(p) else "")
                    for code, p in zip(languages, posted, strict=True)
                },
            }
            for i in range(count)
        ]
    else:
        existing = question.choices if question else []
        rows = [{"value": c["value"], "labels": c.get("label", {})} for c in existing]
        rows += [{"value": "", "labels": {}}] * (BLANK_CHOICES if question else 5)
    return [
        {
            "number": i + 1,
            "value": row["value"],
            "labels": [
                (code, row["labels"].get(code, ""), language_name(code)) for code in languages
            ],
        }
        for i, row in enumerate(rows[:MAX_CHOICES])
    ]
