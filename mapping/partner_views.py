"""Partner projects on the public side: a partner project's page (photos with credits, texts,
place, theme, partner, cost, timeline, links, and the vote form: for/against buttons or a 1-5
rating, with an optional comment and commune of residence), the results page (ranking,
turnout, by theme and by commune of residence, each project's outcome), and the photos.

Views are thin: the vote goes through contributions.services.partner_projects (which decides
who votes, when and what), every figure comes from contributions.partner_figures."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from contributions import partner_features, partner_figures
from contributions.models import PartnerProjectPhoto, PartnerVoteMode, PartnerVoteState, Project
from contributions.participants import user_participant
from contributions.services.partner_votes import cast_partner_vote
from core import ratelimit
from core.errors import DomainError
from core.geojson import geometry
from core.i18n import localized
from mapping import page_data

RATINGS = (1, 2, 3, 4, 5)


def _project(slug):
    return get_object_or_404(Project.objects.select_related("perimeter"), slug=slug)


def _state_context(project):
    state = project.partner_vote_state()
    return {
        "vote_state": str(state),
        "vote_open": state == PartnerVoteState.OPEN,
        "vote_mode": project.partner_vote_mode,
        "rating_mode": project.partner_vote_mode == PartnerVoteMode.RATING,
        "opens_at": project.partner_vote_opens_at,
        "closes_at": project.partner_vote_closes_at,
        "ranking_public": partner_figures.ranking_is_public(project),
    }


def vote_label(mode, value) -> str:
    """A vote as a person reads it: "for", "against", or "4 out of 5"."""
    if value is None:
        return ""
    if mode == PartnerVoteMode.RATING:
        return _("%(value)d out of 5") % {"value": value}
    if value > 0:
        return pgettext("a vote on a partner project", "for")
    return pgettext("a vote on a partner project", "against")


class PartnerProjectView(TemplateView):
    """A partner project's shareable page; its vote form works without JavaScript."""

    template_name = "mapping/partner_project.html"

    def get_context_data(self, slug, pk, **kwargs):
        project = _project(slug)
        partner_project = self._partner_project(project, pk)
        language = get_language()
        words = partner_features.texts(partner_project, language)
        vote = partner_features.vote_of(partner_project, self.request.user)
        config = page_data.map_config(project, self.request)
        config["partnerProject"] = {
            "id": str(partner_project.pk),
            "geometry": geometry(partner_project.location),
        }
        state = _state_context(project)
        figures = None
        if state["ranking_public"]:
            figures = next(
                (
                    row
                    for row in partner_figures.partner_vote_results(project)
                    if row.id == str(partner_project.pk)
                ),
                None,
            )
        posted = kwargs.get("posted") or {}
        return {
            **super().get_context_data(**kwargs),
            **page_data.project_summary(project),
            **state,
            "partner_project": partner_project,
            "words": words,
            "theme_name": localized(partner_project.theme.name) or partner_project.theme.slug,
            "photos": partner_features.photos(partner_project, language),
            "links": partner_features.safe_links(partner_project),
            "my_vote": vote,
            "my_vote_label": vote_label(project.partner_vote_mode, vote.value if vote else None),
            "ratings": RATINGS,
            "communes": page_data.filter_options(project)["communes"],
            "chosen_commune": posted.get("commune")
            or (vote.commune.code if vote and vote.commune_id else ""),
            "comment_text": posted.get("comment", vote.comment if vote else ""),
            "signed_in": self.request.user.is_authenticated,
            "sign_in_url": reverse("account_login") + "?" + urlencode({"next": self.request.path}),
            "figures": figures,
            "vote_error": kwargs.get("vote_error"),
            "vote_error_code": kwargs.get("vote_error_code", ""),
            "map_config": config,
        }

    def _partner_project(self, project, pk):
        found = partner_features.published_partner_projects(project).filter(pk=pk).first()
        if found is None:
            raise Http404(_("No such partner project."))
        return found

    def post(self, request, slug, pk):
        project = _project(slug)
        partner_project = self._partner_project(project, pk)
        post = request.POST
        posted = {"comment": post.get("comment", ""), "commune": post.get("commune", "")}
        user = request.user if request.user.is_authenticated else None
        try:
            ratelimit.check(request, "vote")
            vote, created = cast_partner_vote(
                partner_project=partner_project,
                participant=user_participant(user) if user else None,
                user=user,
                value=post.get("value", ""),
                comment=posted["comment"],
                commune=partner_features.commune_of(project, posted["commune"]),
            )
        except DomainError as error:
            context = self.get_context_data(
                slug=slug,
                pk=pk,
                posted=posted,
                vote_error=error.message,
                vote_error_code=error.code,
            )
            response = self.render_to_response(context, status=error.status)
            for name, value in error.headers.items():
                response[name] = value
            return response
        label = vote_label(project.partner_vote_mode, vote.value)
        if created:
            messages.success(request, _("Your vote is counted: %(vote)s.") % {"vote": label})
        else:
            messages.success(request, _("Your vote is changed: %(vote)s.") % {"vote": label})
        return HttpResponseRedirect(
            reverse("partner-project", args=[slug, partner_project.pk]) + "#vote"
        )


class PartnerResultsView(TemplateView):
    """The vote's results: the ranking once public (or live, as the project chose), turnout,
    by theme and by commune of residence (groups of MIN_GROUP or more), and each project's
    outcome with its answer in the reader's language."""

    template_name = "mapping/partner_results.html"

    def get_context_data(self, slug, **kwargs):
        project = _project(slug)
        language = get_language()
        state = _state_context(project)
        items = {
            str(item.pk): item for item in partner_features.published_partner_projects(project)
        }
        outcomes = [
            {"item": item, "words": partner_features.texts(item, language)}
            for item in items.values()
        ]
        context = {
            **super().get_context_data(**kwargs),
            **page_data.project_summary(project),
            **state,
            "outcomes": outcomes,
            "partner_count": len(items),
        }
        if state["ranking_public"]:
            context.update(_figures(project, items, language))
        return context


def _figures(project, items, language) -> dict:
    """What the results page shows of partner_figures, names in the reader's language."""
    themes = {theme.pk: theme for theme in project.themes.all()}
    ranking = [
        {
            "row": row,
            "item": items[row.id],
            "title": project.answer_in(row.title, language=language),
            "theme": localized(themes[row.theme_id].name) if row.theme_id in themes else "",
        }
        for row in partner_figures.partner_vote_results(project)
        if row.id in items
    ]
    by_theme = [
        {**row, "label": localized(row["name"]) or row["theme"]}
        for row in partner_figures.partner_votes_by_theme(project)
    ]
    return {
        "ranking": ranking,
        "turnout": partner_figures.partner_turnout(project),
        "by_theme": by_theme,
        "by_commune": partner_figures.partner_votes_by_commune(project),
    }


@require_GET
def partner_photo(request, photo_id, size):
    """A partner project's photo (re-encoded when added: no metadata), in one of two sizes,
    served while its partner project is published."""
    if size not in ("large", "thumbnail"):
        raise Http404
    photo = get_object_or_404(PartnerProjectPhoto, pk=photo_id, partner_project__published=True)
    stored = photo.image if size == "large" else photo.thumbnail
    response = FileResponse(stored.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
