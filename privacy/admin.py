from django.contrib import admin

from privacy import services
from privacy.models import LocationRule


@admin.register(LocationRule)
class LocationRuleAdmin(admin.ModelAdmin):
    """Rules take effect at once: the project's public locations are recomputed."""

    list_display = ["project", "kind", "theme", "method", "precision_m"]
    list_filter = ["project", "method"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.recompute_public_locations(project=obj.project)

    def delete_model(self, request, obj):
        project = obj.project
        super().delete_model(request, obj)
        services.recompute_public_locations(project=project)

    def delete_queryset(self, request, queryset):
        projects = {rule.project for rule in queryset}
        super().delete_queryset(request, queryset)
        for project in projects:
            services.recompute_public_locations(project=project)
