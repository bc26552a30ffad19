"""The workspace's forms. Errors are tied to their field (aria-describedby) and listed above
the form with links to each field."""

import uuid

from django import forms
from django.conf import settings
from django.contrib.gis import forms as gis_forms
from django.contrib.gis.gdal import GDALException
from django.utils.translation import gettext_lazy as _
from leaflet.forms.widgets import LeafletWidget

from contributions.models import Kind, LocationPrecision, Sentiment
from contributions.vocabulary import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from core.i18n import localized
from core.postgis import STORAGE_SRID
from staff.models import Action
from staff.services.assisted_entry import ASSISTED_CHANNELS
from staff.services.moderation import REASONS


class LinkedErrors:
    """Points each field with an error at its message, for screen readers."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                described = f"{self[name].auto_id}_error"
                widget.attrs["aria-describedby"] = described
                widget.attrs["aria-invalid"] = "true"


class ModerationForm(LinkedErrors, forms.Form):
    action = forms.ChoiceField(choices=[(Action.PUBLISH, _("Publish")), (Action.HIDE, _("Hide"))])
    items = forms.MultipleChoiceField(label=_("Items"), choices=[])
    reason_choice = forms.ChoiceField(label=_("Reason"), choices=REASONS, required=False)
    reason_text = forms.CharField(label=_("Or type a reason"), required=False, max_length=1000)

    def __init__(self, *args, item_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = list(item_choices)

    def clean_items(self):
        # The choices are what was posted: each must still be "contribution:<id>" or
        # "comment:<id>", or the lookup that follows would fail on a malformed id.
        items = self.cleaned_data["items"]
        for value in items:
            kind, _sep, pk = value.partition(":")
            try:
                uuid.UUID(pk)
            except ValueError:
                kind = None
            if kind not in ("contribution", "comment"):
                raise forms.ValidationError(
                    self.fields["items"].error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": value},
                )
        return items

    def split_items(self):
        contributions, comments = [], []
        for value in self.cleaned_data["items"]:
            kind, _sep, pk = value.partition(":")
            (comments if kind == "comment" else contributions).append(pk)
        return contributions, comments


class PlaceWidget(LeafletWidget):
    """django-leaflet's map, which shows a refused malformed place as no place at all."""

    def deserialize(self, value):
        try:
            return super().deserialize(value)
        except GDALException:
            return None


class PlaceField(gis_forms.PointField):
    """A point from django-leaflet's widget. GDAL raises on some malformed GeoJSON (a Point
    without coordinates) instead of refusing it: any such text is an invalid place here."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (GDALException, ValueError, TypeError) as error:
            raise forms.ValidationError(
                self.error_messages["invalid_geom"], code="invalid_geom"
            ) from error


class RecordForm(LinkedErrors, forms.Form):
    """Assisted entry: what a resident says at a workshop, on paper or on the phone.

    One screen on a tablet (staff/templates/staff/record.html): the title first, with the
    cursor in it; choices as rows of buttons, the theme as a list open at once (one tap); the
    less-used fields (coordinates, email) folded away."""

    # The order of the page, which the error summary above the form follows.
    field_order = [
        "title",
        "kind",
        "sentiment",
        "theme",
        "channel",
        "language",
        "description",
        "place",
        "commune",
        "approximate",
        "latitude",
        "longitude",
        "email",
        "consent",
    ]

    channel = forms.ChoiceField(
        label=_("How it came in"),
        choices=[(c.value, c.label) for c in ASSISTED_CHANNELS],
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect)
    # Shown for observations only (record.css); required for them in clean().
    sentiment = forms.ChoiceField(
        label=_("For an observation: positive or negative"),
        choices=Sentiment.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    theme = forms.ChoiceField(label=_("Theme"))
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        # The next card starts with typing its title; full_clean drops this on errors.
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
    )
    commune = forms.ChoiceField(
        label=_("Commune"),
        required=False,
        help_text=_("Enough when the exact place is not known; or tap the map."),
    )
    # Tapping django-leaflet's map places the point (staff/static/staff/record.js), and fills in
    # latitude and longitude, which can also be typed (a place read out on the phone).
    place = PlaceField(
        label=_("Place on the map"),
        required=False,
        srid=STORAGE_SRID,
        widget=PlaceWidget(attrs={"geom_type": "Point"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    approximate = forms.BooleanField(
        label=_("The place on the map is approximate: the resident could only say roughly where"),
        required=False,
    )
    email = forms.EmailField(
        label=_("Resident's email (optional)"),
        required=False,
        help_text=_("They will receive the answer at this address."),
        # The resident's address, never the staff member's own the browser would suggest.
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    language = forms.ChoiceField(label=_("Resident's language"), choices=settings.LANGUAGES)
    consent = forms.BooleanField(
        label=_(
            "The resident agrees to the project's terms and to their contribution being published"
        ),
    )

    def __init__(self, *args, project, communes, csp_nonce=None, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["place"].widget
        # The map opens on the project's perimeter; the widget's script carries the CSP nonce.
        widget.settings_overrides = {"SPATIAL_EXTENT": tuple(project.perimeter.geom.extent)}
        widget.csp_nonce = csp_nonce
        self.fields["kind"].choices = [(k, Kind(k).label) for k in project.kinds]
        themes = [(t.slug, localized(t.name)) for t in project.themes.all()]
        self.fields["theme"].choices = themes
        # A list showing its themes at once: one tap picks one, where a drop-down takes two.
        if len(themes) > 1:
            self.fields["theme"].widget.attrs["size"] = min(len(themes), 5)
        self.fields["commune"].choices = [("", "—")] + [(c.code, c.name) for c in communes]

    def full_clean(self):
        super().full_clean()
        # After a refused entry the eye goes to the errors, not to the title.
        if self.errors:
            self.fields["title"].widget.attrs.pop("autofocus", None)

    def clean(self):
        data = super().clean()
        place = data.get("place")
        if place is not None and (data.get("longitude") is None or data.get("latitude") is None):
            data["longitude"], data["latitude"] = place.x, place.y
        has_point = data.get("longitude") is not None and data.get("latitude") is not None
        if not has_point and not data.get("commune"):
            self.add_error("commune", _("Choose the commune or tap the place on the map."))
        # A commune alone is placed at a spot inside it that says nothing of where the
        # resident meant, which density maps and hotspots must know.
        if not has_point:
            data["location_precision"] = LocationPrecision.COMMUNE
        elif data.get("approximate"):
            data["location_precision"] = LocationPrecision.APPROXIMATE
        else:
            data["location_precision"] = LocationPrecision.EXACT
        if data.get("kind") == Kind.OBSERVATION and not data.get("sentiment"):
            self.add_error(
                "sentiment", _("An observation says whether it is positive or negative.")
            )
        return data


class MoveForm(LinkedErrors, forms.Form):
    """Moving a misplaced pin on django-leaflet's map: a tap or a drag puts it elsewhere."""

    place = PlaceField(
        label=_("New place of the pin"),
        srid=STORAGE_SRID,
        widget=PlaceWidget(attrs={"geom_type": "Point"}),
        error_messages={"required": _("Tap the map where the contribution belongs.")},
    )
    reason = forms.CharField(
        label=_("Why it moves (kept in the audit log)"), required=False, max_length=300
    )

    def __init__(self, *args, contribution, csp_nonce=None, **kwargs):
        kwargs.setdefault("initial", {"place": contribution.geom})
        super().__init__(*args, **kwargs)
        widget = self.fields["place"].widget
        widget.settings_overrides = {
            "SPATIAL_EXTENT": tuple(contribution.project.perimeter.geom.extent)
        }
        widget.csp_nonce = csp_nonce
