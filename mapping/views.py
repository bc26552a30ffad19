"""The public pages: the project list, a project's map, its list view, a contribution.

Views are thin: reads go through selectors, writes (vote, comment, follow, report) through
contributions.services, so the pages and the API share every rule and every sentence.
"""

import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.generic import TemplateView

from contributions import email_links, services
from contributions.filters import SEARCH_MAX_LENGTH, lenient_filters, search_text
from contributions.models import (
    MAX_PHOTOS,
    CommentStatus,
    Contribution,
    Follow,
    Project,
    Status,
    Vote,
)
from contributions.participants import (
    page_rights,
    participant_of,
    session_participant,
    user_participant,
)
from contributions.selectors import public_contributions
from contributions.services.participation import follows_of, stop_following
from core import ratelimit
from core.errors import DomainError
from mapping import page_data
from privacy.models import AgeBracket
from staff.visits import record_visit
from territories.selectors import current_name


class HomeView(TemplateView):
    template_name = "mapping/home.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "projects": page_data.open_projects()}


def _project(slug):
    return get_object_or_404(Project.objects.select_related("perimeter"), slug=slug)


@method_decorator(ensure_csrf_cookie, name="dispatch")
class ProjectView(TemplateView):
    template_name = "mapping/project.html"

    def get_context_data(self, slug, **kwargs):
        project = _project(slug)
        record_visit(self.request, project)
        options = page_data.filter_options(project)
        return {
            **super().get_context_data(**kwargs),
            **page_data.project_summary(project),
            "map_config": page_data.map_config(project, self.request, options),
            "filter_options": options,
            "age_brackets": AgeBracket.choices,
            "max_photos": MAX_PHOTOS,
            "signed_in": self.request.user.is_authenticated,
        }


FILTER_FIELDS = ("kind", "theme", "status", "commune")


class ProjectListView(TemplateView):
    """The map's contributions as a list: for screen readers, small screens, no JavaScript.
    Its search (`q`, the API's own) finds a contribution again by words of its text."""

    template_name = "mapping/project_list.html"
    page_size = 20

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        # A search it cannot run is refused (400, its code), never dropped: the whole list
        # would pass for the answer.
        return self.render_to_response(context, status=400 if context["search_error"] else 200)

    def get_context_data(self, slug, **kwargs):
        project = _project(slug)
        chosen = {name: self.request.GET.get(name, "") for name in (*FILTER_FIELDS, "q")}
        filters = lenient_filters({name: chosen[name] for name in FILTER_FIELDS})
        search_error = None
        try:
            filters.text = search_text(chosen["q"])
        except DomainError as error:
            search_error = error
        contributions = (
            public_contributions(project, filters)
            .select_related("theme")
            .annotate(public_commune_name=current_name("public_commune"))
            .order_by("-created_at", "id")
        )
        if search_error:
            contributions = contributions.none()
        page = Paginator(contributions, self.page_size).get_page(self.request.GET.get("page"))
        query = urlencode({name: value for name, value in chosen.items() if value})
        return {
            **super().get_context_data(**kwargs),
            **page_data.project_summary(project),
            "filter_options": page_data.filter_options(project),
            "chosen": chosen,
            "searching": bool(filters.text),
            "search_error": search_error and _search_error_text(search_error),
            "search_error_code": search_error.code if search_error else "",
            "search_max_length": SEARCH_MAX_LENGTH,
            "page": page,
            "query": query,
        }


def _search_error_text(error):
    """The sentence for the search field: the field's own reason when there is one."""
    reasons = error.extra.get("fields", {}).get("q")
    return " ".join(map(str, reasons)) if reasons else error.message


class ContributionView(TemplateView):
    """A contribution's shareable page; its forms work without JavaScript. Reading it writes
    nothing: only a report from an anonymous person opens a session (docs/security.md)."""

    template_name = "mapping/contribution.html"
    actions = ("vote", "unvote", "comment", "follow", "unfollow", "report")

    def get_context_data(self, slug, contribution_id, **kwargs):
        contribution = self._contribution(slug, contribution_id)
        project = contribution.project
        participant = participant_of(self.request, project)
        return {
            **super().get_context_data(**kwargs),
            **page_data.project_summary(project),
            **page_data.contribution_detail(contribution, participant),
            **page_rights(self.request, project),
            "sign_in_url": reverse("account_login") + "?" + urlencode({"next": self.request.path}),
            "map_config": page_data.contribution_map_config(contribution, self.request),
            "form_errors": kwargs.get("form_errors", {}),
            # Whether the signed-in reader follows it (their account or a verified address).
            "following": follows_of(contribution=contribution, user=self.request.user).exists(),
        }

    def _contribution(self, slug, contribution_id):
        try:
            return (
                Contribution.objects.public()
                .select_related("project__perimeter", "theme")
                .annotate(public_commune_name=current_name("public_commune"))
                .get(project__slug=slug, pk=contribution_id)
            )
        except Contribution.DoesNotExist:
            raise Http404(_("No such contribution.")) from None

    def post(self, request, slug, contribution_id):
        contribution = self._contribution(slug, contribution_id)
        action = request.POST.get("action")
        if action not in self.actions:
            raise Http404(_("No such action."))
        try:
            ratelimit.check(request, action)
            message = self._run(action, contribution)
        except DomainError as error:
            context = self.get_context_data(
                slug=slug,
                contribution_id=contribution_id,
                form_errors={action: error.message},
            )
            response = self.render_to_response(context, status=error.status)
            for name, value in error.headers.items():
                response[name] = value
            return response
        messages.success(request, message)
        # Following and stopping share one place on the page.
        anchor = "follow" if action == "unfollow" else action
        return HttpResponseRedirect(
            reverse("contribution", args=[slug, contribution.pk]) + f"#{anchor}"
        )

    def _run(self, action, contribution):
        post = self.request.POST
        user = self.request.user if self.request.user.is_authenticated else None
        me = user_participant(user) if user else None
        language = get_language() or ""
        if action == "vote" and user is None:
            services.request_email_vote(
                contribution=contribution, email=post.get("email", ""), language=language
            )
            return _("Check your email: your vote counts once you open the link and confirm.")
        if action == "vote":
            services.vote(contribution=contribution, participant=me, user=user)
            return _("Your vote is counted.")
        if action == "unvote":
            services.unvote(contribution=contribution, participant=me)
            return _("Your vote is withdrawn.")
        if action == "comment":
            comment = services.add_comment(
                contribution=contribution, body=post.get("body", ""), author=user
            )
            if comment.status == CommentStatus.PUBLISHED:
                return _("Your comment is published.")
            return _("Your comment will appear once a moderator has read it.")
        if action == "follow":
            followed = services.follow(
                contribution=contribution,
                email=post.get("email", ""),
                user=user,
                language=language,
            )
            if followed is None:
                # The same sentence whether or not the address already follows: the page does
                # not tell who follows what.
                return _(
                    "Check your email: once you confirm your address through the link, you "
                    "will be emailed when this contribution is answered."
                )
            return _("You will be emailed when this contribution is answered.")
        if action == "unfollow":
            if user is None:
                raise DomainError(
                    "sign_in_to_unfollow",
                    _("Sign in, or use the link in the emails, to stop following."),
                    status=401,
                )
            stop_following(contribution=contribution, user=user)
            return _("You no longer follow this contribution.")
        comment = None
        if post.get("comment"):
            try:
                comment_id = uuid.UUID(post["comment"])
            except ValueError:  # a malformed id is answered as an unknown one
                comment_id = None
            comment = contribution.comments.filter(
                pk=comment_id, status=CommentStatus.PUBLISHED
            ).first()
            if comment is None:
                raise DomainError("not_found", _("No such comment."), status=404)
        services.report_abuse(
            contribution=contribution,
            participant=session_participant(self.request, contribution.project),
            reason=post.get("reason", ""),
            comment=comment,
        )
        return _("Thank you: a moderator will look at it.")


class EmailLinkView(TemplateView):
    """A link mailed to confirm an address (a vote, a follow). Opening it (GET, HEAD) only
    shows what it would do: mail scanners and link previews open links too. The button
    (POST) does it."""

    template_name = "mapping/email_link.html"

    def get(self, request, token):
        try:
            link, contribution = self._read(token)
        except DomainError as error:
            return self._refused(error)
        return self.render_to_response(self._context(link, contribution))

    def post(self, request, token):
        try:
            link, contribution = self._read(token)
            message = self._confirm(link, contribution, request.POST.get("do", ""))
        except DomainError as error:
            return self._refused(error)
        if not contribution.is_public:
            return self.render_to_response({**self._context(link, contribution), "done": message})
        messages.success(request, message)
        project = contribution.project
        return HttpResponseRedirect(reverse("contribution", args=[project.slug, contribution.pk]))

    def _read(self, token):
        link = email_links.read(token)
        contribution = (
            Contribution.objects.select_related("project")
            .filter(pk=link.contribution_id)
            .exclude(status=Status.HIDDEN)
            .first()
        )
        if contribution is None or (
            link.purpose == email_links.VOTE and not contribution.is_public
        ):
            raise DomainError("not_found", _("No such contribution."), status=404)
        return link, contribution

    def _context(self, link, contribution):
        if link.purpose == email_links.VOTE:
            already = Vote.objects.filter(
                contribution=contribution, participant=link.participant
            ).exists()
        else:
            already = Follow.objects.filter(contribution=contribution, email=link.email).exists()
        return {
            "purpose": link.purpose,
            "contribution": contribution,
            "project_title": contribution.project.display_title,
            "already": already,
        }

    def _confirm(self, link, contribution, do):
        if link.purpose == email_links.FOLLOW:
            services.confirm_follow(
                contribution=contribution, email=link.email, language=link.language
            )
            return _("You will be emailed when this contribution is answered.")
        if do == "unvote":
            services.unvote(contribution=contribution, participant=link.participant)
            return _("Your vote is withdrawn.")
        services.vote(contribution=contribution, participant=link.participant)
        return _("Your vote is counted.")

    def _refused(self, error):
        return self.render_to_response({"error": error.message}, status=error.status)


# A follow's token (secrets.token_urlsafe(24)); anything else is answered as unknown unread.
FOLLOW_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
ONE_CLICK = "One-Click"


@method_decorator(csrf_exempt, name="dispatch")
class UnfollowView(TemplateView):
    """The "stop following" link of the emails: a page that asks, then a POST that does it,
    so opening the link (or a scanner fetching it) unsubscribes no one.

    A mail client's one-click unsubscribe (RFC 8058: the List-Unsubscribe-Post header) POSTs
    `List-Unsubscribe=One-Click` with no session and no CSRF token: that POST alone is let
    through without one (the token in the address is the secret). The page's own button is
    checked for its CSRF token as every form is."""

    template_name = "mapping/unfollow.html"

    def get(self, request, token):
        follow = self._follow(token)
        context = self.get_context_data(follow=follow)
        return self.render_to_response(context, status=200 if follow else 404)

    def post(self, request, token):
        if request.POST.get("List-Unsubscribe") != ONE_CLICK:
            refused = CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {})
            if refused is not None:
                return refused
        if FOLLOW_TOKEN.fullmatch(token):
            services.unfollow(token=token)
        return render(request, "mapping/unfollowed.html")

    def _follow(self, token):
        if not FOLLOW_TOKEN.fullmatch(token):
            return None
        return Follow.objects.select_related("contribution__project").filter(token=token).first()


class AccessibilityView(TemplateView):
    """The accessibility statement, in the form the RGAA asks for."""

    template_name = "mapping/accessibility.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "organisation": settings.ACCESSIBILITY_ORGANISATION,
            "contact": settings.ACCESSIBILITY_CONTACT,
            "date": date_format(settings.ACCESSIBILITY_STATEMENT_DATE, "DATE_FORMAT"),
        }
