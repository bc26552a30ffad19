"""Reads on contributions. The public GeoJSON is built by PostgreSQL: one query turns a page
of rows into a FeatureCollection, with no per-feature Python on the hot path."""

from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import TextField, Value
from django.db.models.functions import Concat

from contributions.filters import ContributionFilters
from contributions.models import PUBLIC_GEOM, PUBLIC_STATUSES, Contribution, Project, Theme
from core.postgis import STORAGE_SRID, geojson_sql
from territories.functions import ACCENTED, UNACCENTED, Anchor, Folded
from territories.models import Territory, TerritoryKind

ORDERINGS = {
    "-created_at": ("created_at", "DESC"),
    "created_at": ("created_at", "ASC"),
    "-vote_count": ("vote_count", "DESC"),
    "vote_count": ("vote_count", "ASC"),
}


# One public feature: never the email, the author, the exact place or anything unpublished.
FEATURE_SQL = f"""
json_build_object(
    'type', 'Feature',
    'id', c.id,
    'geometry', {geojson_sql(f"c.{PUBLIC_GEOM}")},
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
        'location_precision', c.location_precision,
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
"""  # noqa: S608 - a fixed column name; values are parameters

# The properties of FEATURE_SQL other than photos, in order: what every public output carries.
PUBLIC_PROPERTIES = [
    "id",
    "kind",
    "sentiment",
    "theme",
    "title",
    "description",
    "status",
    "commune",
    "commune_name",
    "location_precision",
    "answer",
    "answered_at",
    "vote_count",
    "comment_count",
    "channel",
    "created_at",
]

# FEATURE_SQL's commune `t`: the public commune, that of the public location when a location
# rule moved the contribution (stored by the database with the public location, privacy
# 0003, docs/privacy.md), so the commune never narrows the place down more than the public
# location does. Staff outputs join c.commune_id.
PUBLIC_COMMUNE_JOIN = "LEFT JOIN territories_current_of t ON t.id = c.public_commune_id"

FROM_SQL = f"""
FROM contributions_contribution c
JOIN contributions_theme th ON th.id = c.theme_id
{PUBLIC_COMMUNE_JOIN}
"""


# The fold in Python, to cut a search into words: apostrophes and hyphens part words, as
# spaces do ("l'école" is "l" and "ecole").
_FOLD_TABLE = str.maketrans(ACCENTED, UNACCENTED)


def _searched(queryset, text: str):
    """The contributions whose title or description holds every word of `text`, folded
    (LIKE's own wildcards in a word are matched as themselves)."""
    queryset = queryset.alias(
        searched=Folded(Concat("title", Value(" "), "description", output_field=TextField()))
    )
    for word in text.lower().translate(_FOLD_TABLE).split():
        # The database folds the word too: its fold is the one the text is read with.
        queryset = queryset.filter(searched__contains=Folded(Value(word)))
    return queryset


def public_contributions(project: Project, filters: ContributionFilters):
    """The public contributions of a project matching the filters, as a queryset."""
    return filtered_contributions(project, filters, public=True)


def filtered_contributions(project: Project, filters: ContributionFilters, *, public: bool):
    """A project's contributions matching the filters; every status when not `public` (staff).

    Every filter is on the contribution's own columns (related ones through subqueries), so
    the WHERE clause can also drive raw queries (the list page, clusters, exports).
    """
    queryset = Contribution.objects.of_project(project)
    if public:
        queryset = queryset.public()
    # The public may only search by the public location: boxes over the exact one would
    # narrow it down, however the result is drawn.
    location = PUBLIC_GEOM if public else "geom"
    if filters.bbox:
        box = Polygon.from_bbox(filters.bbox)
        box.srid = STORAGE_SRID
        # The overlap test walks the spatial index; the anchor test is the rule itself.
        queryset = (
            queryset.filter(**{f"{location}__bboverlaps": box})
            .alias(anchor=Anchor(location))
            .filter(anchor__intersects=box)
        )
    if filters.touching:
        queryset = queryset.filter(
            **{f"{location}__intersects": Polygon.from_bbox(filters.touching)}
        )
    if filters.kinds:
        queryset = queryset.filter(kind__in=filters.kinds)
    if filters.themes:
        queryset = queryset.filter(
            theme__in=Theme.objects.filter(project=project, slug__in=filters.themes)
        )
    if filters.statuses:
        queryset = queryset.filter(status__in=filters.statuses)
    if filters.commune:
        # By official code: every boundary generation of the commune, old attributions too;
        # the public asks about the public commune, which says no more than the public place.
        communes = Territory.objects.of_kind(TerritoryKind.COMMUNE).filter(code=filters.commune)
        field = "public_commune" if public else "commune"
        queryset = queryset.filter(**{f"{field}__in": communes})
    if filters.created_after:
        queryset = queryset.filter(created_at__gte=filters.created_after)
    if filters.created_before:
        queryset = queryset.filter(created_at__lt=filters.created_before)
    if filters.text:
        queryset = _searched(queryset, filters.text)
    return queryset


# Counting every matching row costs a tenth of a second at a million; the map's running
# per-cell counts (kept by layers, which builds on this app) give the same number in a
# millisecond when they know the filters. layers registers its counter when it starts.
_public_counters = []


def register_public_counter(counter) -> None:
    """`counter(project, filters)` returns the number of public matches, or None if unknown."""
    if counter not in _public_counters:
        _public_counters.append(counter)


def fast_public_count(project: Project, filters: ContributionFilters) -> int | None:
    for counter in _public_counters:
        matched = counter(project, filters)
        if matched is not None:
            return matched
    return None


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
    matched = fast_public_count(project, filters)
    if matched is None:
        matched = queryset.count()
    column, direction = ORDERINGS[ordering]
    # Fast path, raw SQL: the ORM's own WHERE clause (its filters), then PostgreSQL walks the
    # public index in order, stops at the page's end and builds the features as text.
    where_sql, where_params = queryset.query.get_compiler(connection=connection).compile(
        queryset.query.where
    )
    sql = f"""
        SELECT coalesce(json_agg(page.feature), '[]')::text, count(*) FROM (
            SELECT {FEATURE_SQL.replace("%(photos)s", "%s")} AS feature
            FROM (SELECT * FROM contributions_contribution WHERE {where_sql}
                  ORDER BY {column} {direction}, id LIMIT %s OFFSET %s) c
            JOIN contributions_theme th ON th.id = c.theme_id
            {PUBLIC_COMMUNE_JOIN}
            ORDER BY c.{column} {direction}, c.id
        ) page
    """  # noqa: S608 - fixed fragments; values are bound parameters
    params = [photo_base, photo_base, *where_params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
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
            f"SELECT {FEATURE_SQL.replace('%(photos)s', '%s')}::text {FROM_SQL}"
            f" WHERE c.id = %s {condition}",
            params,
        )
        row = cursor.fetchone()
    return row[0] if row else None
