"""The partners' projects in the workspace: their list (with the vote's state and each one's
votes), the form that creates or edits one (texts per language, the place drawn on the map,
theme, partner, cost band, links, publication), its photos (credit and alternative text per
language) and its outcome. Managers write; analysts and moderators read."""

import uuid

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contributions import partner_figures
from contributions.models import Contribution, PartnerProject, PartnerProjectPhoto
from contributions.services import partner_projects as services
from core.errors import DomainError
from staff.access import page_context, workspace
from staff.models import Action, Target
from staff.partner_project_forms import OutcomeForm, PartnerPhotoForm, PartnerProjectForm
from staff.services.audit import audit_item

# The field a service refusal is shown under (None: at the top of the form).
_FIELDS = {
    "title_required": "title",
    "invalid_geometry": "place",
    "outside_perimeter": "place",
    "invalid_link": "links",
    "unknown_theme": "theme",
    "unknown_partner": "partner",
    "invalid_cost_band": "cost_band",
    "has_votes": "published",
    "answer_required": "outcome",
    "unknown_result": "result",
    "invalid_outcome": "outcome",
}


def _item(project, pk):
    return get_object_or_404(
        PartnerProject.objects.select_related("project", "theme", "partner"),
        project=project,
        pk=pk,
    )


def _field(form, code):
    name = _FIELDS.get(code)
    if name == "title":
        name = f"title_{form.project.main_language}"
    if name == "outcome" and code == "answer_required":
        name = f"outcome_{form.project.main_language}"
    return name if name in form.fields else None


@workspace("view")
def partner_projects(request, project):
    items = (
        PartnerProject.objects.of_project(project)
        .select_related("project", "theme", "partner")
        .annotate(
            photo_count=Count("photos", distinct=True), vote_count=Count("votes", distinct=True)
        )
        .order_by("position", "created_at")
    )
    return render(
        request,
        "staff/partner_projects.html",
        page_context(
            request,
            items=items,
            state=project.partner_vote_state(),
            turnout=partner_figures.partner_turnout(project),
        ),
    )


@require_http_methods(["GET", "POST"])
@workspace("partner_projects")
def partner_project_form(request, project, pk=None):
    item = _item(project, pk) if pk else None
    extra = {}
    if item is None and request.method == "GET" and request.GET.get("from_contribution"):
        extra["initial"] = _from_proposal(project, request.GET["from_contribution"])
    form = PartnerProjectForm(
        request.POST or None, project=project, item=item, csp_nonce=request.csp_nonce, **extra
    )
    error_code = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = _save(request.user, project, item, form)
            except DomainError as error:
                error_code = error.code
                form.add_error(_field(form, error.code), error.message)
            else:
                messages.success(request, _("Project saved."))
                missing = project.missing_languages(saved.title)
                if missing:
                    messages.warning(
                        request,
                        _("Title missing in: %(codes)s.") % {"codes": ", ".join(missing)},
                    )
                return redirect("staff:partner-project", project.slug, saved.pk)
        else:
            error_code = next(
                (e.code for errors in form.errors.as_data().values() for e in errors if e.code),
                "invalid",
            )
    return _page(request, project, item, form, error_code=error_code)


def _from_proposal(project, contribution_id) -> dict:
    """A kept proposal turned into a partner project: its place, theme and words to start
    from, in the language its author wrote in (staff write the other languages)."""
    try:
        proposal = Contribution.objects.get(project=project, pk=uuid.UUID(contribution_id))
    except (ValueError, Contribution.DoesNotExist):
        raise Http404 from None
    language = proposal.language if proposal.language in project.languages else ""
    language = language or project.main_language
    return {
        "place": proposal.geom,
        "theme": str(proposal.theme_id),
        f"title_{language}": proposal.title,
        f"description_{language}": proposal.description,
    }


@transaction.atomic
def _save(actor, project, item, form):
    """The project, its publication and its audit entry together: a refused withdrawal
    writes nothing."""
    data = form.cleaned_data
    saved = services.save_partner_project(
        project=project,
        partner_project_id=item.pk if item else None,
        title=form.titles(),
        description=form.texts(),
        timeline=form.timelines(),
        location=data["place"],
        theme=data["theme"],
        partner=data["partner"] or None,
        cost_band=data["cost_band"],
        links=form.link_list(),
    )
    if saved.published != data["published"]:
        services.publish_partner_project(partner_project=saved, published=data["published"])
    _audit(actor, saved, created=item is None, published=data["published"])
    return saved


def _audit(actor, item, **details):
    audit_item(
        actor=actor,
        project=item.project,
        action=Action.PARTNER,
        target_type=Target.PARTNER,
        target_id=item.pk,
        title=item.project.answer_in(item.title),
        details=details,
    )


def _page(request, project, item, form, *, error_code="", photo_form=None, outcome_form=None):
    photo_form = photo_form or PartnerPhotoForm(project=project)
    outcome_form = outcome_form or OutcomeForm(project=project, item=item)
    failed = form.errors or photo_form.errors or outcome_form.errors
    return render(
        request,
        "staff/partner_project_form.html",
        page_context(
            request,
            item=item,
            form=form,
            photo_form=photo_form,
            outcome_form=outcome_form,
            photos=item.photos.all() if item else [],
            error_code=error_code,
        ),
        status=422 if failed else 200,
    )


@require_POST
@workspace("partner_projects")
def partner_photo(request, project, pk):
    item = _item(project, pk)
    form = PartnerPhotoForm(request.POST, request.FILES, project=project)
    error_code = ""
    if form.is_valid():
        try:
            with transaction.atomic():
                services.add_partner_photo(
                    partner_project=item,
                    upload=form.cleaned_data["photo"],
                    credit=form.cleaned_data["credit"],
                    alt=form.alts(),
                )
                _audit(request.user, item, photo="added")
        except DomainError as error:
            error_code = error.code
            form.add_error("photo", error.message)
        else:
            messages.success(request, _("Photo added."))
            return redirect("staff:partner-project", project.slug, item.pk)
    else:
        error_code = "invalid"
    base = PartnerProjectForm(project=project, item=item, csp_nonce=request.csp_nonce)
    return _page(request, project, item, base, error_code=error_code, photo_form=form)


@require_POST
@workspace("partner_projects")
def partner_photo_delete(request, project, pk, photo_id):
    item = _item(project, pk)
    photo = get_object_or_404(PartnerProjectPhoto, partner_project=item, pk=photo_id)
    with transaction.atomic():
        services.delete_partner_photo(photo=photo)
        _audit(request.user, item, photo="removed")
    messages.success(request, _("Photo removed."))
    return redirect("staff:partner-project", project.slug, item.pk)


@require_GET
@workspace("view")
def partner_photo_file(request, project, photo_id):
    """A photo's thumbnail for the workspace, published project or not."""
    photo = get_object_or_404(PartnerProjectPhoto, project=project, pk=photo_id)
    try:
        handle = photo.thumbnail.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_POST
@workspace("partner_projects")
def partner_outcome(request, project, pk):
    item = _item(project, pk)
    form = OutcomeForm(request.POST, project=project, item=item)
    error_code = ""
    if form.is_valid():
        try:
            with transaction.atomic():
                services.set_outcome(
                    partner_project=item,
                    outcome=form.cleaned_data["outcome"],
                    answer=form.texts(),
                    result=form.cleaned_data["result"] or None,
                )
                _audit(request.user, item, outcome=form.cleaned_data["outcome"])
        except DomainError as error:
            error_code = error.code
            form.add_error(_field(form, error.code), error.message)
        else:
            messages.success(request, _("Outcome saved."))
            return redirect("staff:partner-project", project.slug, item.pk)
    else:
        error_code = "invalid"
    base = PartnerProjectForm(project=project, item=item, csp_nonce=request.csp_nonce)
    return _page(request, project, item, base, error_code=error_code, outcome_form=form)
