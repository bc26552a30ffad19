"""The staff workspace pages: thin views over staff.services and staff.selectors. Every page
goes through `project_for`, which answers 404 to anyone without a role in the project."""

import csv
import functools
import shutil
import tempfile
from pathlib import Path

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contributions.models import Contribution, StatusChange
from contributions.selectors import ContributionFilters
from contributions.services import Submission
from core.errors import DomainError
from core.i18n import localized
from staff import permissions, selectors, services
from staff.forms import AnswerTemplateForm, ModerationForm, RecordForm, StatusForm
from staff.models import AnswerTemplate, AuditEntry, Role
from territories.models import Territory


def _to_login(request):
    try:
        return redirect_to_login(request.get_full_path())
    except NoReverseMatch:
        # The sign-in pages are not installed: the admin's sign-in serves staff accounts.
        return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))


def workspace(capability="view"):
    """Signed-in people only; the project, and the user's role in it, or 404."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return _to_login(request)
            project, role = permissions.project_for(request.user, slug, capability)
            request.project, request.role = project, role
            request.can = permissions.capabilities(role)
            return view(request, project, *args, **kwargs)

        return wrapped

    return decorator


def _context(request, **extra):
    return {
        "project": request.project,
        "role": request.role,
        "role_label": Role(request.role).label,
        "can": request.can,
        **extra,
    }


def _safe_next(request, default):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def index(request):
    if not request.user.is_authenticated:
        return _to_login(request)
    projects = list(permissions.visible_projects(request.user).order_by("slug"))
    for project in projects:
        project.staff_role = Role(permissions.role_in(request.user, project)).label
        project.queue_size = selectors.contribution_queue(project).count()
    return render(request, "staff/index.html", {"projects": projects})


# --------------------------------------------------------------------- the queue


def _queue_items(project, tab, page_number):
    queryset = (
        selectors.comment_queue(project)
        if tab == "comments"
        else selectors.contribution_queue(project)
    )
    page = Paginator(queryset, selectors.QUEUE_PAGE).get_page(page_number)
    frame = selectors.perimeter_frame(project)
    if tab == "comments":
        counts = {}
    else:
        counts = selectors.duplicate_counts(project, [item.pk for item in page])
    for item in page:
        item.marker = frame.marker(item.spot)
        item.duplicate_count = counts.get(str(item.pk), 0)
        item.value = f"{'comment' if tab == 'comments' else 'contribution'}:{item.pk}"
    return page, frame


@workspace("view")
def queue(request, project):
    tab = "comments" if request.GET.get("tab") == "comments" else "contributions"
    page, frame = _queue_items(project, tab, request.GET.get("page"))
    form = ModerationForm(item_choices=[(item.value, item.value) for item in page])
    return render(
        request,
        "staff/queue.html",
        _context(
            request,
            tab=tab,
            page=page,
            frame=frame,
            form=form,
            comment_total=selectors.comment_queue(project).count(),
            contribution_total=selectors.contribution_queue(project).count(),
        ),
    )


@require_POST
@workspace("moderate")
def moderate(request, project):
    values = request.POST.getlist("items")
    form = ModerationForm(request.POST, item_choices=[(v, v) for v in values])
    back = _safe_next(request, reverse("staff:queue", args=[project.slug]))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect(back)
    contributions, comments = form.split_items()
    try:
        reason = services.reason_text(
            choice=form.cleaned_data["reason_choice"], typed=form.cleaned_data["reason_text"]
        )
        done = services.moderate(
            actor=request.user,
            project=project,
            action=form.cleaned_data["action"],
            contribution_ids=contributions,
            comment_ids=comments,
            reason=reason,
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404 from error
        messages.error(request, error.message)
        return redirect(back)
    if form.cleaned_data["action"] == "publish":
        messages.success(request, _("%(n)d item(s) published.") % {"n": done})
    else:
        messages.success(request, _("%(n)d item(s) hidden.") % {"n": done})
    return redirect(back)


# --------------------------------------------------------------- one contribution


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
        request.POST or None,
        templates=templates,
        initial={"status": item.status, "answer": item.answer},
    )
    if request.method == "POST":
        if "answer" not in request.can:
            raise Http404
        if status_form.is_valid():
            try:
                services.set_status(
                    actor=request.user,
                    contribution=item,
                    status=status_form.cleaned_data["status"],
                    answer=status_form.cleaned_data["answer"],
                )
            except DomainError as error:
                field = "answer" if error.code in ("answer_required", "invalid") else None
                status_form.add_error(field, error.message)
            else:
                followers = item.follows.count()
                messages.success(
                    request,
                    _("Status and answer saved; %(n)d follower(s) notified by email.")
                    % {"n": followers},
                )
                return redirect("staff:contribution", project.slug, item.pk)
    frame = selectors.perimeter_frame(project)
    zoom = frame.within(item.spot) if item.spot else frame
    return render(
        request,
        "staff/contribution.html",
        _context(
            request,
            item=item,
            frame=frame,
            marker=frame.marker(item.spot),
            zoom=zoom,
            zoom_marker=zoom.marker(item.spot),
            duplicates=selectors.possible_duplicates(item),
            history=StatusChange.objects.filter(contribution=item).select_related("changed_by"),
            audit=AuditEntry.objects.about(item.pk),
            reports=selectors.open_reports(contribution=item),
            comments=item.comments.order_by("created_at"),
            followers=item.follows.count(),
            status_form=status_form,
            moderation_form=ModerationForm(),
            templates=templates,
            templates_json=[{"id": t.pk, "text": t.text, "status": t.status} for t in templates],
            public_url=reverse("contribution", args=[project.slug, item.pk]),
        ),
        status=422 if status_form.errors else 200,
    )


@require_POST
@workspace("moderate")
def duplicate(request, project, contribution_id):
    item = _contribution(project, contribution_id)
    original = get_object_or_404(Contribution, project=project, pk=request.POST.get("original"))
    try:
        services.mark_duplicate(
            actor=request.user,
            contribution=item,
            original=original,
            answer=request.POST.get("answer", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Marked as a duplicate of “%(title)s”; its votes and followers moved there.")
            % {"title": original.title},
        )
    return redirect("staff:contribution", project.slug, item.pk)


# ------------------------------------------------------------------ assisted entry


def _communes(project):
    return Territory.objects.filter(perimeters=project.perimeter).order_by("name")


@require_http_methods(["GET", "POST"])
@workspace("record")
def record(request, project):
    communes = _communes(project)
    form = RecordForm(
        request.POST or None,
        project=project,
        communes=communes,
        initial={"language": get_language(), "channel": request.GET.get("channel", "workshop")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["longitude"] is not None and data["latitude"] is not None:
            geometry = Point(data["longitude"], data["latitude"], srid=4326)
        else:
            commune = communes.annotate(spot=PointOnSurface("geom")).get(code=data["commune"])
            geometry = commune.spot
            geometry.srid = 4326
        submission = Submission(
            kind=data["kind"],
            theme=data["theme"],
            title=data["title"],
            description=data["description"],
            sentiment=data["sentiment"] if data["kind"] == "observation" else "",
            geometry=geometry,
            email=data["email"],
            channel=data["channel"],
            language=data["language"],
            consent=data["consent"],
        )
        try:
            created = services.record_contribution(
                actor=request.user, project=project, submission=submission
            )
        except DomainError as error:
            field = {"outside_perimeter": "commune", "consent_required": "consent"}.get(error.code)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Contribution “%(title)s” recorded. You can enter the next one.")
                % {"title": created.title},
            )
            url = reverse("staff:record", args=[project.slug])
            return redirect(f"{url}?channel={data['channel']}")
    frame = selectors.perimeter_frame(project)
    return render(
        request,
        "staff/record.html",
        _context(
            request,
            form=form,
            frame=frame,
            map_config={"k": frame.k},
        ),
        status=422 if form.errors else 200,
    )


# ----------------------------------------------------------------------- dashboard


@workspace("dashboard")
def dashboard(request, project):
    tables = {name: build(project) for name, build in selectors.TABLES.items() if name != "summary"}
    figures = selectors.summary(project)
    frame = selectors.perimeter_frame(project)
    points = [
        {**frame.marker(spot), "colour": colour}
        for spot, colour in selectors.map_points(project)
        if spot
    ]
    weeks = tables["weeks"].rows
    peak = max((row[1] for row in weeks), default=0)
    return render(
        request,
        "staff/dashboard.html",
        _context(
            request,
            figures=figures,
            tables=tables,
            frame=frame,
            points=points,
            weeks=weeks,
            bars=[
                {
                    "x": index + 0.1,
                    "h": round(100 * n / peak, 2),
                    "y": round(100 - 100 * n / peak, 2),
                    "label": f"{week}: {n}",
                }
                for index, (week, n, _cumulative) in enumerate(weeks)
            ],
            target_percent=min(100, round(100 * (figures["target_share"] or 0))),
            median_days=(
                round(figures["median_hours_to_answer"] / 24, 1)
                if figures["median_hours_to_answer"] is not None
                else None
            ),
        ),
    )


@workspace("dashboard")
def dashboard_csv(request, project, name):
    build = selectors.TABLES.get(name)
    if build is None:
        raise Http404
    table = build(project)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{project.slug}-{name}-{day}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return response


# -------------------------------------------------------------------- answer templates


@require_http_methods(["GET", "POST"])
@workspace("view")
def answer_templates(request, project):
    form = AnswerTemplateForm(request.POST or None)
    if request.method == "POST":
        if "templates" not in request.can:
            raise Http404
        if form.is_valid():
            try:
                services.save_answer_template(
                    actor=request.user, project=project, **form.cleaned_data
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Answer template saved."))
                return redirect("staff:answer-templates", project.slug)
    return render(
        request,
        "staff/answer_templates.html",
        _context(request, form=form, templates=AnswerTemplate.objects.filter(project=project)),
        status=422 if form.errors else 200,
    )


@require_POST
@workspace("templates")
def delete_answer_template(request, project, template_id):
    try:
        services.delete_answer_template(
            actor=request.user, project=project, template_id=template_id
        )
    except DomainError as error:
        raise Http404 from error
    messages.success(request, _("Answer template deleted."))
    return redirect("staff:answer-templates", project.slug)


# ------------------------------------------------------------------- log, print, help


@workspace("view")
def audit_log(request, project):
    page = Paginator(AuditEntry.objects.of_project(project), 100).get_page(request.GET.get("page"))
    return render(request, "staff/audit.html", _context(request, page=page))


@workspace("view")
def printable(request, project, size):
    if size not in ("flyer", "poster"):
        raise Http404
    url = settings.SITE_URL + reverse("project", args=[project.slug])
    qr = segno.make(url, error="m")
    return render(
        request,
        "staff/print.html",
        _context(
            request,
            size=size,
            url=url,
            qr_svg=qr.svg_inline(scale=8 if size == "poster" else 5, omitsize=True),
            frame=selectors.perimeter_frame(project),
            title=localized(project.title) or project.slug,
            description=localized(project.description),
            promise=localized(project.promise),
            themes=[{"name": localized(t.name), "colour": t.colour} for t in project.themes.all()],
        ),
    )


@workspace("dashboard")
def diagnostic(request, project):
    return render(request, "staff/diagnostic.html", _context(request))


@workspace("export")
def diagnostic_bundle(request, project):
    """The diagnostic bundle, built now in the reader's language, as one zip to download."""
    from layers.diagnostic import bundle

    with tempfile.TemporaryDirectory(prefix="diagnostic-") as scratch:
        folder = Path(scratch) / "bundle"
        try:
            bundle.run(
                project=project,
                filters=ContributionFilters(),
                output=folder,
                language=get_language(),
            )
        except bundle.DiagnosticError as error:
            return HttpResponse(str(error), status=422, content_type="text/plain; charset=utf-8")
        archive = Path(shutil.make_archive(str(Path(scratch) / "diagnostic"), "zip", folder))
        # Read before the folder goes: a bundle is a few megabytes at most.
        data = archive.read_bytes()
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="diagnostic-{project.slug}-{stamp}.zip"'
    )
    return response
