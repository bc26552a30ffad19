"""Reads on contributions. The public GeoJSON is built by PostgreSQL: one query turns a page
of rows into a FeatureCollection, with no per-feature Python on the hot path."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.gis.geos import Polygon
from django.db import connection

from contributions.models import PUBLIC_STATUSES, Contribution, Project

ORDERINGS = {
    "-created_at": ("created_at", "DESC"),
    "created_at": ("created_at", "ASC"),
    "-vote_count": ("vote_count", "DESC"),
    "vote_count": ("vote_count", "ASC"),
}

# One public feature: never the email, the author or anything unpublished.
FEATURE_SQL = """
json_build_object(
    'type', 'Feature',
    'id', c.id,
    'geometry', ST_AsGeoJSON(c.geom, 6)::json,
    'properties', json_build_object(
        'id', c.id,
        'kind', c.kind,
        'sentiment', NULLIF(c.sentiment, ''),
        'theme', th.slug,
        'title', c.title,
        'description', c.description,
        'status', c.status,
        'commune', t.code,
        'commune_name', t.name,
        'answer', NULLIF(c.answer, ''),
        'answered_at', c.answered_at,
        'vote_count', c.vote_count,
        'comment_count', c.comment_count,
        'channel', c.channel,
        'created_at', c.created_at,
        'photos', (SELECT json_agg(json_build_object(
                        'thumbnail', %(photos)s || ph.id || '/thumbnail.jpg',
                        'large', %(photos)s || ph.id || '/large.jpg') ORDER BY ph.position)
                   FROM contributions_photo ph WHERE ph.contribution_id = c.id)
    )
)
"""

FROM_SQL = """
FROM contributions_contribution c
JOIN contributions_theme th ON th.id = c.theme_id
LEFT JOIN territories_territory t ON t.id = c.commune_id
"""


@dataclass
class ContributionFilters:
    bbox: tuple[float, float, float, float] | None = None
    kinds: list[str] | None = None
    themes: list[str] | None = None
    statuses: list[str] | None = None  # within the public statuses
    commune: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def public_contributions(project: Project, filters: ContributionFilters):
    """The public contributions of a project matching the filters, as a queryset."""
    queryset = Contribution.objects.public().of_project(project)
    if filters.bbox:
        queryset = queryset.filter(geom__bboverlaps=Polygon.from_bbox(filters.bbox))
    if filters.kinds:
        queryset = queryset.filter(kind__in=filters.kinds)
    if filters.themes:
        queryset = queryset.filter(theme__slug__in=filters.themes)
    if filters.statuses:
        queryset = queryset.filter(status__in=filters.statuses)
    if filters.commune:
        queryset = queryset.filter(commune__code=filters.commune)
    if filters.created_after:
        queryset = queryset.filter(created_at__gte=filters.created_after)
    if filters.created_before:
        queryset = queryset.filter(created_at__lt=filters.created_before)
    return queryset


def feature_collection_page(
    project: Project,
    filters: ContributionFilters,
    *,
    photo_base: str,
    ordering: str = "-created_at",
    limit: int = 100,
    offset: int = 0,
) -> tuple[str, int, int]:
    """(features JSON array text, number matched, number returned) for one page."""
    queryset = public_contributions(project, filters)
    matched = queryset.count()
    column, direction = ORDERINGS[ordering]
    page = queryset.order_by(f"{'-' if direction == 'DESC' else ''}{column}", "id").values("id")
    page_sql, page_params = page[offset : offset + limit].query.sql_with_params()
    # The page's ids come from the ORM (its filters); the JSON is built around them here.
    # The ORM's SQL uses %s placeholders: the photo base is inlined as a quoted literal.
    feature_sql = FEATURE_SQL.replace("%(photos)s", "%s")
    photo_params = [photo_base, photo_base]
    sql = (
        f"SELECT coalesce(json_agg({feature_sql} ORDER BY c.{column} {direction}, c.id), '[]')"
        f"::text, count(*) {FROM_SQL} WHERE c.id IN ({page_sql})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*photo_params, *page_params])  # noqa: S608 - fixed SQL, bound values
        features, returned = cursor.fetchone()
    return features, matched, returned


def feature(contribution_id, *, photo_base: str, public_only: bool = True) -> str | None:
    """One contribution as a GeoJSON Feature (text), or None when it is not visible."""
    condition = "AND c.status = ANY(%s)" if public_only else ""
    params = [photo_base, photo_base, str(contribution_id)]
    if public_only:
        params.append(PUBLIC_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {FEATURE_SQL.replace('%(photos)s', '%s')}::text {FROM_SQL}"  # noqa: S608
            f" WHERE c.id = %s {condition}",
            params,
        )
        row = cursor.fetchone()
    return row[0] if row else None
