"""A small territory of its own (not the demo's): Nice and Villefranche-sur-Mer in their
intercommunality, Sanremo in the Province of Imperia, a perimeter over the two French
communes, and Nice's Italian name."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from layers import grid
from territories.models import Territory, TerritoryName
from territories.services import upsert_territory


def box(x0, y0, x1, y1):
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


NICE = box(7.18, 43.65, 7.30, 43.76)
VILLEFRANCHE = box(7.30, 43.68, 7.34, 43.74)
SANREMO = box(7.72, 43.79, 7.83, 43.86)


def tile_of(lon, lat, z):
    x, y = grid.to_mercator(lon, lat)
    size = grid.cell_size(z)
    return z, int((x + grid.ORIGIN) // size), int((grid.ORIGIN - y) // size)


@pytest.fixture(scope="module")
def places(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        made = []

        def add(**fields):
            made.append(upsert_territory(**fields)[1])
            return made[-1]

        epci = add(
            kind="intercommunality",
            code="200030195",
            name="Métropole Nice Côte d'Azur",
            geom=box(7.10, 43.60, 7.40, 43.80),
            country="FR",
        )
        imperia = add(
            kind="province",
            code="008",
            name="Provincia di Imperia",
            geom=box(7.50, 43.75, 8.10, 44.10),
            country="IT",
        )
        nice = add(
            kind="commune",
            code="06088",
            name="Nice",
            geom=NICE,
            country="FR",
            population=348_000,
            parent=epci,
        )
        villefranche = add(
            kind="commune",
            code="06159",
            name="Villefranche-sur-Mer",
            geom=VILLEFRANCHE,
            country="FR",
            population=5_000,
            parent=epci,
        )
        add(
            kind="commune",
            code="008055",
            name="Sanremo",
            geom=SANREMO,
            country="IT",
            population=53_500,
            parent=imperia,
        )
        perimeter = add(
            kind="perimeter",
            code="basemap-test",
            name="Riviera test",
            geom=box(7.18, 43.65, 7.34, 43.76),
        )
        perimeter.members.set([nice, villefranche])
        # Another module may have loaded the demo's names already: add only what is missing.
        names = [
            name
            for name, created in (
                TerritoryName.objects.get_or_create(
                    kind="commune", code=code, language="it", name=italian
                )
                for code, italian in (("06088", "Nizza"), ("06159", "Villafranca"))
            )
            if created
        ]
        yield {"nice": nice, "villefranche": villefranche, "perimeter": perimeter}
        for name in names:
            name.delete()
        Territory.objects.filter(code__in=[t.code for t in made]).delete()
