from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from questionnaires.models import MapAnswer, Question, Questionnaire, QuestionPage, Response


class QuestionPageInline(admin.TabularInline):
    model = QuestionPage
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["slug", "project", "published", "opens_at", "closes_at", "allow_anonymous"]
    list_filter = ["project", "published"]
    inlines = [QuestionPageInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "questionnaire", "page", "position", "kind", "required", "personal"]
    list_filter = ["questionnaire", "kind"]
    raw_id_fields = ["page"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Individual responses are personal data: read-only here, erased through privacy."""

    list_display = ["id", "questionnaire", "channel", "language", "submitted_at"]
    list_filter = ["questionnaire", "channel"]
    raw_id_fields = ["user", "entered_by", "commune"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(MapAnswer)
class MapAnswerAdmin(LeafletGeoAdmin):
    list_display = ["id", "question", "commune", "position"]
    list_filter = ["question__questionnaire"]
    raw_id_fields = ["response", "commune"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
