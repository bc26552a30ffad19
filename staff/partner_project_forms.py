"""The forms of the partners' projects: a project (title, description and timeline per
project language, a place drawn on the map, theme, partner, cost band, links), a photo (its
credit and alternative text per language), the outcome with its answer per language, the
vote period, and a ballot of assisted entry. The services check everything again."""

from django import forms
from django.contrib.gis import forms as gis_forms
from django.contrib.gis.gdal import GDALException
from django.utils.translation import gettext_lazy as _

from contributions.models import Channel, CostBand, Outcome, PartnerVoteMode
from contributions.services.partner_projects import (
    ALT_MAX_LENGTH,
    CREDIT_MAX_LENGTH,
    TIMELINE_MAX_LENGTH,
)
from contributions.services.partner_votes import ASSISTED_CHANNELS
from contributions.vocabulary import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from core.i18n import language_name, localized
from staff.answer_forms import PerLanguageTexts
from staff.forms import LinkedErrors, PlaceWidget

LINKS_MAX_LENGTH = 5_000


class DrawnPlace(gis_forms.GeometryField):
    """A point, a line or an area drawn on django-leaflet's map (GeoJSON in the field)."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (GDALException, ValueError, TypeError) as error:
            raise forms.ValidationError(
                self.error_messages["invalid_geom"], code="invalid_geom"
            ) from error


def _per_language(form, project, prefix, label, *, max_length, rows=None):
    for code in project.languages:
        widget = (
            forms.Textarea(attrs={"rows": rows, "lang": code})
            if rows
            else forms.TextInput(attrs={"lang": code})
        )
        form.fields[f"{prefix}_{code}"] = forms.CharField(
            label=label % {"language": language_name(code)},
            required=False,
            max_length=max_length,
            widget=widget,
        )


def _gathered(form, prefix) -> dict:
    return {code: form.cleaned_data.get(f"{prefix}_{code}", "") for code in form.project.languages}


class PartnerProjectForm(PerLanguageTexts, LinkedErrors, forms.Form):
    text_prefix = "description"
    place = DrawnPlace(
        label=_("Place"),
        required=True,
        help_text=_("Draw a point, a line or an area inside the perimeter with the map's tools."),
        widget=PlaceWidget(attrs={"geom_type": "GEOMETRY"}),
    )
    theme = forms.ChoiceField(label=_("Theme"), widget=forms.RadioSelect)
    partner = forms.ChoiceField(label=_("Partner that carries it"), required=False)
    cost_band = forms.ChoiceField(
        label=_("Estimated cost"), required=False, choices=[("", "—"), *CostBand.choices]
    )
    links = forms.CharField(
        label=_("Links to documents"),
        required=False,
        max_length=LINKS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the address (https://…), a space, then its label."),
    )
    published = forms.BooleanField(label=_("Published (residents see it)"), required=False)

    def __init__(self, *args, project, item=None, csp_nonce=None, **kwargs):
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "place": item.location,
                "theme": str(item.theme_id),
                "partner": str(item.partner_id or ""),
                "cost_band": item.cost_band,
                "links": "\n".join(
                    f"{link['url']} {link.get('label', '')}".strip() for link in item.links
                ),
                "published": item.published,
                **{f"title_{code}": text for code, text in item.title.items()},
                **{f"timeline_{code}": text for code, text in item.timeline.items()},
                **self.initial_texts(item.description),
            }
        super().__init__(*args, **kwargs)
        self.project = project
        widget = self.fields["place"].widget
        widget.settings_overrides = {"SPATIAL_EXTENT": tuple(project.perimeter.geom.extent)}
        widget.csp_nonce = csp_nonce
        self.fields["theme"].choices = [
            (str(t.pk), localized(t.name) or t.slug) for t in project.themes.all()
        ]
        self.fields["partner"].choices = [("", "—")] + [
            (str(p.pk), p.name) for p in project.partners.all()
        ]
        _per_language(self, project, "title", _("%(language)s: title"), max_length=TITLE_MAX_LENGTH)
        self.add_language_fields(project, label=_("%(language)s: description"))
        for code in project.languages:
            self.fields[f"description_{code}"].max_length = DESCRIPTION_MAX_LENGTH
            self.fields[f"description_{code}"].widget.attrs.pop("data-language", None)
        _per_language(
            self,
            project,
            "timeline",
            _("%(language)s: timeline (for example 2027-2029)"),
            max_length=TIMELINE_MAX_LENGTH,
        )

    def title_fields(self):
        return [self[f"title_{code}"] for code in self.project.languages]

    def timeline_fields(self):
        return [self[f"timeline_{code}"] for code in self.project.languages]

    def titles(self) -> dict:
        return _gathered(self, "title")

    def timelines(self) -> dict:
        return _gathered(self, "timeline")

    def link_list(self) -> list:
        links = []
        for line in self.cleaned_data.get("links", "").splitlines():
            url, _space, label = line.strip().partition(" ")
            if url:
                links.append({"url": url, "label": label.strip()})
        return links


class PartnerPhotoForm(LinkedErrors, forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG, WebP or HEIC; location and camera details are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    credit = forms.CharField(label=_("Credit"), required=False, max_length=CREDIT_MAX_LENGTH)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        _per_language(
            self,
            project,
            "alt",
            _("%(language)s: what the photo shows (for people who cannot see it)"),
            max_length=ALT_MAX_LENGTH,
        )

    def alt_fields(self):
        return [self[f"alt_{code}"] for code in self.project.languages]

    def alts(self) -> dict:
        return _gathered(self, "alt")


class OutcomeForm(PerLanguageTexts, LinkedErrors, forms.Form):
    text_prefix = "outcome"
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, required=False)
    result = forms.ChoiceField(label=_("Result (you said, we did)"), required=False)

    def __init__(self, *args, project, item=None, **kwargs):
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "outcome": item.outcome,
                "result": str(item.result_id or ""),
                **self.initial_texts(item.outcome_answer),
            }
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [("", "—")] + [
            (str(r.pk), r.title_here.text) for r in project.results.all()
        ]
        self.add_language_fields(project, label=_("%(language)s: answer on the outcome"))
        for code in project.languages:
            self.fields[f"outcome_{code}"].widget.attrs["rows"] = 3


class OpenVoteForm(LinkedErrors, forms.Form):
    opens_at = forms.DateTimeField(
        label=_("Opens at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    mode = forms.ChoiceField(
        label=_("How residents vote"), choices=PartnerVoteMode.choices, widget=forms.RadioSelect
    )
    ranking_live = forms.BooleanField(
        label=_("Show the ranking while the vote is open (otherwise once it closes)"),
        required=False,
    )
    confirm_gaps = forms.BooleanField(
        label=_("I know that some themes or parts of the territory have no project: open anyway"),
        required=False,
    )


class BallotForm(LinkedErrors, forms.Form):
    """One participant's ballot: a choice per partner project (or none), a commune maybe."""

    channel = forms.ChoiceField(
        label=_("Where the votes were taken"),
        choices=[(c, Channel(c).label) for c in ASSISTED_CHANNELS],
        widget=forms.RadioSelect,
    )
    commune = forms.ChoiceField(label=_("Commune of residence (optional)"), required=False)

    @staticmethod
    def channels() -> set:
        return {str(channel) for channel in ASSISTED_CHANNELS}

    def __init__(self, *args, project, items, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.fields["commune"].choices = [("", "—")] + [(str(c.pk), c.name) for c in communes]
        if project.partner_vote_mode == PartnerVoteMode.RATING:
            values = [("", _("no vote"))] + [(str(n), str(n)) for n in range(1, 6)]
        else:
            values = [("", _("no vote")), ("1", _("for")), ("-1", _("against"))]
        for item in self.items:
            self.fields[f"vote_{item.pk}"] = forms.ChoiceField(
                label=item.title_here.text,
                choices=values,
                required=False,
                widget=forms.RadioSelect,
            )

    def vote_fields(self):
        return [self[f"vote_{item.pk}"] for item in self.items]

    def clean(self):
        data = super().clean()
        if not any(data.get(f"vote_{item.pk}") for item in self.items):
            raise forms.ValidationError(
                _("This ballot has no vote: choose for at least one project."), code="empty"
            )
        return data

    def ballot(self) -> dict:
        data = self.cleaned_data
        return {
            "votes": {
                str(item.pk): data[f"vote_{item.pk}"]
                for item in self.items
                if data.get(f"vote_{item.pk}")
            },
            "commune": data.get("commune") or None,
        }
