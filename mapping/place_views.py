"""Following a place from the public site: the form (a commune, a circle around the map's
centre, or a drawn area given as GeoJSON), the confirmation link's page, and the stop page
that mail clients' one-click unsubscribe POSTs to.

Thin: every rule and sentence is contributions.services.places'."""

import re

from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from contributions.models import Frequency, PlaceFollow, PlaceKind, Project
from contributions.models.places import PLACE_RADIUS_MAX_M, PLACE_RADIUS_MIN_M
from contributions.services import places
from core.errors import DomainError

# A follow's token (secrets.token_urlsafe(24)); anything else is answered as unknown, unread.
FOLLOW_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
ONE_CLICK = "One-Click"
DEFAULT_RADIUS_M = 500
FORM_FIELDS = ("place", "commune", "lon", "lat", "radius", "area", "frequency", "scope", "email")


def _coordinate(value, low, high):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, 6) if low <= number <= high else None


def _follow_context(follow):
    return {"follow": follow, "follow_label": places.display_label(follow)}


class FollowPlaceView(TemplateView):
    """The "Follow a place" page of a project."""

    template_name = "mapping/follow_place.html"

    def _project(self, slug):
        return get_object_or_404(Project.objects.select_related("perimeter"), slug=slug)

    def _form_context(self, project, chosen):
        communes = (
            project.perimeter.members.filter(valid_until__isnull=True, kind="commune")
            .order_by("name")
            .values_list("code", "name")
            if project.perimeter_id
            else []
        )
        user = self.request.user
        return {
            "mode": "form",
            "project": project,
            "title": project.display_title,
            "communes": list(communes),
            "chosen": chosen,
            "frequencies": Frequency.choices,
            "radius_min": PLACE_RADIUS_MIN_M,
            "radius_max": PLACE_RADIUS_MAX_M,
            "has_centre": chosen.get("lon") is not None and chosen.get("lat") is not None,
            "signed_in": user.is_authenticated,
            "my_follows": [_follow_context(follow) for follow in places.place_follows_of(user)],
        }

    def get(self, request, slug):
        project = self._project(slug)
        chosen = {
            "place": PlaceKind.COMMUNE,
            "commune": request.GET.get("commune", "")[:32],
            "lon": _coordinate(request.GET.get("lon"), -180, 180),
            "lat": _coordinate(request.GET.get("lat"), -90, 90),
            "radius": DEFAULT_RADIUS_M,
            "frequency": Frequency.DAILY,
            "scope": "project",
        }
        if chosen["lon"] is not None and chosen["lat"] is not None and not chosen["commune"]:
            chosen["place"] = PlaceKind.CIRCLE
        return self.render_to_response(self._form_context(project, chosen))

    def post(self, request, slug):
        project = self._project(slug)
        data = {name: request.POST.get(name, "") for name in FORM_FIELDS}
        user = request.user if request.user.is_authenticated else None
        email = data["email"] or (user.email if user else "")
        try:
            place = places.place_from_form(data)
            follow = places.request_place_follow(
                place=place,
                email=email,
                frequency=data["frequency"],
                project=None if data["scope"] == "all" else project,
                user=user,
                language=get_language(),
            )
        except DomainError as error:
            context = {
                **self._form_context(project, data),
                "error": error.message,
                "error_code": error.code,
            }
            return self.render_to_response(context, status=error.status)
        if follow.confirmed_at:
            return self.render_to_response({"mode": "done", **_follow_context(follow)})
        # The same sentence whether or not the address already follows a place.
        return self.render_to_response(
            {"mode": "sent", "project": project, "title": project.display_title}
        )


class ConfirmPlaceFollowView(TemplateView):
    """The mailed link: opening it (mail scanners do) shows a button; pressing it confirms."""

    template_name = "mapping/follow_place.html"

    def get(self, request, token):
        try:
            follow = places.follow_of_link(token)
        except DomainError as error:
            return self._refused(error)
        if follow.confirmed_at:
            return self.render_to_response({"mode": "done", **_follow_context(follow)})
        return self.render_to_response({"mode": "confirm", **_follow_context(follow)})

    def post(self, request, token):
        try:
            follow = places.confirm_place_follow(token=token)
        except DomainError as error:
            return self._refused(error)
        return self.render_to_response({"mode": "done", **_follow_context(follow)})

    def _refused(self, error):
        return self.render_to_response(
            {"mode": "refused", "error": error.message, "error_code": error.code},
            status=error.status,
        )


@method_decorator(csrf_exempt, name="dispatch")
class StopPlaceFollowView(TemplateView):
    """The stop link of the emails and the page's stop button. A mail client's one-click
    unsubscribe (RFC 8058) POSTs `List-Unsubscribe=One-Click` without session or CSRF token
    and is let through (the token in the address is the secret); any other POST is checked
    for its CSRF token. Opening the link (GET) only asks."""

    template_name = "mapping/follow_place.html"

    def get(self, request, token):
        follow = self._follow(token)
        if follow is None:
            return self.render_to_response({"mode": "stopped", "unknown": True}, status=404)
        return self.render_to_response({"mode": "stop", **_follow_context(follow)})

    def post(self, request, token):
        if request.POST.get("List-Unsubscribe") != ONE_CLICK:
            refused = CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {})
            if refused is not None:
                return refused
        if FOLLOW_TOKEN.fullmatch(token):
            places.stop_place_follow(token=token)
        return self.render_to_response({"mode": "stopped"})

    def _follow(self, token):
        if not FOLLOW_TOKEN.fullmatch(token):
            return None
        return PlaceFollow.objects.filter(token=token, confirmed_at__isnull=False).first()
