"""OGC API - Features Part 3: the JSON Schema of the properties the items can be filtered on
(the same parameters as the site's list: contributions.filters)."""

from django.utils.translation import gettext as _

from contributions.models import PUBLIC_STATUSES, Kind
from territories.models import TerritoryKind


def territory_properties() -> dict:
    return {
        "kind": {
            "title": _("Kind of territory"),
            "type": "string",
            "enum": TerritoryKind.values,
        }
    }


def contribution_properties(project) -> dict:
    communes = sorted(
        project.perimeter.members.exclude(code="").values_list("code", flat=True).distinct()
    )
    return {
        "commune": {
            "title": _("Commune (official code)"),
            "description": _("The commune the public location lies in."),
            "type": "string",
            "enum": communes,
        },
        "theme": {
            "title": _("Theme"),
            "type": "string",
            "enum": list(project.themes.order_by("slug").values_list("slug", flat=True)),
        },
        "kind": {"title": _("Kind of contribution"), "type": "string", "enum": Kind.values},
        "status": {"title": _("Status"), "type": "string", "enum": list(PUBLIC_STATUSES)},
    }


def schema(url: str, title: str, properties: dict) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": title,
        "description": _(
            "Each property is also a query parameter of the items: one value, or several"
            " separated by commas (kind, theme, status)."
        ),
        "properties": properties,
        "additionalProperties": False,
    }
