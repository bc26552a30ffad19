"""Possible duplicates: contributions of the same project, close by, with similar text."""

from dataclasses import dataclass

from django.db import connection

from contributions.models import Contribution, Project, Status

# Below this pg_trgm similarity two texts are not called alike (0.3 is pg_trgm's own default
# threshold; a little above it keeps unrelated short titles out).
SIMILARITY = 0.35

# Why raw SQL: ST_DWithin on geography (metres anywhere on Earth) after an index-friendly
# bounding-box test, and pg_trgm's similarity(), neither of which the ORM expresses.
_DUPLICATES_SQL = """
    SELECT o.id, o.title, o.status, o.created_at,
           greatest(similarity(o.title, c.title),
                    similarity(o.title || ' ' || o.description,
                               c.title || ' ' || c.description)) AS score,
           ST_Distance(o.geom::geography, c.geom::geography) AS distance_m
    FROM contributions_contribution c
    JOIN contributions_contribution o
      ON o.project_id = c.project_id AND o.id <> c.id
     AND o.status <> 'hidden'
     -- degrees of longitude shrink with latitude: widen the box so it holds the circle.
     AND o.geom && ST_Expand(c.geom, %(distance)s
                 / (111320 * cos(radians(least(abs(ST_Y(ST_Centroid(c.geom))), 80)))))
     AND ST_DWithin(o.geom::geography, c.geom::geography, %(distance)s)
    WHERE c.id = ANY(%(ids)s)
      AND greatest(similarity(o.title, c.title),
                   similarity(o.title || ' ' || o.description,
                              c.title || ' ' || c.description)) >= %(threshold)s
"""


@dataclass
class PossibleDuplicate:
    id: str
    title: str
    status: str
    created_at: object
    score: float
    distance_m: float

    @property
    def status_label(self):
        return Status(self.status).label


def possible_duplicates(contribution: Contribution, *, limit: int = 10):
    """Contributions of the same project within its duplicate distance with similar text,
    most alike first."""
    sql = f"SELECT * FROM ({_DUPLICATES_SQL}) d ORDER BY score DESC, distance_m LIMIT %(limit)s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "ids": [contribution.pk],
                "distance": contribution.project.duplicate_distance_m,
                "threshold": SIMILARITY,
                "limit": limit,
            },
        )
        return [PossibleDuplicate(str(row[0]), *row[1:]) for row in cursor.fetchall()]


def duplicate_counts(project: Project, contribution_ids) -> dict[str, int]:
    """How many possible duplicates each of these contributions has (one query for a page)."""
    ids = [str(pk) for pk in contribution_ids]
    if not ids:
        return {}
    sql = f"""
        SELECT q.id, count(*) FROM contributions_contribution q
        JOIN LATERAL (SELECT 1 FROM ({_DUPLICATES_SQL.replace("= ANY(%(ids)s)", "= q.id")}) d) x
          ON true
        WHERE q.id = ANY(%(ids)s::uuid[]) AND q.project_id = %(project)s
        GROUP BY q.id
    """  # noqa: S608 - fixed fragments; values are bound parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "ids": ids,
                "distance": project.duplicate_distance_m,
                "threshold": SIMILARITY,
                "project": project.pk,
            },
        )
        return {str(pk): n for pk, n in cursor.fetchall()}
