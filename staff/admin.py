"""Superusers give roles here; the audit log is read-only, as in the database."""

from django.contrib import admin

from staff.models import AnswerTemplate, AuditEntry, ProjectRole


@admin.register(ProjectRole)
class ProjectRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "user__email", "project__slug"]
    autocomplete_fields = ["user"]


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "status"]
    list_filter = ["project"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "target_type", "target_title", "reason"]
    list_filter = ["action", "project"]
    search_fields = ["target_title", "actor_name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
