from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from territories.models import Territory


@admin.register(Territory)
class TerritoryAdmin(LeafletGeoAdmin):
    list_display = ["name", "code", "kind", "country", "population", "generation", "valid_until"]
    list_filter = ["kind", "country", ("valid_until", admin.EmptyFieldListFilter)]
    search_fields = ["name", "code", "slug"]
    readonly_fields = ["area_m2", "generation", "valid_from", "updated_at"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["members"]
