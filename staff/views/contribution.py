"""One contribution: its status and public answer, its history, reports and possible
duplicates, marking it as a duplicate (confirmed first), and undoing the last decision."""

import uuid

from django.contrib import messages
from django.contrib.gis.db.models.functions import PointOnSurface
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from contributions.models import Contribution, StatusChange
from core.errors import DomainError
from staff.access import page_context, workspace
from staff.answer_forms import StatusForm
from staff.forms import ModerationForm, MoveForm
from staff.models import AnswerTemplate, AuditEntry
from staff.selectors.duplicates import possible_duplicates
from staff.selectors.maps import perimeter_frame, zoom_frame
from staff.selectors.queue import open_reports
from staff.services.answers import set_status
from staff.services.duplicates import mark_duplicate, preview_duplicate
from staff.services.placing import move_pin
from staff.services.undo import undo_last, undo_preview


def _contribution(project, contribution_id):
    return get_object_or_404(
        Contribution.objects.select_related(
            "theme", "commune", "author", "recorded_by", "duplicate_of"
        ).annotate(spot=PointOnSurface("geom")),
        project=project,
        pk=contribution_id,
    )


@require_http_methods(["GET", "POST"])
@workspace("view")
def contribution(request, project, contribution_id):
    item = _contribution(project, contribution_id)
    templates = list(AnswerTemplate.objects.filter(project=project))
    status_form = StatusForm(
        request.POST or None, project=project, templates=templates, contribution=item
    )
    if request.method == "POST":
        if "answer" not in request.can:
            raise Http404
        if status_form.is_valid():
            try:
                set_status(
                    actor=request.user,
                    contribution=item,
                    status=status_form.cleaned_data["status"],
                    answers=status_form.texts(),
                )
            except DomainError as error:
                main = f"answer_{project.main_language}"
                field = main if error.code in ("answer_required", "invalid") else None
                status_form.add_error(field, error.message)
            else:
                followers = item.follows.count()
                messages.success(
                    request,
                    ngettext(
                        "Status and answer saved; %(n)d follower notified by email.",
                        "Status and answer saved; %(n)d followers notified by email.",
                        followers,
                    )
                    % {"n": followers},
                )
                missing = status_form.missing_note()
                if missing:
                    messages.warning(request, missing)
                return redirect("staff:contribution", project.slug, item.pk)
    return _page(request, project, item, status_form=status_form, templates=templates)


def _page(
    request, project, item, *, status_form, templates, move_form=None, confirm_duplicate=None
):
    """The contribution's page; a refused form comes back with what was typed (422)."""
    frame = perimeter_frame(project)
    zoom = zoom_frame(frame, project, item.spot) if item.spot else frame
    if move_form is None and item.geom.geom_type == "Point":
        move_form = MoveForm(contribution=item, csp_nonce=request.csp_nonce)
    return render(
        request,
        "staff/contribution.html",
        page_context(
            request,
            item=item,
            frame=frame,
            marker=frame.marker(item.spot),
            zoom=zoom,
            zoom_marker=zoom.marker(item.spot),
            duplicates=possible_duplicates(item),
            history=StatusChange.objects.filter(contribution=item).select_related("changed_by"),
            audit=AuditEntry.objects.about(item.pk),
            reports=open_reports(contribution=item),
            comments=item.comments.order_by("created_at"),
            followers=item.follows.count(),
            status_form=status_form,
            moderation_form=ModerationForm(),
            templates=templates,
            templates_json=[{"id": t.pk, "texts": t.texts, "status": t.status} for t in templates],
            languages_json=status_form.languages_json(),
            public_url=reverse("contribution", args=[project.slug, item.pk]),
            move_form=move_form,
            confirm_duplicate=confirm_duplicate,
            undo=undo_preview(item) if "moderate" in request.can else None,
        ),
        status=422 if status_form.errors or (move_form and move_form.errors) else 200,
    )


@require_POST
@workspace("moderate")
def move(request, project, contribution_id):
    item = _contribution(project, contribution_id)
    form = MoveForm(request.POST, contribution=item, csp_nonce=request.csp_nonce)
    if form.is_valid():
        try:
            move_pin(
                actor=request.user,
                contribution=item,
                point=form.cleaned_data["place"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_error("place", error.message)
        else:
            item.refresh_from_db()
            messages.success(
                request,
                _("The pin is moved; its commune is now %(commune)s.")
                % {"commune": item.commune.name if item.commune else "—"},
            )
            return redirect("staff:contribution", project.slug, item.pk)
    templates = list(AnswerTemplate.objects.filter(project=project))
    status_form = StatusForm(project=project, templates=templates, contribution=item)
    return _page(
        request, project, item, status_form=status_form, templates=templates, move_form=form
    )


@require_POST
@workspace("moderate")
def duplicate(request, project, contribution_id):
    item = _contribution(project, contribution_id)
    try:
        original_id = uuid.UUID(request.POST.get("original", ""))
    except ValueError:
        raise Http404 from None  # a malformed id is answered as an unknown one
    original = get_object_or_404(Contribution, project=project, pk=original_id)
    answer = request.POST.get("answer", "")
    if request.POST.get("confirm") != "1":
        # What the marking moves and whom it emails, shown first; done on a second POST.
        templates = list(AnswerTemplate.objects.filter(project=project))
        status_form = StatusForm(project=project, templates=templates, contribution=item)
        preview = preview_duplicate(contribution=item, original=original)
        preview["answer"] = answer
        return _page(
            request,
            project,
            item,
            status_form=status_form,
            templates=templates,
            confirm_duplicate=preview,
        )
    try:
        mark_duplicate(actor=request.user, contribution=item, original=original, answer=answer)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Marked as a duplicate of “%(title)s”; its votes and followers moved there.")
            % {"title": original.title},
        )
    return redirect("staff:contribution", project.slug, item.pk)


@require_POST
@workspace("moderate")
def undo(request, project, contribution_id):
    item = _contribution(project, contribution_id)
    try:
        entry_id = int(request.POST.get("entry", ""))
    except ValueError:
        entry_id = None  # answered below as a decision that is no longer the last one
    try:
        undo_last(actor=request.user, contribution=item, entry_id=entry_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        item.refresh_from_db()
        messages.success(
            request,
            _("The last decision is undone; the contribution is “%(status)s” again.")
            % {"status": item.get_status_display()},
        )
    return redirect("staff:contribution", project.slug, item.pk)
