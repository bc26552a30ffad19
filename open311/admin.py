from django.contrib import admin
from django.utils.translation import gettext, gettext_lazy

from open311.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Open311 keys: generated on creation, shown once, then only their first characters (the
    database keeps a digest, never the key)."""

    list_display = ["name", "key_hint", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["projects"]
    readonly_fields = ["key_hint", "created_at"]

    @admin.display(description=gettext_lazy("API key"))
    def key_hint(self, client):
        return f"{client.key_prefix}…" if client.pk else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                gettext(
                    "The API key of %(name)s is %(key)s — copy it now: it will not be shown again."
                )
                % {"name": obj.name, "key": obj.key},
                level="warning",
            )
