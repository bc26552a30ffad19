"""The result forms: a title and a text per project language (the text's missing languages
said as one types, staff/static/staff/answer.js), status, progress, a drawn place (GeoJSON)
and the contributions answered; a milestone's date and text per language."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from contributions.geojson import GeoJSONError, parse_geometry
from contributions.models import ResultStatus
from contributions.vocabulary import RESULT_TEXT_MAX_LENGTH, RESULT_TITLE_MAX_LENGTH
from core.i18n import language_name
from staff.answer_forms import PerLanguageTexts
from staff.forms import LinkedErrors

GEOMETRY_MAX_LENGTH = 200_000


class AnyChoices(forms.MultipleChoiceField):
    """Ids checked by the service (same project, public), which says why one is refused."""

    def valid_value(self, value):
        return True


class ResultForm(PerLanguageTexts, LinkedErrors, forms.Form):
    text_prefix = "text"
    status = forms.ChoiceField(label=_("Status"), choices=ResultStatus.choices)
    progress = forms.CharField(
        label=_("Progress (%)"),
        max_length=5,
        initial="0",
        help_text=_("A whole number from 0 to 100; “done” is 100."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    geometry = forms.CharField(
        label=_("Place (GeoJSON geometry, optional)"),
        required=False,
        max_length=GEOMETRY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "A point, a line or an area in longitude/latitude. Left empty, the result lies "
            "where the contributions it answers are."
        ),
    )
    contributions = AnyChoices(
        label=_("Contributions it answers"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, project, result=None, choices=(), **kwargs):
        if result is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "status": result.status,
                "progress": str(result.progress),
                "geometry": result.geom.json if result.geom else "",
                "contributions": [
                    str(pk) for pk in result.contributions.values_list("pk", flat=True)
                ],
                **{f"title_{code}": text for code, text in result.title.items()},
                **self.initial_texts(result.text),
            }
        super().__init__(*args, **kwargs)
        self.fields["contributions"].choices = list(choices)
        for code in project.languages:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("%(language)s: title") % {"language": language_name(code)},
                required=False,
                max_length=RESULT_TITLE_MAX_LENGTH,
                widget=forms.TextInput(attrs={"lang": code}),
            )
        self.add_language_fields(
            project, label=_("%(language)s: what was decided or done"), required=False
        )
        for code in project.languages:
            self.fields[f"text_{code}"].max_length = RESULT_TEXT_MAX_LENGTH

    def title_fields(self):
        return [self[f"title_{code}"] for code in self.project.languages]

    def titles(self) -> dict:
        return {code: self.cleaned_data.get(f"title_{code}", "") for code in self.project.languages}

    def clean_geometry(self):
        text = self.cleaned_data["geometry"].strip()
        if not text:
            return None
        try:
            # The API's own reading: one valid point, line or area, WGS84 (RFC 7946).
            return parse_geometry(json.loads(text))
        except (ValueError, RecursionError):
            raise forms.ValidationError(
                _("Give the place as a GeoJSON geometry."), code="invalid_geometry"
            ) from None
        except GeoJSONError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class MilestoneForm(PerLanguageTexts, LinkedErrors, forms.Form):
    text_prefix = "milestone"
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP; location and camera details are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_language_fields(project, label=_("%(language)s: milestone"))
        for code in project.languages:
            self.fields[f"milestone_{code}"].widget.attrs.pop("data-language", None)
            self.fields[f"milestone_{code}"].widget.attrs["rows"] = 2
