from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from contributions.models import Comment, Contribution, Photo, Project, Theme


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
