from allauth.account.signals import user_signed_up
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from contributions.signals import contribution_submitted


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff workspace")

    def ready(self):
        # Receivers use the models, which are not loaded before ready().
        from staff import receivers

        contribution_submitted.connect(
            receivers.mark_contributing_visit, dispatch_uid="staff-mark-contributing-visit"
        )
        user_signed_up.connect(
            receivers.mark_signed_up_visits, dispatch_uid="staff-mark-signed-up-visits"
        )
