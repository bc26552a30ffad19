"""Running counts of public contributions per Web Mercator cell, kept by the database.

Statement-level triggers (transition tables) add and subtract whole statements at once, so
a single write costs three upserts and a bulk insert of 50,000 rows a few grouped ones.
Nothing is ever rebuilt: counts only move by the rows a statement touched.

The SQL is written out as it was installed, never generated from live code, so this
migration means the same in a year. layers/counts.py generates the same statements for the
bulk path; tests/database/test_counts_schema.py fails when the two drift apart.
One count column per (kind, public status) pair as they were at the time: 3 kinds x 7
public statuses. A new kind or public status needs its own migration (columns, functions).
"""

from django.db import migrations

TABLE = """
CREATE TABLE layers_clustercell (
    project_id bigint NOT NULL,
    level smallint NOT NULL,
    cx integer NOT NULL,
    cy integer NOT NULL,
    theme_id bigint NOT NULL,
    n integer NOT NULL,
    sx double precision NOT NULL,
    sy double precision NOT NULL,
    minx double precision NOT NULL,
    miny double precision NOT NULL,
    maxx double precision NOT NULL,
    maxy double precision NOT NULL,
    proposal_published integer NOT NULL DEFAULT 0, proposal_under_review integer NOT NULL DEFAULT 0, proposal_accepted integer NOT NULL DEFAULT 0, proposal_planned integer NOT NULL DEFAULT 0, proposal_done integer NOT NULL DEFAULT 0, proposal_rejected integer NOT NULL DEFAULT 0, proposal_duplicate integer NOT NULL DEFAULT 0, report_published integer NOT NULL DEFAULT 0, report_under_review integer NOT NULL DEFAULT 0, report_accepted integer NOT NULL DEFAULT 0, report_planned integer NOT NULL DEFAULT 0, report_done integer NOT NULL DEFAULT 0, report_rejected integer NOT NULL DEFAULT 0, report_duplicate integer NOT NULL DEFAULT 0, observation_published integer NOT NULL DEFAULT 0, observation_under_review integer NOT NULL DEFAULT 0, observation_accepted integer NOT NULL DEFAULT 0, observation_planned integer NOT NULL DEFAULT 0, observation_done integer NOT NULL DEFAULT 0, observation_rejected integer NOT NULL DEFAULT 0, observation_duplicate integer NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, level, cx, cy, theme_id)
);

CREATE TABLE layers_version (
    project_id bigint PRIMARY KEY,
    version bigint NOT NULL
);
"""


FUNCTIONS = """
CREATE FUNCTION layers_point(g geometry) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_Transform(CASE WHEN GeometryType(g) = 'POINT' THEN g
                        ELSE ST_PointOnSurface(g) END, 3857)
$$;

CREATE FUNCTION layers_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, proposal_published, proposal_under_review, proposal_accepted, proposal_planned, proposal_done, proposal_rejected, proposal_duplicate, report_published, report_under_review, report_accepted, report_planned, report_done, report_rejected, report_duplicate, observation_published, observation_under_review, observation_accepted, observation_planned, observation_done, observation_rejected, observation_duplicate)
    SELECT r.project_id, lv.level,
        floor((r.mx + 20037508.342789244) / (40075016.68557849 / (1 << lv.level)))::int,
        floor((20037508.342789244 - r.my) / (40075016.68557849 / (1 << lv.level)))::int,
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        min(r.mx), min(r.my), max(r.mx), max(r.my), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'duplicate'), 0)
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, 1 AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my
        FROM new_rows s
        CROSS JOIN LATERAL (SELECT layers_point(s.geom) AS p) m
        WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
    ) r
    CROSS JOIN (VALUES (12), (16), (20)) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n, sx = c.sx + EXCLUDED.sx, sy = c.sy + EXCLUDED.sy,
        minx = least(c.minx, EXCLUDED.minx), miny = least(c.miny, EXCLUDED.miny),
        maxx = greatest(c.maxx, EXCLUDED.maxx), maxy = greatest(c.maxy, EXCLUDED.maxy),
        proposal_published = c.proposal_published + EXCLUDED.proposal_published, proposal_under_review = c.proposal_under_review + EXCLUDED.proposal_under_review, proposal_accepted = c.proposal_accepted + EXCLUDED.proposal_accepted, proposal_planned = c.proposal_planned + EXCLUDED.proposal_planned, proposal_done = c.proposal_done + EXCLUDED.proposal_done, proposal_rejected = c.proposal_rejected + EXCLUDED.proposal_rejected, proposal_duplicate = c.proposal_duplicate + EXCLUDED.proposal_duplicate, report_published = c.report_published + EXCLUDED.report_published, report_under_review = c.report_under_review + EXCLUDED.report_under_review, report_accepted = c.report_accepted + EXCLUDED.report_accepted, report_planned = c.report_planned + EXCLUDED.report_planned, report_done = c.report_done + EXCLUDED.report_done, report_rejected = c.report_rejected + EXCLUDED.report_rejected, report_duplicate = c.report_duplicate + EXCLUDED.report_duplicate, observation_published = c.observation_published + EXCLUDED.observation_published, observation_under_review = c.observation_under_review + EXCLUDED.observation_under_review, observation_accepted = c.observation_accepted + EXCLUDED.observation_accepted, observation_planned = c.observation_planned + EXCLUDED.observation_planned, observation_done = c.observation_done + EXCLUDED.observation_done, observation_rejected = c.observation_rejected + EXCLUDED.observation_rejected, observation_duplicate = c.observation_duplicate + EXCLUDED.observation_duplicate;
    
    
    INSERT INTO layers_version AS v (project_id, version)
    SELECT DISTINCT s.project_id, 1 FROM new_rows AS s
    ON CONFLICT (project_id) DO UPDATE SET version = v.version + 1;
    
    RETURN NULL;
END $$;

CREATE FUNCTION layers_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, proposal_published, proposal_under_review, proposal_accepted, proposal_planned, proposal_done, proposal_rejected, proposal_duplicate, report_published, report_under_review, report_accepted, report_planned, report_done, report_rejected, report_duplicate, observation_published, observation_under_review, observation_accepted, observation_planned, observation_done, observation_rejected, observation_duplicate)
    SELECT r.project_id, lv.level,
        floor((r.mx + 20037508.342789244) / (40075016.68557849 / (1 << lv.level)))::int,
        floor((20037508.342789244 - r.my) / (40075016.68557849 / (1 << lv.level)))::int,
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        min(r.mx), min(r.my), max(r.mx), max(r.my), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'duplicate'), 0)
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, -1 AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my
        FROM old_rows s
        CROSS JOIN LATERAL (SELECT layers_point(s.geom) AS p) m
        WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
    ) r
    CROSS JOIN (VALUES (12), (16), (20)) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n, sx = c.sx + EXCLUDED.sx, sy = c.sy + EXCLUDED.sy,
        minx = least(c.minx, EXCLUDED.minx), miny = least(c.miny, EXCLUDED.miny),
        maxx = greatest(c.maxx, EXCLUDED.maxx), maxy = greatest(c.maxy, EXCLUDED.maxy),
        proposal_published = c.proposal_published + EXCLUDED.proposal_published, proposal_under_review = c.proposal_under_review + EXCLUDED.proposal_under_review, proposal_accepted = c.proposal_accepted + EXCLUDED.proposal_accepted, proposal_planned = c.proposal_planned + EXCLUDED.proposal_planned, proposal_done = c.proposal_done + EXCLUDED.proposal_done, proposal_rejected = c.proposal_rejected + EXCLUDED.proposal_rejected, proposal_duplicate = c.proposal_duplicate + EXCLUDED.proposal_duplicate, report_published = c.report_published + EXCLUDED.report_published, report_under_review = c.report_under_review + EXCLUDED.report_under_review, report_accepted = c.report_accepted + EXCLUDED.report_accepted, report_planned = c.report_planned + EXCLUDED.report_planned, report_done = c.report_done + EXCLUDED.report_done, report_rejected = c.report_rejected + EXCLUDED.report_rejected, report_duplicate = c.report_duplicate + EXCLUDED.report_duplicate, observation_published = c.observation_published + EXCLUDED.observation_published, observation_under_review = c.observation_under_review + EXCLUDED.observation_under_review, observation_accepted = c.observation_accepted + EXCLUDED.observation_accepted, observation_planned = c.observation_planned + EXCLUDED.observation_planned, observation_done = c.observation_done + EXCLUDED.observation_done, observation_rejected = c.observation_rejected + EXCLUDED.observation_rejected, observation_duplicate = c.observation_duplicate + EXCLUDED.observation_duplicate;
    
    
    INSERT INTO layers_version AS v (project_id, version)
    SELECT DISTINCT s.project_id, 1 FROM old_rows AS s
    ON CONFLICT (project_id) DO UPDATE SET version = v.version + 1;
    
    RETURN NULL;
END $$;

CREATE FUNCTION layers_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, proposal_published, proposal_under_review, proposal_accepted, proposal_planned, proposal_done, proposal_rejected, proposal_duplicate, report_published, report_under_review, report_accepted, report_planned, report_done, report_rejected, report_duplicate, observation_published, observation_under_review, observation_accepted, observation_planned, observation_done, observation_rejected, observation_duplicate)
    SELECT r.project_id, lv.level,
        floor((r.mx + 20037508.342789244) / (40075016.68557849 / (1 << lv.level)))::int,
        floor((20037508.342789244 - r.my) / (40075016.68557849 / (1 << lv.level)))::int,
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        min(r.mx), min(r.my), max(r.mx), max(r.my), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'duplicate'), 0)
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, -1 AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my
        FROM (SELECT o.* FROM old_rows o JOIN new_rows x ON x.id = o.id
    WHERE (o.geom, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.geom, x.status, x.kind, x.theme_id, x.project_id)) s
        CROSS JOIN LATERAL (SELECT layers_point(s.geom) AS p) m
        WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
    ) r
    CROSS JOIN (VALUES (12), (16), (20)) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n, sx = c.sx + EXCLUDED.sx, sy = c.sy + EXCLUDED.sy,
        minx = least(c.minx, EXCLUDED.minx), miny = least(c.miny, EXCLUDED.miny),
        maxx = greatest(c.maxx, EXCLUDED.maxx), maxy = greatest(c.maxy, EXCLUDED.maxy),
        proposal_published = c.proposal_published + EXCLUDED.proposal_published, proposal_under_review = c.proposal_under_review + EXCLUDED.proposal_under_review, proposal_accepted = c.proposal_accepted + EXCLUDED.proposal_accepted, proposal_planned = c.proposal_planned + EXCLUDED.proposal_planned, proposal_done = c.proposal_done + EXCLUDED.proposal_done, proposal_rejected = c.proposal_rejected + EXCLUDED.proposal_rejected, proposal_duplicate = c.proposal_duplicate + EXCLUDED.proposal_duplicate, report_published = c.report_published + EXCLUDED.report_published, report_under_review = c.report_under_review + EXCLUDED.report_under_review, report_accepted = c.report_accepted + EXCLUDED.report_accepted, report_planned = c.report_planned + EXCLUDED.report_planned, report_done = c.report_done + EXCLUDED.report_done, report_rejected = c.report_rejected + EXCLUDED.report_rejected, report_duplicate = c.report_duplicate + EXCLUDED.report_duplicate, observation_published = c.observation_published + EXCLUDED.observation_published, observation_under_review = c.observation_under_review + EXCLUDED.observation_under_review, observation_accepted = c.observation_accepted + EXCLUDED.observation_accepted, observation_planned = c.observation_planned + EXCLUDED.observation_planned, observation_done = c.observation_done + EXCLUDED.observation_done, observation_rejected = c.observation_rejected + EXCLUDED.observation_rejected, observation_duplicate = c.observation_duplicate + EXCLUDED.observation_duplicate;
    
    
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, proposal_published, proposal_under_review, proposal_accepted, proposal_planned, proposal_done, proposal_rejected, proposal_duplicate, report_published, report_under_review, report_accepted, report_planned, report_done, report_rejected, report_duplicate, observation_published, observation_under_review, observation_accepted, observation_planned, observation_done, observation_rejected, observation_duplicate)
    SELECT r.project_id, lv.level,
        floor((r.mx + 20037508.342789244) / (40075016.68557849 / (1 << lv.level)))::int,
        floor((20037508.342789244 - r.my) / (40075016.68557849 / (1 << lv.level)))::int,
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        min(r.mx), min(r.my), max(r.mx), max(r.my), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'duplicate'), 0)
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, 1 AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my
        FROM (SELECT o.* FROM new_rows o JOIN old_rows x ON x.id = o.id
    WHERE (o.geom, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.geom, x.status, x.kind, x.theme_id, x.project_id)) s
        CROSS JOIN LATERAL (SELECT layers_point(s.geom) AS p) m
        WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
    ) r
    CROSS JOIN (VALUES (12), (16), (20)) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n, sx = c.sx + EXCLUDED.sx, sy = c.sy + EXCLUDED.sy,
        minx = least(c.minx, EXCLUDED.minx), miny = least(c.miny, EXCLUDED.miny),
        maxx = greatest(c.maxx, EXCLUDED.maxx), maxy = greatest(c.maxy, EXCLUDED.maxy),
        proposal_published = c.proposal_published + EXCLUDED.proposal_published, proposal_under_review = c.proposal_under_review + EXCLUDED.proposal_under_review, proposal_accepted = c.proposal_accepted + EXCLUDED.proposal_accepted, proposal_planned = c.proposal_planned + EXCLUDED.proposal_planned, proposal_done = c.proposal_done + EXCLUDED.proposal_done, proposal_rejected = c.proposal_rejected + EXCLUDED.proposal_rejected, proposal_duplicate = c.proposal_duplicate + EXCLUDED.proposal_duplicate, report_published = c.report_published + EXCLUDED.report_published, report_under_review = c.report_under_review + EXCLUDED.report_under_review, report_accepted = c.report_accepted + EXCLUDED.report_accepted, report_planned = c.report_planned + EXCLUDED.report_planned, report_done = c.report_done + EXCLUDED.report_done, report_rejected = c.report_rejected + EXCLUDED.report_rejected, report_duplicate = c.report_duplicate + EXCLUDED.report_duplicate, observation_published = c.observation_published + EXCLUDED.observation_published, observation_under_review = c.observation_under_review + EXCLUDED.observation_under_review, observation_accepted = c.observation_accepted + EXCLUDED.observation_accepted, observation_planned = c.observation_planned + EXCLUDED.observation_planned, observation_done = c.observation_done + EXCLUDED.observation_done, observation_rejected = c.observation_rejected + EXCLUDED.observation_rejected, observation_duplicate = c.observation_duplicate + EXCLUDED.observation_duplicate;
    
    
    INSERT INTO layers_version AS v (project_id, version)
    SELECT DISTINCT s.project_id, 1 FROM (SELECT o.* FROM new_rows o JOIN old_rows x ON x.id = o.id
    WHERE (o.geom, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.geom, x.status, x.kind, x.theme_id, x.project_id)) AS s
    ON CONFLICT (project_id) DO UPDATE SET version = v.version + 1;
    
    RETURN NULL;
END $$;

CREATE TRIGGER layers_cells_insert AFTER INSERT ON contributions_contribution
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION layers_after_insert();
CREATE TRIGGER layers_cells_delete AFTER DELETE ON contributions_contribution
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION layers_after_delete();
CREATE TRIGGER layers_cells_update AFTER UPDATE ON contributions_contribution
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION layers_after_update();
"""

# Contributions written before this migration.
BACKFILL = """
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, proposal_published, proposal_under_review, proposal_accepted, proposal_planned, proposal_done, proposal_rejected, proposal_duplicate, report_published, report_under_review, report_accepted, report_planned, report_done, report_rejected, report_duplicate, observation_published, observation_under_review, observation_accepted, observation_planned, observation_done, observation_rejected, observation_duplicate)
    SELECT r.project_id, lv.level,
        floor((r.mx + 20037508.342789244) / (40075016.68557849 / (1 << lv.level)))::int,
        floor((20037508.342789244 - r.my) / (40075016.68557849 / (1 << lv.level)))::int,
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        min(r.mx), min(r.my), max(r.mx), max(r.my), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'duplicate'), 0)
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, 1 AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my
        FROM contributions_contribution s
        CROSS JOIN LATERAL (SELECT layers_point(s.geom) AS p) m
        WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
    ) r
    CROSS JOIN (VALUES (12), (16), (20)) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n, sx = c.sx + EXCLUDED.sx, sy = c.sy + EXCLUDED.sy,
        minx = least(c.minx, EXCLUDED.minx), miny = least(c.miny, EXCLUDED.miny),
        maxx = greatest(c.maxx, EXCLUDED.maxx), maxy = greatest(c.maxy, EXCLUDED.maxy),
        proposal_published = c.proposal_published + EXCLUDED.proposal_published, proposal_under_review = c.proposal_under_review + EXCLUDED.proposal_under_review, proposal_accepted = c.proposal_accepted + EXCLUDED.proposal_accepted, proposal_planned = c.proposal_planned + EXCLUDED.proposal_planned, proposal_done = c.proposal_done + EXCLUDED.proposal_done, proposal_rejected = c.proposal_rejected + EXCLUDED.proposal_rejected, proposal_duplicate = c.proposal_duplicate + EXCLUDED.proposal_duplicate, report_published = c.report_published + EXCLUDED.report_published, report_under_review = c.report_under_review + EXCLUDED.report_under_review, report_accepted = c.report_accepted + EXCLUDED.report_accepted, report_planned = c.report_planned + EXCLUDED.report_planned, report_done = c.report_done + EXCLUDED.report_done, report_rejected = c.report_rejected + EXCLUDED.report_rejected, report_duplicate = c.report_duplicate + EXCLUDED.report_duplicate, observation_published = c.observation_published + EXCLUDED.observation_published, observation_under_review = c.observation_under_review + EXCLUDED.observation_under_review, observation_accepted = c.observation_accepted + EXCLUDED.observation_accepted, observation_planned = c.observation_planned + EXCLUDED.observation_planned, observation_done = c.observation_done + EXCLUDED.observation_done, observation_rejected = c.observation_rejected + EXCLUDED.observation_rejected, observation_duplicate = c.observation_duplicate + EXCLUDED.observation_duplicate;
    
    INSERT INTO layers_version AS v (project_id, version)
    SELECT DISTINCT s.project_id, 1 FROM contributions_contribution AS s
    ON CONFLICT (project_id) DO UPDATE SET version = v.version + 1;
    """

BACKWARD = """
DROP TRIGGER IF EXISTS layers_cells_insert ON contributions_contribution;
DROP TRIGGER IF EXISTS layers_cells_delete ON contributions_contribution;
DROP TRIGGER IF EXISTS layers_cells_update ON contributions_contribution;
DROP FUNCTION IF EXISTS layers_after_insert();
DROP FUNCTION IF EXISTS layers_after_delete();
DROP FUNCTION IF EXISTS layers_after_update();
DROP FUNCTION IF EXISTS layers_point(geometry);
DROP TABLE IF EXISTS layers_version;
DROP TABLE IF EXISTS layers_clustercell;
"""


class Migration(migrations.Migration):
    dependencies = [("contributions", "0003_public_list_indexes")]

    operations = [migrations.RunSQL(TABLE + FUNCTIONS + BACKFILL, BACKWARD)]
