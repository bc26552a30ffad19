"""Following a place: the place checked (a commune, a circle, a drawn area), asking to follow
it, confirming by a signed link, stopping. What followers are told, and when, is
contributions.services.place_news (re-exported here for its callers: the moderation and answer
services' hooks, results, the digest command).

Nothing reaches an address its owner did not confirm (`confirmed_at`).
"""

import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Point, Polygon
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contributions import email_links
from contributions.models import Follow, Frequency, PlaceFollow, PlaceKind, Project
from contributions.models.places import (
    PLACE_AREA_MAX_M2,
    PLACE_AREA_MAX_POINTS,
    PLACE_RADIUS_MAX_M,
    PLACE_RADIUS_MIN_M,
)
from contributions.participants import email_participant, owns_verified_email
from contributions.services.place_news import (
    MATCH_CONTRIBUTION_SQL,
    language_of,
    matching_follow_ids,
    notify_place_followers,
    on_moderated,
    on_status_change,
    purge_unconfirmed,
    send_digests,
)
from core import ratelimit
from core.emails import plain_email
from core.errors import DomainError, validated
from core.postgis import STORAGE_SRID
from territories.models import Territory

__all__ = [
    "MATCH_CONTRIBUTION_SQL",
    "Place",
    "area_place",
    "circle_place",
    "commune_place",
    "confirm_place_follow",
    "display_label",
    "follow_of_link",
    "matching_follow_ids",
    "notify_place_followers",
    "on_moderated",
    "on_status_change",
    "place_follows_of",
    "place_from_form",
    "purge_unconfirmed",
    "request_place_follow",
    "send_digests",
    "stop_place_follow",
]

AREA_MAX_TEXT = 200_000  # characters of GeoJSON for a drawn area


@dataclass(frozen=True)
class Place:
    kind: str
    geom: MultiPolygon
    label: str
    territory: Territory | None = None
    centre: Point | None = None
    radius_m: int | None = None


def _refuse(code, message, status=422):
    raise DomainError(code, message, status=status)


# ------------------------------------------------------------------ the place, checked


def commune_place(code: str) -> Place:
    """A commune by its official code (INSEE, ISTAT) or its current slug."""
    code = (code or "").strip()
    territory = (
        Territory.objects.communes().filter(code=code).first()
        or Territory.objects.communes().filter(slug=code).first()
        if code and len(code) <= 220
        else None
    )
    if territory is None:
        _refuse("unknown_commune", _("Choose a commune from the list."), status=404)
    return Place(
        kind=PlaceKind.COMMUNE, geom=territory.geom, label=territory.name, territory=territory
    )


def _number(value, code, message):
    try:
        number = float(value)
    except (TypeError, ValueError):
        _refuse(code, message)
    if number != number or number in (float("inf"), float("-inf")):  # NaN, infinities
        _refuse(code, message)
    return number


def _commune_name_at(geom) -> str:
    territory = Territory.objects.communes().filter(geom__intersects=geom).first()
    return territory.name if territory else ""


def circle_place(lon, lat, radius_m) -> Place:
    """A circle of `radius_m` metres around a point, kept as a geodesic buffer."""
    where = _("Give the centre as a longitude and a latitude.")
    lon = _number(lon, "invalid_point", where)
    lat = _number(lat, "invalid_point", where)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        _refuse("invalid_point", where)
    bounds = {"min": PLACE_RADIUS_MIN_M, "max": PLACE_RADIUS_MAX_M}
    radius = _number(
        radius_m,
        "invalid_radius",
        _("Give a radius between %(min)d and %(max)d metres.") % bounds,
    )
    if not PLACE_RADIUS_MIN_M <= radius <= PLACE_RADIUS_MAX_M:
        _refuse("invalid_radius", _("Give a radius between %(min)d and %(max)d metres.") % bounds)
    radius = round(radius)
    centre = Point(lon, lat, srid=STORAGE_SRID)
    with connection.cursor() as cursor:
        # Buffered on the spheroid (geography), so a 500 m circle is 500 m at any latitude.
        cursor.execute(
            "SELECT ST_AsHexEWKB(ST_Multi(ST_Buffer("
            "ST_SetSRID(ST_MakePoint(%s, %s), %s)::geography, %s, 'quad_segs=16')::geometry))",
            [lon, lat, STORAGE_SRID, radius],
        )
        geom = GEOSGeometry(cursor.fetchone()[0])
    return Place(
        kind=PlaceKind.CIRCLE,
        geom=geom,
        label=_commune_name_at(centre),
        centre=centre,
        radius_m=radius,
    )


def area_place(geojson) -> Place:
    """A drawn area: a GeoJSON Polygon (or a Feature holding one), valid, at most
    PLACE_AREA_MAX_M2."""
    shape = _("Draw the area as one closed outline that does not cross itself.")
    if isinstance(geojson, str):
        if len(geojson) > AREA_MAX_TEXT:
            _refuse("area_too_complex", _("This area has too many points; draw it simpler."))
        try:
            geojson = json.loads(geojson)
        except ValueError:
            _refuse("invalid_area", shape)
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") != "Polygon":
        _refuse("invalid_area", shape)
    try:
        geom = GEOSGeometry(json.dumps(geojson))
    except (GEOSException, ValueError, TypeError):
        _refuse("invalid_area", shape)
    geom.srid = STORAGE_SRID
    if not isinstance(geom, Polygon) or geom.empty:
        _refuse("invalid_area", shape)
    if geom.num_points > PLACE_AREA_MAX_POINTS:
        _refuse("area_too_complex", _("This area has too many points; draw it simpler."))
    if any(not (-180 <= x <= 180 and -90 <= y <= 90) for x, y in geom.exterior_ring.coords):
        _refuse("invalid_area", shape)
    if not geom.valid:
        _refuse("invalid_area", shape)
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_GeomFromEWKB(%s)::geography)", [bytes(geom.ewkb)])
        area = cursor.fetchone()[0] or 0
    if area <= 0:
        _refuse("invalid_area", shape)
    if area > PLACE_AREA_MAX_M2:
        _refuse(
            "area_too_large",
            _("Draw an area of at most %(km2)d km².") % {"km2": PLACE_AREA_MAX_M2 // 1_000_000},
        )
    return Place(
        kind=PlaceKind.AREA,
        geom=MultiPolygon(geom, srid=STORAGE_SRID),
        label=_commune_name_at(geom.point_on_surface),
    )


def place_from_form(data) -> Place:
    """The place a form or a JSON body names: `place` = commune (`commune`), circle (`lon`,
    `lat`, `radius`) or area (`area`, GeoJSON)."""
    kind = data.get("place") or PlaceKind.COMMUNE
    if kind == PlaceKind.COMMUNE:
        return commune_place(data.get("commune", ""))
    if kind == PlaceKind.CIRCLE:
        return circle_place(data.get("lon"), data.get("lat"), data.get("radius"))
    if kind == PlaceKind.AREA:
        return area_place(data.get("area", ""))
    _refuse("unknown_place", _("Choose a commune, a circle or an area."))


def display_label(follow) -> str:
    """How the place reads in the active language (PlaceFollow.display_label)."""
    return follow.display_label()


# ------------------------------------------------------------------ asking, confirming, stopping


def _checked_email(email: str) -> str:
    email = (email or "").strip()
    validated(
        Follow(email=email),
        code="invalid_email",
        message=_("Enter a valid email address."),
        exclude=["contribution", "user", "token", "language"],
        validate_unique=False,
        extra={"field": "email"},
    )
    return email


@transaction.atomic
def request_place_follow(
    *,
    place: Place,
    email: str,
    frequency: str,
    project: Project | None = None,
    user=None,
    language: str = "",
) -> PlaceFollow:
    """Asks to be told what happens in `place`. The signed-in person's own verified address
    follows at once; any other gets a signed link first, and the follow stays unconfirmed
    (emailed nothing) until its owner presses the link's button."""
    email = _checked_email(email)
    if frequency not in Frequency.values:
        _refuse("unknown_frequency", _("Choose at once, daily or weekly."))
    if project is not None and project.perimeter_id is not None:
        inside = Territory.objects.filter(
            pk=project.perimeter_id, geom__intersects=place.geom
        ).exists()
        if not inside:
            _refuse("outside_perimeter", _("This place is outside the project's perimeter."))
    confirmed = owns_verified_email(user, email)
    follow = PlaceFollow(
        email=email,
        user=user if confirmed else None,
        language=language_of(language),
        project=project,
        kind=place.kind,
        territory=place.territory,
        centre=place.centre,
        radius_m=place.radius_m,
        geom=place.geom,
        label=place.label[:200],
        frequency=frequency,
        confirmed_at=timezone.now() if confirmed else None,
    )
    validated(
        follow,
        code="invalid",
        message=_("This follow cannot be saved."),
        exclude=["user", "project", "territory"],
    )
    follow.save()
    if confirmed:
        _supersede(follow)
    else:
        _send_confirmation(follow)
    return follow


def _supersede(follow: PlaceFollow) -> None:
    """Following the same place twice keeps one follow: the one just confirmed (so confirming
    again with another frequency changes the frequency)."""
    PlaceFollow.objects.filter(
        email__iexact=follow.email,
        project=follow.project,
        kind=follow.kind,
        geom__equals=follow.geom,
    ).exclude(pk=follow.pk).delete()


def _send_confirmation(follow: PlaceFollow) -> None:
    """The signed link that confirms the follow, in its language, within the address's budget
    of links. contributions.email_links signs and checks it: a follow's link whose
    `contribution_id` holds the place follow's id (a UUID no contribution has, so the
    contribution's confirmation page refuses it, and this one refuses a contribution's)."""
    address_key = "e" + email_participant(follow.email).split(":", 1)[1][:32]
    ratelimit.check(None, "email_link", client=address_key)
    link = email_links.EmailLink(
        purpose=email_links.FOLLOW,
        contribution_id=str(follow.pk),
        email=follow.email,
        language=follow.language,
    )
    token = email_links.token_for(link)
    with translation.override(follow.language):
        context = {
            "place": display_label(follow),
            "project": follow.project.display_title if follow.project else "",
            "link": settings.SITE_URL + reverse("place-follow-confirm", args=[token]),
            "days": email_links.LINK_LIFETIME.days,
        }
        message = plain_email(
            "contributions/email/place_confirm",
            context,
            to=follow.email,
            language=follow.language,
        )
    transaction.on_commit(message.send)


def follow_of_link(token: str) -> PlaceFollow:
    """The place follow a confirmation link names (DomainError when the link was altered, is
    too old, or names none)."""
    link = email_links.read(token)
    follow = None
    if link.purpose == email_links.FOLLOW:
        follow = (
            PlaceFollow.objects.select_related("project")
            .filter(pk=_uuid(link.contribution_id), email=link.email)
            .first()
        )
    if follow is None:
        raise DomainError("link_invalid", _("This link no longer follows any place."), status=404)
    return follow


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@transaction.atomic
def confirm_place_follow(*, token: str) -> PlaceFollow:
    """The address's owner pressed the button: the follow is confirmed (twice changes
    nothing)."""
    follow = follow_of_link(token)
    if follow.confirmed_at is None:
        follow.confirmed_at = timezone.now()
        follow.save(update_fields=["confirmed_at"])
        _supersede(follow)
    return follow


def stop_place_follow(*, token: str) -> bool:
    removed, _details = PlaceFollow.objects.filter(token=token).delete()
    return bool(removed)


def place_follows_of(user):
    """The signed-in person's confirmed place follows."""
    if user is None or not user.is_authenticated:
        return PlaceFollow.objects.none()
    return PlaceFollow.objects.filter(user=user, confirmed_at__isnull=False).select_related(
        "project"
    )
