import pytest

from contributions.models import Contribution, Project
from mapping.demo import load_demo
from territories.models import Territory

NICE = (7.2620, 43.7030)
MENTON = (7.4975, 43.7760)
SANREMO = (7.7760, 43.8170)
MONACO = (7.4246, 43.7384)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The PITER ALPIMED demo (communes, perimeter, project, 300 contributions), once a module."""
    with django_db_blocker.unblock():
        project = load_demo()
        Project.objects.filter(pk=project.pk).update(
            allow_lines=True,
            allow_polygons=True,
            max_line_length_m=5_000,
            max_polygon_area_m2=1_000_000,
        )
        yield Project.objects.select_related("perimeter").get(pk=project.pk)
        Contribution.objects.all().delete()
        Project.objects.all().delete()
        Territory.objects.all().delete()


def point(lon, lat, **properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "kind": "proposal",
            "theme": "infrastructure",
            "title": "Un abri à l'arrêt de car",
            "description": "Les enfants attendent sous la pluie.",
            **properties,
        },
    }
