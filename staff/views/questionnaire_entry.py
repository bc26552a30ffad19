"""Paper and assisted answers to a questionnaire: staff enter what a resident wrote on the
paper form, said at a workshop or on the phone, map answers included, on the answering page's
own form in its staff mode (every question on one tablet page), and say how it came in. The
answers go through questionnaires.services.submit_response like the resident's own, with
the channel and who entered them; a form sent twice (the same client_key) is stored once."""

import json
import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.i18n import language_name, localized
from layers.questionnaire_page import answering_config
from questionnaires.models import Questionnaire
from questionnaires.services import submit_response
from staff.access import page_context, workspace
from staff.models import Action, Target
from staff.services.assisted_entry import ASSISTED_CHANNELS
from staff.services.audit import audit_item
from territories.models import Territory

KEPT = ("channel", "language")


class EntryForm(forms.Form):
    """How the answers came in and who gave them; the answers themselves come as the JSON the
    answering page makes (`answers`), checked by the service."""

    channel = forms.ChoiceField(
        label=gettext_lazy("How the answers came in"),
        choices=[(c.value, c.label) for c in ASSISTED_CHANNELS],
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=gettext_lazy("Resident's language"))
    commune = forms.ChoiceField(label=gettext_lazy("Resident's commune"), required=False)
    answers = forms.CharField(widget=forms.HiddenInput(attrs={"id": "q-answers"}), required=False)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, project, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (code, language_name(code)) for code in project.languages
        ]
        self.fields["commune"].choices = [("", _("not asked or not said"))] + [
            (c.code, c.name) for c in communes
        ]

    def clean_answers(self):
        raw = self.cleaned_data["answers"] or "{}"
        try:
            answers = json.loads(raw)
        except ValueError:
            answers = None
        if not isinstance(answers, dict):
            raise forms.ValidationError(_("The answers could not be read: enter them again."))
        return answers


@require_http_methods(["GET", "POST"])
@workspace("record")
def entry(request, project, questionnaire_id):
    questionnaire = get_object_or_404(
        Questionnaire.objects.published().select_related("project__perimeter"),
        project=project,
        pk=questionnaire_id,
    )
    communes = Territory.objects.filter(perimeters=project.perimeter).order_by("name")
    initial = {"channel": "paper", "language": get_language(), "client_key": str(uuid.uuid4())}
    for name in KEPT:  # one paper form after another: the channel and language stay
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = EntryForm(request.POST or None, project=project, communes=communes, initial=initial)
    errors = {}
    answers = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answers = data["answers"]
        commune = communes.filter(code=data["commune"]).first() if data["commune"] else None
        try:
            with transaction.atomic():
                response, created = submit_response(
                    questionnaire=questionnaire,
                    answers=answers,
                    client_key=data["client_key"],
                    channel=data["channel"],
                    language=data["language"],
                    entered_by=request.user,
                    commune=commune,
                )
                if created:
                    audit_item(
                        actor=request.user,
                        project=project,
                        action=Action.RECORD,
                        target_type=Target.RESPONSE,
                        target_id=response.pk,
                        title=project.answer_in(questionnaire.title),
                        details={"channel": data["channel"], "questionnaire": questionnaire.pk},
                    )
        except DomainError as error:
            code = error.extra.get("question")
            if code:
                errors[code] = error.message
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Answers recorded (response %(id)s). You can enter the next form.")
                % {"id": str(response.pk)[:8]},
            )
            kept = urlencode({name: data[name] for name in KEPT})
            url = reverse("staff:questionnaire-entry", args=[project.slug, questionnaire.pk])
            return redirect(f"{url}?{kept}")
    elif request.method == "POST" and isinstance(form.data.get("answers"), str):
        try:
            answers = json.loads(form.data["answers"])
        except ValueError:
            answers = {}
    config = answering_config(
        questionnaire, user=request.user, mode="staff", language=get_language()
    )
    config["clientKey"] = form["client_key"].value()
    # After a refusal the form shows again what was entered, map answers included.
    config["initialAnswers"] = answers if isinstance(answers, dict) else {}
    config["errors"] = errors
    return render(
        request,
        "staff/questionnaire_entry.html",
        page_context(
            request,
            form=form,
            questionnaire=questionnaire,
            title=localized(questionnaire.title) or questionnaire.slug,
            config=config,
        ),
        status=422 if form.errors else 200,
    )
