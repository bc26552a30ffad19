"""The territories' SQL functions, wrapped once for the ORM."""

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import GeoFunc
from django.db.models import Func, TextField, Value
from django.db.models.functions import Lower

from core.postgis import STORAGE_SRID


class Anchor(GeoFunc):
    """`territories_anchor`: the point that stands for a geometry (itself for a point, a
    point on the surface of a line or an area): where the map places it and counts it."""

    function = "territories_anchor"
    output_field = PointField(srid=STORAGE_SRID)


# The one fold texts are compared by, as French and Italian place names need it: lower case,
# accents off, apostrophes and hyphens as spaces ("Sainte-Agnès" is found by "sainte agnes").
# translate(lower()), not unaccent, which the database may not have.
ACCENTED = "àâäáãèéêëìíîïòóôöõùúûüçñ'-"
UNACCENTED = "aaaaaeeeeiiiiooooouuuucn  "


class Folded(Func):
    """The fold of a text expression, for the ORM (the contributions' text search)."""

    function = "translate"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(Lower(expression), Value(ACCENTED), Value(UNACCENTED), **extra)


def fold_sql(expression: str) -> str:
    """The fold of an SQL expression, for raw SQL (the place search, names on maps)."""
    accented = ACCENTED.replace("'", "''")
    return f"translate(lower({expression}), '{accented}', '{UNACCENTED}')"
