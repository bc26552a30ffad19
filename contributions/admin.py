from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.utils.translation import gettext, gettext_lazy

from contributions.models import ApiClient, Comment, Contribution, Photo, Project, Theme


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["slug", "display_title", "participation_level", "opens_at", "closes_at"]
    inlines = [ThemeInline]
    raw_id_fields = ["perimeter"]


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    readonly_fields = ["large", "thumbnail", "width", "height"]


@admin.register(Contribution)
class ContributionAdmin(GISModelAdmin):
    list_display = ["title", "project", "kind", "theme", "status", "commune", "created_at"]
    list_filter = ["project", "kind", "status", "channel"]
    search_fields = ["title", "description"]
    raw_id_fields = ["commune", "author", "duplicate_of"]
    readonly_fields = ["vote_count", "comment_count", "created_at", "updated_at"]
    inlines = [PhotoInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["contribution", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["contribution", "author"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Open311 keys: generated on creation, shown once, then only their first characters."""

    list_display = ["name", "key_hint", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["projects"]
    readonly_fields = ["key_hint", "created_at"]

    @admin.display(description=gettext_lazy("API key"))
    def key_hint(self, client):
        return f"{client.key[:4]}…" if client.pk else "—"

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
