from django.apps import AppConfig


class Open311Config(AppConfig):
    # The admin names the app "Open311" from its label, in every language.
    default_auto_field = "django.db.models.BigAutoField"
    name = "open311"
