from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from contributions.models import (
    AbuseReport,
    Comment,
    Contribution,
    PartnerProject,
    PartnerProjectPhoto,
    PartnerVote,
    Photo,
    Project,
    Theme,
    Vote,
)
from contributions.models.projects import ProjectPartner


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0


class ProjectPartnerInline(admin.TabularInline):
    """Partners named, with their logo, on the diagnostic's title page."""

    model = ProjectPartner
    extra = 0
    fields = ["position", "name", "logo"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["slug", "display_title", "participation_level", "opens_at", "closes_at"]
    list_filter = ["vote_identity", "allow_anonymous", "moderation"]
    inlines = [ThemeInline, ProjectPartnerInline]
    raw_id_fields = ["perimeter"]


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    readonly_fields = ["large", "thumbnail", "width", "height"]


@admin.register(Contribution)
class ContributionAdmin(LeafletGeoAdmin):
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


class ParticipantKindFilter(admin.SimpleListFilter):
    """Accounts, confirmed addresses, anonymous sessions: which votes or reports count as a
    person (docs/security.md)."""

    title = _("participant")
    parameter_name = "participant_kind"

    def lookups(self, request, model_admin):
        return [
            ("user:", _("signed-in account")),
            ("email:", _("confirmed email address")),
            ("anon:", _("anonymous session")),
            ("ballot:", _("ballot entered by staff")),
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(participant__startswith=self.value())
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the services: to look into a suspicious pile, never to edit one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    # A fraudulent pile of votes may be deleted: vote_count follows the rows by trigger.
    list_display = ["contribution", "participant", "created_at"]
    list_filter = [ParticipantKindFilter, "contribution__project"]
    list_select_related = ["contribution"]
    date_hierarchy = "created_at"
    raw_id_fields = ["contribution", "user"]


@admin.register(AbuseReport)
class AbuseReportAdmin(ReadOnlyAdmin):
    list_display = ["contribution", "comment", "participant", "created_at", "reviewed_at"]
    list_filter = [ParticipantKindFilter, "contribution__project"]
    list_select_related = ["contribution"]
    date_hierarchy = "created_at"
    raw_id_fields = ["contribution", "comment"]

    def has_delete_permission(self, request, obj=None):
        # report_count and the reviews go through moderation (staff.services.moderation).
        return False


class PartnerProjectPhotoInline(admin.TabularInline):
    model = PartnerProjectPhoto
    extra = 0
    fields = ["position", "credit", "alt", "image", "thumbnail", "width", "height"]
    readonly_fields = ["image", "thumbnail", "width", "height"]

    def has_add_permission(self, request, obj=None):
        # New photos go through the photo pipeline (the workspace's partner project page).
        return False


@admin.register(PartnerProject)
class PartnerProjectAdmin(LeafletGeoAdmin):
    """The partners' projects; written in the workspace (staff.views.partner_projects), whose
    services check the place, the texts and the links."""

    list_display = ["__str__", "project", "theme", "published", "outcome", "updated_at"]
    list_filter = ["project", "published", "outcome", "cost_band"]
    raw_id_fields = ["project", "theme", "partner", "result"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PartnerProjectPhotoInline]


@admin.register(PartnerVote)
class PartnerVoteAdmin(ReadOnlyAdmin):
    # A fraudulent pile of votes may be deleted; the figures count the rows.
    list_display = ["partner_project", "participant", "value", "channel", "created_at"]
    list_filter = [ParticipantKindFilter, "channel", "project"]
    list_select_related = ["partner_project__project"]
    date_hierarchy = "created_at"
    raw_id_fields = ["partner_project", "project", "user", "commune", "entered_by"]
