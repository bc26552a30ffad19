"""What every staff write does first and last: check that the actor may do it in this project
(404 otherwise, as the pages answer), and record it in the audit log, in the caller's
transaction so the entry exists exactly when the change does."""

from django.utils import timezone
from django.utils.translation import gettext as _

from contributions.models import Comment
from core.errors import DomainError
from staff import permissions
from staff.models import AuditEntry, Target


def require(actor, project, capability):
    if not permissions.can(actor, project, capability):
        raise DomainError("not_found", _("No such project."), status=404)


def audit(*, actor, project, action, target, reason="", details=None, now=None):
    is_comment = isinstance(target, Comment)
    AuditEntry.objects.create(
        project=project,
        actor=actor,
        actor_name=actor.get_username(),
        action=action,
        target_type=Target.COMMENT if is_comment else Target.CONTRIBUTION,
        target_id=target.pk,
        target_title=(target.body if is_comment else target.title)[:140],
        reason=reason,
        details=details or {},
        created_at=now or timezone.now(),
    )


def audit_item(*, actor, project, action, target_type, target_id, title="", details=None):
    """An entry about something other than a contribution or a comment (a partner project, a
    questionnaire, a response entered on paper), written in the caller's transaction."""
    AuditEntry.objects.create(
        project=project,
        actor=actor,
        actor_name=actor.get_username(),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_title=str(title)[:140],
        details=details or {},
    )
