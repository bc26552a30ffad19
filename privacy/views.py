"""Privacy pages: the notice, "my data" (signed in), the email link flow, CSP reports."""

import hashlib
import json
import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.mail import send_mail
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from contributions.models import Project
from core.basemap import third_party_host
from core.errors import DomainError
from core.escaping import log_value
from privacy import links, selectors, services

logger = logging.getLogger("privacy.csp")


def _download(data, fmt, stem):
    if fmt == "csv":
        response = HttpResponse(selectors.personal_data_csv(data), content_type="text/csv")
    else:
        body = json.dumps(data, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


class NoticeView(TemplateView):
    """What is collected, why, for how long, who decides, and how to exercise one's rights."""

    template_name = "privacy/notice.html"

    def get_context_data(self, **kwargs):
        # The basemap's host only when the pages load a tile service; the territory basemap
        # and a self-hosted archive come from this server (core.basemap, docs/basemap.md).
        basemap = third_party_host()
        return {
            **super().get_context_data(**kwargs),
            "controller": settings.PRIVACY_CONTROLLER,
            "contact_email": settings.PRIVACY_CONTACT_EMAIL,
            "retention_days": settings.RETENTION_DAYS,
            "link_hours": settings.PRIVACY_LINK_MAX_AGE_HOURS,
            "basemap_host": basemap,
            "projects": Project.objects.only("slug", "title", "terms_version").order_by("slug"),
        }


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand: this cannot be undone."), required=True
    )
    delete_photos = forms.BooleanField(label=gettext_lazy("Delete my photos too"), required=False)


class MyDataView(LoginRequiredMixin, View):
    """A signed-in resident's data: what is held, download it, delete the account."""

    def get(self, request):
        fmt = request.GET.get("format")
        data = selectors.personal_data(user=request.user)
        if fmt in ("json", "csv"):
            return _download(data, fmt, "my-data")
        return render(
            request, "privacy/my_data.html", {"data": data, "form": DeleteForm(), "by_link": False}
        )

    def post(self, request):
        form = DeleteForm(request.POST)
        if not form.is_valid():
            data = selectors.personal_data(user=request.user)
            return render(
                request,
                "privacy/my_data.html",
                {"data": data, "form": form, "by_link": False},
                status=400,
            )
        try:
            services.erase_person(
                user=request.user, delete_photos=form.cleaned_data["delete_photos"]
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("privacy-my-data")
        logout(request)  # also deletes the session row that named the account
        return render(request, "privacy/erased.html")


class EmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("The email you left with your contribution"))


class EmailRequestView(View):
    """Someone without an account asks for a link to their data, sent to their email.

    The answer is the same whether anything is held or not: no one learns who took part."""

    template_name = "privacy/email_request.html"

    def get(self, request):
        return render(request, self.template_name, {"form": EmailForm()})

    def post(self, request):
        form = EmailForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        email = form.cleaned_data["email"].lower()
        # One email per address per few minutes: a short-lived counter, no address of the
        # requester kept.
        key = "privacy-link:" + hashlib.sha256(email.encode()).hexdigest()[:32]
        if selectors.holds_anything(email) and cache.add(key, 1, timeout=300):
            # The configured address, never the request's Host: a forged Host header must not
            # put someone else's server in the link a person receives.
            url = settings.SITE_URL + reverse("privacy-email-link", args=[links.make_token(email)])
            context = {"url": url, "hours": settings.PRIVACY_LINK_MAX_AGE_HOURS}
            send_mail(
                _("Your data on the participation platform"),
                render_to_string("privacy/email/link.txt", context),
                settings.DEFAULT_FROM_EMAIL,
                [email],
            )
        return render(request, "privacy/email_sent.html", {"email": email})


class EmailLinkView(View):
    """What the link in the email opens: the data tied to that email, to download or erase."""

    def _email(self, token):
        email = links.read_token(token)
        if email is None:
            raise DomainError(
                "invalid_link",
                _("This link is not valid or has expired: ask for a new one."),
                status=400,
            )
        return email

    def get(self, request, token):
        try:
            email = self._email(token)
        except DomainError as error:
            return render(
                request, "privacy/link_invalid.html", {"message": error.message}, status=400
            )
        data = selectors.personal_data(email=email)
        fmt = request.GET.get("format")
        if fmt in ("json", "csv"):
            return _download(data, fmt, "my-data")
        return render(
            request,
            "privacy/my_data.html",
            {"data": data, "form": DeleteForm(), "by_link": True, "token": token},
        )

    def post(self, request, token):
        try:
            email = self._email(token)
        except DomainError as error:
            return render(
                request, "privacy/link_invalid.html", {"message": error.message}, status=400
            )
        form = DeleteForm(request.POST)
        if not form.is_valid():
            data = selectors.personal_data(email=email)
            context = {"data": data, "form": form, "by_link": True, "token": token}
            return render(request, "privacy/my_data.html", context, status=400)
        services.erase_person(email=email, delete_photos=form.cleaned_data["delete_photos"])
        return render(request, "privacy/erased.html")


@csrf_exempt
@require_POST
def csp_report(request):
    """Content Security Policy violation reports from browsers: logged, never stored."""
    try:
        body = json.loads(request.body[:16_384] or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nested a few thousand deep
        return JsonResponse(
            {"code": "malformed_report", "detail": _("The report is not JSON.")}, status=400
        )
    report = body.get("csp-report", body) if isinstance(body, dict) else {}
    if not isinstance(report, dict):
        report = {}
    # Anyone can post here: every value is cut short and its control characters escaped, so
    # a report is one log line and cannot write lines of its own. The same values go
    # alongside as structured data for a log handler that keeps fields.
    fields = {
        "directive": log_value(
            report.get("violated-directive") or report.get("effectiveDirective")
        ),
        "blocked": log_value(report.get("blocked-uri") or report.get("blockedURL")),
        "document": log_value(report.get("document-uri") or report.get("documentURL")),
    }
    logger.warning(
        "CSP violation: %(directive)s blocked %(blocked)s on %(document)s",
        fields,
        extra={"csp": fields},
    )
    RECENT.append(report)
    del RECENT[:-100]
    return HttpResponse(status=204)


# The last reports, for tests and a quick look from a shell; never persisted.
RECENT: list[dict] = []
