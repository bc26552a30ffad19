"""Moving a misplaced pin: a moderator puts a point where the resident meant it (a tap that
landed in the next valley, a place read out wrongly on the phone)."""

from django.db import transaction
from django.utils.translation import gettext as _

from contributions.models import Contribution, LocationPrecision
from contributions.services import check_geometry
from core.errors import DomainError
from core.postgis import STORAGE_SRID
from staff.models import Action
from staff.services.audit import audit, require


@transaction.atomic
def move_pin(*, actor, contribution: Contribution, point, reason: str = "") -> Contribution:
    """The contribution's point moved to `point` (GEOS, WGS 84), checked against the project's
    perimeter like a new one, its commune found again and its place exact from now on; the
    audit log keeps where it was."""
    project = contribution.project
    require(actor, project, "moderate")
    if contribution.geom.geom_type != "Point" or point is None or point.geom_type != "Point":
        raise DomainError(
            "not_a_point",
            _("Only a point can be moved; a line or an area is drawn again by its author."),
            status=422,
        )
    point = point.transform(STORAGE_SRID, clone=True) if point.srid != STORAGE_SRID else point
    check_geometry(project, point)
    before = contribution.geom
    contribution.geom = point
    # The database finds the commune of the new place (contributions_enforce_perimeter) and
    # the public place follows it (privacy_set_public_location).
    contribution.commune = None
    contribution.location_precision = LocationPrecision.EXACT
    contribution.save(update_fields=["geom", "commune", "location_precision", "updated_at"])
    contribution.refresh_from_db()
    audit(
        actor=actor,
        project=project,
        action=Action.MOVE,
        target=contribution,
        reason=reason,
        details={
            "from": [round(before.x, 6), round(before.y, 6)],
            "to": [round(point.x, 6), round(point.y, 6)],
            "commune": contribution.commune.code if contribution.commune else None,
        },
    )
    return contribution
