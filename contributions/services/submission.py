"""Submitting a contribution: every rule a resident can break has its own error code;
nothing is written unless everything holds."""

from dataclasses import dataclass, field

from django.contrib.gis.geos import GEOSGeometry
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from contributions.models import (
    MAX_PHOTOS,
    Channel,
    Contribution,
    Kind,
    LocationPrecision,
    ModerationMode,
    Photo,
    Project,
    Sentiment,
    Status,
    StatusChange,
)
from contributions.services import place_news
from contributions.services.participation import follow_own_contribution
from contributions.services.receipts import send_receipt
from contributions.signals import contribution_submitted
from core.errors import DomainError, validated
from territories import selectors as territory_selectors


@dataclass
class Submission:
    """What a resident (or staff for them) submits; photos are already processed."""

    kind: str
    theme: str
    title: str
    geometry: GEOSGeometry
    description: str = ""
    sentiment: str = ""
    email: str = ""
    channel: str = Channel.ONLINE
    photos: list = field(default_factory=list)  # contributions.photos.ProcessedPhoto
    # The author's language: the answer reaches them in it.
    language: str = ""
    # Consent to the project's terms (the web form requires it; staff record it for
    # assisted entry).
    consent: bool = False
    recorded_by: object = None  # staff who entered it on the resident's behalf
    # How much the geometry says about the place (LocationPrecision); lines and areas were
    # drawn, so they are exact.
    location_precision: str = LocationPrecision.EXACT


def check_submission(*, project: Project, submission: Submission, author=None) -> None:
    """Raises DomainError for the first rule the submission breaks."""
    if not project.is_open():
        raise DomainError(
            "project_closed",
            _("This project does not take contributions now (it is closed or not yet open)."),
            status=409,
        )
    if author is None and submission.recorded_by is None and not project.allow_anonymous:
        raise DomainError(
            "anonymous_not_allowed",
            _("This project asks contributors to sign in first."),
            status=401,
        )
    if submission.kind not in project.kinds:
        raise DomainError(
            "unknown_kind",
            _("This project accepts these kinds of contribution: %(kinds)s.")
            % {"kinds": ", ".join(project.kinds)},
            status=422,
        )
    if submission.kind == Kind.OBSERVATION:
        if submission.sentiment not in Sentiment.values:
            raise DomainError(
                "sentiment_required",
                _("An observation says whether it is positive or negative."),
                status=422,
            )
    elif submission.sentiment:
        raise DomainError(
            "sentiment_not_allowed",
            _("Only observations carry a positive or negative sentiment."),
            status=422,
        )
    if not project.themes.filter(slug=submission.theme).exists():
        raise DomainError(
            "unknown_theme",
            _("This project has no theme %(theme)r; its themes are: %(themes)s.")
            % {
                "theme": submission.theme,
                "themes": ", ".join(project.themes.values_list("slug", flat=True)),
            },
            status=422,
        )
    if len(submission.photos) > MAX_PHOTOS:
        raise DomainError(
            "too_many_photos",
            _("A contribution has at most %(n)d photos.") % {"n": MAX_PHOTOS},
        )
    check_geometry(project, submission.geometry)
    if (
        submission.location_precision != LocationPrecision.EXACT
        and submission.geometry.geom_type != "Point"
    ):
        raise DomainError(
            "precision_needs_a_point",
            _(
                "Only a point can be approximate or placed by its commune; a line or an area "
                "is drawn where it is."
            ),
            status=422,
            extra={"field": "location_precision"},
        )


def check_geometry(project, geom):
    """Raises DomainError when the geometry is of a kind, size or place the project refuses."""
    kind = geom.geom_type
    if (
        kind == "LineString"
        and not project.allow_lines
        or (kind == "Polygon" and not project.allow_polygons)
    ):
        raise DomainError(
            "geometry_type_not_allowed",
            _("This project accepts points only%(more)s; draw a point instead.")
            % {"more": _(" and lines") if project.allow_lines else ""},
            status=422,
        )
    if kind in ("LineString", "Polygon"):
        length_m, area_m2 = _measure(geom)
        if kind == "LineString" and length_m > project.max_line_length_m:
            raise DomainError(
                "line_too_long",
                _("The line is %(length).0f m long; this project accepts at most %(max).0f m.")
                % {"length": length_m, "max": project.max_line_length_m},
                status=422,
            )
        if kind == "Polygon" and area_m2 > project.max_polygon_area_m2:
            raise DomainError(
                "area_too_large",
                _("The area covers %(area).1f ha; this project accepts at most %(max).1f ha.")
                % {"area": area_m2 / 1e4, "max": project.max_polygon_area_m2 / 1e4},
                status=422,
            )
    check_inside_perimeter(project, geom)


def check_inside_perimeter(project, geom):
    """Raises DomainError("outside_perimeter") when the geometry is not inside the project's
    perimeter, give or take its tolerance: one rule and one sentence for contributions and
    questionnaire answers."""
    perimeter = project.perimeter
    if not territory_selectors.covers(perimeter, geom, project.tolerance_m):
        distance = territory_selectors.distance_m(perimeter, geom)
        raise DomainError(
            "outside_perimeter",
            _("This place is outside the %(perimeter)s perimeter, %(distance)s m away from it.")
            % {
                "perimeter": perimeter.name,
                "distance": number_format(round(distance), force_grouping=True),
            },
            status=422,
            extra={"distance_m": round(distance, 1), "perimeter": perimeter.name},
        )


def _measure(geom):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Length(g::geography), ST_Area(g::geography)"
            " FROM (SELECT ST_GeomFromEWKB(%s) AS g) s",
            [bytes(geom.ewkb)],
        )
        return cursor.fetchone()


def submit_contribution(
    *,
    project: Project,
    submission: Submission,
    author=None,
    now=None,
    profile=None,
    request=None,
) -> Contribution:
    """Stores a submission; `profile` holds the submitter's opt-in profile answers, handed to
    the apps above through contribution_submitted (privacy records and checks them), with
    the web `request` that sent it, if any (read by no rule here)."""
    check_submission(project=project, submission=submission, author=author)
    now = now or timezone.now()
    published = project.moderation == ModerationMode.AFTER
    contribution = Contribution(
        project=project,
        kind=submission.kind,
        sentiment=submission.sentiment if submission.kind == Kind.OBSERVATION else "",
        theme=project.themes.get(slug=submission.theme),
        title=submission.title.strip(),
        description=submission.description.strip(),
        geom=submission.geometry,
        location_precision=submission.location_precision,
        commune=territory_selectors.attribute(submission.geometry, within=project.perimeter),
        author=author,
        email=submission.email.strip(),
        channel=submission.channel,
        language=submission.language,
        consent_at=now if submission.consent else None,
        terms_version=project.terms_version if submission.consent else "",
        recorded_by=submission.recorded_by,
        status=Status.PUBLISHED if published else Status.SUBMITTED,
        created_at=now,
        published_at=now if published else None,
    )
    validated(
        contribution,
        code="invalid",
        message=_("Some values are missing or not valid."),
        exclude=["commune", "theme", "project", "author"],
    )
    try:
        _store(contribution, submission, author, now, profile or {}, request)
    except BaseException:
        # The rows are rolled back; the photo files written meanwhile must go too.
        _delete_photo_files(contribution)
        raise
    return contribution


@transaction.atomic
def _store(contribution, submission, author, now, profile, request):
    contribution.save(force_insert=True)
    for position, photo in enumerate(submission.photos):
        save_photo(contribution, position, photo)
    StatusChange.objects.create(
        contribution=contribution, status=contribution.status, created_at=now
    )
    # Leaving an email means "tell me the answer", once the address is known to be theirs;
    # the receipt (after the commit) says what was received and, if need be, asks to confirm.
    follow = follow_own_contribution(
        contribution=contribution, user=author, language=submission.language
    )
    send_receipt(contribution=contribution, follow=follow)
    # Published at once (moderation after publication): the place's followers hear of it now.
    place_news.on_moderated(contribution, first_published=contribution.status == Status.PUBLISHED)
    # Inside the transaction: a receiver's DomainError undoes the whole submission.
    contribution_submitted.send(
        sender=Contribution, contribution=contribution, profile=profile, request=request
    )
    return contribution


def _delete_photo_files(contribution):
    """Every file stored under the contribution's own folder (its id is new: nothing else)."""
    folder = f"contributions/{contribution.pk}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")


def save_photo(contribution, position, processed):
    photo = Photo(
        contribution=contribution,
        position=position,
        width=processed.width,
        height=processed.height,
    )
    # Under contributions/<contribution id>/ (upload_to), so erasure empties one folder.
    folder = contribution.pk
    photo.large.save(f"{folder}/{photo.id}-large.jpg", ContentFile(processed.large), save=False)
    photo.thumbnail.save(
        f"{folder}/{photo.id}-thumbnail.jpg", ContentFile(processed.thumbnail), save=False
    )
    photo.save(force_insert=True)
