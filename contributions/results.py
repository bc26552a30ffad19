"""Reading results ("you said, we did"): their place, computed on read, and their public
features. A result's place is the place drawn for it or, when none is, the union (PostGIS
ST_Union) of the public locations of the public contributions it answers: computed on each
read, never stored, so a contribution hidden or moved later stops shaping it at once."""

from django.contrib.gis.db.models import GeometryField, Union
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from contributions.models import PUBLIC_GEOM, PUBLIC_STATUSES, Contribution, Result
from core.geojson import geometry
from core.postgis import STORAGE_SRID


def answered_union():
    """The union of the public locations of the public contributions a result answers."""
    return Subquery(
        Contribution.objects.public()
        .filter(results=OuterRef("pk"))
        .values("results")
        .annotate(union=Union(PUBLIC_GEOM))
        .values("union")[:1],
        output_field=GeometryField(srid=STORAGE_SRID),
    )


def with_place(results):
    """Results with `place` (drawn, else the union above) and `answered` (how many public
    contributions they answer)."""
    return results.annotate(
        place=Coalesce("geom", answered_union(), output_field=GeometryField(srid=STORAGE_SRID)),
        answered=Count(
            "contributions", filter=Q(contributions__status__in=PUBLIC_STATUSES), distinct=True
        ),
    )


def public_results(project):
    """A project's results, each with its place, newest change first. Results are public once
    recorded: what they say is the services' own word."""
    return with_place(Result.objects.of_project(project).select_related("project")).order_by(
        "-updated_at", "id"
    )


def feature(result, *, language=None, url="") -> dict:
    """A result as a GeoJSON feature (RFC 7946), its texts in the reader's language."""
    project = result.project
    title = project.answer_in(result.title, language=language)
    return {
        "type": "Feature",
        "id": str(result.pk),
        "geometry": geometry(result.place),
        "properties": {
            "title": title.text,
            "language": title.language,
            "status": result.status,
            "status_label": str(result.get_status_display()),
            "progress": result.progress,
            "contributions": result.answered,
            "updated_at": result.updated_at.isoformat(),
            "url": url,
        },
    }


def results_of(contribution):
    """The results answering a public contribution, each with its place."""
    return public_results(contribution.project).filter(contributions=contribution)
