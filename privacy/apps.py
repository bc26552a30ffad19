from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from contributions.signals import contribution_submitted


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        # Receivers use the models, which are not loaded before ready().
        from privacy import receivers

        contribution_submitted.connect(
            receivers.record_submitted_profile, dispatch_uid="privacy-record-profile"
        )
