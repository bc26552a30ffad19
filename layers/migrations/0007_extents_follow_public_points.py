"""Cluster extents tell only what the public locations of the contributions shown now tell.

Until now a cell's extent (minx..maxy) was the running bounds of every point that had ever
been counted in it: it never shrank, so a point hidden, deleted, or moved by a new location
rule (privacy) left its exact place in the extents the cluster endpoint serves. From here:

- an extent is the box of the cells of level 20 (about 38 m of Web Mercator) holding the
  cell's public points, never a point; a level-20 cell's extent is its own bounds;
- removing rows remakes the extents of the level-16 and level-12 cells above every level-20
  cell they left empty, from their non-empty children (layers_after_delete, _update);
- a cell every point has left forgets its sums, and starts its extent afresh when a point
  comes back (a widened extent never carries a removed point over);
- every stored extent is recomputed here from the public rows, and the sums of empty cells
  are set to zero.

The SQL is written out as it was installed, never generated from live code, so this
migration means the same in a year. layers/counts.py generates the same statements
(delta_sql, shrink_sql, bump_sql); tests/database/test_counts_schema.py and
tests/layers/test_extent_privacy.py fail when the two drift apart. Backwards, the functions
go back to layers 0004 and 0005 (the boxes stay: they are still bounds of every point).

Over 400 lines: the three trigger functions written out whole, as the database runs them,
and the ones they replace, for going back; SQL that must stay literal, not logic to split.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION layers_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('layers.defer_counts', true) = 'on' THEN
        RETURN NULL;
    END IF;
    
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, proposal_published, proposal_under_review, proposal_accepted, proposal_planned, proposal_done, proposal_rejected, proposal_duplicate, report_published, report_under_review, report_accepted, report_planned, report_done, report_rejected, report_duplicate, observation_published, observation_under_review, observation_accepted, observation_planned, observation_done, observation_rejected, observation_duplicate)
    SELECT r.project_id, lv.level, floor((r.mx + 20037508.342789244) / (40075016.68557849 / (1 << lv.level)))::int, floor((20037508.342789244 - r.my) / (40075016.68557849 / (1 << lv.level)))::int,
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        min(r.ex) * 38.21851414258813::float8 - 20037508.342789244::float8, 20037508.342789244::float8 - (max(r.ey) + 1) * 38.21851414258813::float8, (max(r.ex) + 1) * 38.21851414258813::float8 - 20037508.342789244::float8, 20037508.342789244::float8 - min(r.ey) * 38.21851414258813::float8, coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'duplicate'), 0)
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, 1 AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my, floor((ST_X(m.p) + 20037508.342789244::float8) / 38.21851414258813::float8) AS ex, floor((20037508.342789244::float8 - ST_Y(m.p)) / 38.21851414258813::float8) AS ey
        FROM new_rows s
        CROSS JOIN LATERAL (SELECT layers_point(s.public_geom) AS p) m
        WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
    ) r
    CROSS JOIN (VALUES (12), (16), (20)) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n,
        sx = CASE WHEN c.n + EXCLUDED.n = 0 THEN 0 ELSE c.sx + EXCLUDED.sx END,
        sy = CASE WHEN c.n + EXCLUDED.n = 0 THEN 0 ELSE c.sy + EXCLUDED.sy END,
        minx = CASE WHEN c.n = 0 THEN EXCLUDED.minx ELSE least(c.minx, EXCLUDED.minx) END, miny = CASE WHEN c.n = 0 THEN EXCLUDED.miny ELSE least(c.miny, EXCLUDED.miny) END, maxx = CASE WHEN c.n = 0 THEN EXCLUDED.maxx ELSE greatest(c.maxx, EXCLUDED.maxx) END, maxy = CASE WHEN c.n = 0 THEN EXCLUDED.maxy ELSE greatest(c.maxy, EXCLUDED.maxy) END,
        proposal_published = c.proposal_published + EXCLUDED.proposal_published, proposal_under_review = c.proposal_under_review + EXCLUDED.proposal_under_review, proposal_accepted = c.proposal_accepted + EXCLUDED.proposal_accepted, proposal_planned = c.proposal_planned + EXCLUDED.proposal_planned, proposal_done = c.proposal_done + EXCLUDED.proposal_done, proposal_rejected = c.proposal_rejected + EXCLUDED.proposal_rejected, proposal_duplicate = c.proposal_duplicate + EXCLUDED.proposal_duplicate, report_published = c.report_published + EXCLUDED.report_published, report_under_review = c.report_under_review + EXCLUDED.report_under_review, report_accepted = c.report_accepted + EXCLUDED.report_accepted, report_planned = c.report_planned + EXCLUDED.report_planned, report_done = c.report_done + EXCLUDED.report_done, report_rejected = c.report_rejected + EXCLUDED.report_rejected, report_duplicate = c.report_duplicate + EXCLUDED.report_duplicate, observation_published = c.observation_published + EXCLUDED.observation_published, observation_under_review = c.observation_under_review + EXCLUDED.observation_under_review, observation_accepted = c.observation_accepted + EXCLUDED.observation_accepted, observation_planned = c.observation_planned + EXCLUDED.observation_planned, observation_done = c.observation_done + EXCLUDED.observation_done, observation_rejected = c.observation_rejected + EXCLUDED.observation_rejected, observation_duplicate = c.observation_duplicate + EXCLUDED.observation_duplicate;
    
    
    INSERT INTO layers_version AS v (project_id, version)
    SELECT DISTINCT s.project_id, 1 FROM new_rows AS s
    ON CONFLICT (project_id) DO UPDATE SET version = v.version + 1;
    
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION layers_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, proposal_published, proposal_under_review, proposal_accepted, proposal_planned, proposal_done, proposal_rejected, proposal_duplicate, report_published, report_under_review, report_accepted, report_planned, report_done, report_rejected, report_duplicate, observation_published, observation_under_review, observation_accepted, observation_planned, observation_done, observation_rejected, observation_duplicate)
    SELECT r.project_id, lv.level, floor((r.mx + 20037508.342789244) / (40075016.68557849 / (1 << lv.level)))::int, floor((20037508.342789244 - r.my) / (40075016.68557849 / (1 << lv.level)))::int,
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        min(r.ex) * 38.21851414258813::float8 - 20037508.342789244::float8, 20037508.342789244::float8 - (max(r.ey) + 1) * 38.21851414258813::float8, (max(r.ex) + 1) * 38.21851414258813::float8 - 20037508.342789244::float8, 20037508.342789244::float8 - min(r.ey) * 38.21851414258813::float8, coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'duplicate'), 0)
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, -1 AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my, floor((ST_X(m.p) + 20037508.342789244::float8) / 38.21851414258813::float8) AS ex, floor((20037508.342789244::float8 - ST_Y(m.p)) / 38.21851414258813::float8) AS ey
        FROM old_rows s
        CROSS JOIN LATERAL (SELECT layers_point(s.public_geom) AS p) m
        WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
    ) r
    CROSS JOIN (VALUES (12), (16), (20)) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n,
        sx = CASE WHEN c.n + EXCLUDED.n = 0 THEN 0 ELSE c.sx + EXCLUDED.sx END,
        sy = CASE WHEN c.n + EXCLUDED.n = 0 THEN 0 ELSE c.sy + EXCLUDED.sy END,
        proposal_published = c.proposal_published + EXCLUDED.proposal_published, proposal_under_review = c.proposal_under_review + EXCLUDED.proposal_under_review, proposal_accepted = c.proposal_accepted + EXCLUDED.proposal_accepted, proposal_planned = c.proposal_planned + EXCLUDED.proposal_planned, proposal_done = c.proposal_done + EXCLUDED.proposal_done, proposal_rejected = c.proposal_rejected + EXCLUDED.proposal_rejected, proposal_duplicate = c.proposal_duplicate + EXCLUDED.proposal_duplicate, report_published = c.report_published + EXCLUDED.report_published, report_under_review = c.report_under_review + EXCLUDED.report_under_review, report_accepted = c.report_accepted + EXCLUDED.report_accepted, report_planned = c.report_planned + EXCLUDED.report_planned, report_done = c.report_done + EXCLUDED.report_done, report_rejected = c.report_rejected + EXCLUDED.report_rejected, report_duplicate = c.report_duplicate + EXCLUDED.report_duplicate, observation_published = c.observation_published + EXCLUDED.observation_published, observation_under_review = c.observation_under_review + EXCLUDED.observation_under_review, observation_accepted = c.observation_accepted + EXCLUDED.observation_accepted, observation_planned = c.observation_planned + EXCLUDED.observation_planned, observation_done = c.observation_done + EXCLUDED.observation_done, observation_rejected = c.observation_rejected + EXCLUDED.observation_rejected, observation_duplicate = c.observation_duplicate + EXCLUDED.observation_duplicate;
    
    
    WITH emptied AS (
        SELECT DISTINCT z.project_id, z.theme_id, z.cx, z.cy
        FROM (
            SELECT s.project_id, s.theme_id, layers_point(s.public_geom) AS p
            FROM old_rows s WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
        ) r
        JOIN layers_clustercell z ON z.project_id = r.project_id AND z.level = 20
            AND z.cx = floor((ST_X(r.p) + 20037508.342789244) / (40075016.68557849 / (1 << 20)))::int AND z.cy = floor((20037508.342789244 - ST_Y(r.p)) / (40075016.68557849 / (1 << 20)))::int AND z.theme_id = r.theme_id
        WHERE z.n = 0
    ), remade_16 AS (
        UPDATE layers_clustercell c
        SET minx = e.minx, miny = e.miny, maxx = e.maxx, maxy = e.maxy
        FROM (
            SELECT p.project_id, p.theme_id, p.cx, p.cy, min(z.minx) AS minx, min(z.miny) AS miny, max(z.maxx) AS maxx, max(z.maxy) AS maxy
            FROM (SELECT DISTINCT project_id, theme_id, cx >> 4 AS cx, cy >> 4 AS cy
                  FROM emptied) p
            -- The children by index range, and by equality too, so that many parents
            -- (a rule moving every point) can be hash-joined instead.
            JOIN layers_clustercell z ON z.project_id = p.project_id AND z.level = 20
                AND z.cx BETWEEN p.cx << 4 AND (p.cx << 4) + 15
                AND z.cy BETWEEN p.cy << 4 AND (p.cy << 4) + 15
                AND z.cx >> 4 = p.cx AND z.cy >> 4 = p.cy
                AND z.theme_id = p.theme_id
            WHERE z.n > 0
            GROUP BY 1, 2, 3, 4
        ) e
        WHERE c.project_id = e.project_id AND c.level = 16 AND c.cx = e.cx
            AND c.cy = e.cy AND c.theme_id = e.theme_id
        RETURNING c.project_id, c.theme_id, c.cx, c.cy, c.minx, c.miny, c.maxx, c.maxy
    )
    UPDATE layers_clustercell c
        SET minx = e.minx, miny = e.miny, maxx = e.maxx, maxy = e.maxy
        FROM (
            SELECT p.project_id, p.theme_id, p.cx, p.cy, min(coalesce(f.minx, z.minx)) AS minx, min(coalesce(f.miny, z.miny)) AS miny, max(coalesce(f.maxx, z.maxx)) AS maxx, max(coalesce(f.maxy, z.maxy)) AS maxy
            FROM (SELECT DISTINCT project_id, theme_id, cx >> 8 AS cx, cy >> 8 AS cy
                  FROM emptied) p
            -- The children by index range, and by equality too, so that many parents
            -- (a rule moving every point) can be hash-joined instead.
            JOIN layers_clustercell z ON z.project_id = p.project_id AND z.level = 16
                AND z.cx BETWEEN p.cx << 4 AND (p.cx << 4) + 15
                AND z.cy BETWEEN p.cy << 4 AND (p.cy << 4) + 15
                AND z.cx >> 4 = p.cx AND z.cy >> 4 = p.cy
                AND z.theme_id = p.theme_id
            LEFT JOIN remade_16 f ON f.project_id = z.project_id AND f.theme_id = z.theme_id
                AND f.cx = z.cx AND f.cy = z.cy
            WHERE z.n > 0
            GROUP BY 1, 2, 3, 4
        ) e
        WHERE c.project_id = e.project_id AND c.level = 12 AND c.cx = e.cx
            AND c.cy = e.cy AND c.theme_id = e.theme_id;
    
    
    INSERT INTO layers_version AS v (project_id, version)
    SELECT DISTINCT s.project_id, 1 FROM old_rows AS s
    ON CONFLICT (project_id) DO UPDATE SET version = v.version + 1;
    
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION layers_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, proposal_published, proposal_under_review, proposal_accepted, proposal_planned, proposal_done, proposal_rejected, proposal_duplicate, report_published, report_under_review, report_accepted, report_planned, report_done, report_rejected, report_duplicate, observation_published, observation_under_review, observation_accepted, observation_planned, observation_done, observation_rejected, observation_duplicate)
    SELECT r.project_id, lv.level, floor((r.mx + 20037508.342789244) / (40075016.68557849 / (1 << lv.level)))::int, floor((20037508.342789244 - r.my) / (40075016.68557849 / (1 << lv.level)))::int,
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        min(r.ex) * 38.21851414258813::float8 - 20037508.342789244::float8, 20037508.342789244::float8 - (max(r.ey) + 1) * 38.21851414258813::float8, (max(r.ex) + 1) * 38.21851414258813::float8 - 20037508.342789244::float8, 20037508.342789244::float8 - min(r.ey) * 38.21851414258813::float8, coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'duplicate'), 0)
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, -1 AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my, floor((ST_X(m.p) + 20037508.342789244::float8) / 38.21851414258813::float8) AS ex, floor((20037508.342789244::float8 - ST_Y(m.p)) / 38.21851414258813::float8) AS ey
        FROM (SELECT o.* FROM old_rows o JOIN new_rows x ON x.id = o.id
    WHERE (o.public_geom, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.public_geom, x.status, x.kind, x.theme_id, x.project_id)) s
        CROSS JOIN LATERAL (SELECT layers_point(s.public_geom) AS p) m
        WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
    ) r
    CROSS JOIN (VALUES (12), (16), (20)) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n,
        sx = CASE WHEN c.n + EXCLUDED.n = 0 THEN 0 ELSE c.sx + EXCLUDED.sx END,
        sy = CASE WHEN c.n + EXCLUDED.n = 0 THEN 0 ELSE c.sy + EXCLUDED.sy END,
        proposal_published = c.proposal_published + EXCLUDED.proposal_published, proposal_under_review = c.proposal_under_review + EXCLUDED.proposal_under_review, proposal_accepted = c.proposal_accepted + EXCLUDED.proposal_accepted, proposal_planned = c.proposal_planned + EXCLUDED.proposal_planned, proposal_done = c.proposal_done + EXCLUDED.proposal_done, proposal_rejected = c.proposal_rejected + EXCLUDED.proposal_rejected, proposal_duplicate = c.proposal_duplicate + EXCLUDED.proposal_duplicate, report_published = c.report_published + EXCLUDED.report_published, report_under_review = c.report_under_review + EXCLUDED.report_under_review, report_accepted = c.report_accepted + EXCLUDED.report_accepted, report_planned = c.report_planned + EXCLUDED.report_planned, report_done = c.report_done + EXCLUDED.report_done, report_rejected = c.report_rejected + EXCLUDED.report_rejected, report_duplicate = c.report_duplicate + EXCLUDED.report_duplicate, observation_published = c.observation_published + EXCLUDED.observation_published, observation_under_review = c.observation_under_review + EXCLUDED.observation_under_review, observation_accepted = c.observation_accepted + EXCLUDED.observation_accepted, observation_planned = c.observation_planned + EXCLUDED.observation_planned, observation_done = c.observation_done + EXCLUDED.observation_done, observation_rejected = c.observation_rejected + EXCLUDED.observation_rejected, observation_duplicate = c.observation_duplicate + EXCLUDED.observation_duplicate;
    
    
    INSERT INTO layers_clustercell AS c (project_id, level, cx, cy, theme_id, n, sx, sy,
        minx, miny, maxx, maxy, proposal_published, proposal_under_review, proposal_accepted, proposal_planned, proposal_done, proposal_rejected, proposal_duplicate, report_published, report_under_review, report_accepted, report_planned, report_done, report_rejected, report_duplicate, observation_published, observation_under_review, observation_accepted, observation_planned, observation_done, observation_rejected, observation_duplicate)
    SELECT r.project_id, lv.level, floor((r.mx + 20037508.342789244) / (40075016.68557849 / (1 << lv.level)))::int, floor((20037508.342789244 - r.my) / (40075016.68557849 / (1 << lv.level)))::int,
        r.theme_id, sum(r.sign), sum(r.sign * r.mx), sum(r.sign * r.my),
        min(r.ex) * 38.21851414258813::float8 - 20037508.342789244::float8, 20037508.342789244::float8 - (max(r.ey) + 1) * 38.21851414258813::float8, (max(r.ex) + 1) * 38.21851414258813::float8 - 20037508.342789244::float8, 20037508.342789244::float8 - min(r.ey) * 38.21851414258813::float8, coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'proposal' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'report' AND r.status = 'duplicate'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'published'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'under_review'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'accepted'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'planned'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'done'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'rejected'), 0), coalesce(sum(r.sign) FILTER (WHERE r.kind = 'observation' AND r.status = 'duplicate'), 0)
    FROM (
        SELECT s.project_id, s.theme_id, s.kind, s.status, 1 AS sign,
               ST_X(m.p) AS mx, ST_Y(m.p) AS my, floor((ST_X(m.p) + 20037508.342789244::float8) / 38.21851414258813::float8) AS ex, floor((20037508.342789244::float8 - ST_Y(m.p)) / 38.21851414258813::float8) AS ey
        FROM (SELECT o.* FROM new_rows o JOIN old_rows x ON x.id = o.id
    WHERE (o.public_geom, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.public_geom, x.status, x.kind, x.theme_id, x.project_id)) s
        CROSS JOIN LATERAL (SELECT layers_point(s.public_geom) AS p) m
        WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
    ) r
    CROSS JOIN (VALUES (12), (16), (20)) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (project_id, level, cx, cy, theme_id) DO UPDATE SET
        n = c.n + EXCLUDED.n,
        sx = CASE WHEN c.n + EXCLUDED.n = 0 THEN 0 ELSE c.sx + EXCLUDED.sx END,
        sy = CASE WHEN c.n + EXCLUDED.n = 0 THEN 0 ELSE c.sy + EXCLUDED.sy END,
        minx = CASE WHEN c.n = 0 THEN EXCLUDED.minx ELSE least(c.minx, EXCLUDED.minx) END, miny = CASE WHEN c.n = 0 THEN EXCLUDED.miny ELSE least(c.miny, EXCLUDED.miny) END, maxx = CASE WHEN c.n = 0 THEN EXCLUDED.maxx ELSE greatest(c.maxx, EXCLUDED.maxx) END, maxy = CASE WHEN c.n = 0 THEN EXCLUDED.maxy ELSE greatest(c.maxy, EXCLUDED.maxy) END,
        proposal_published = c.proposal_published + EXCLUDED.proposal_published, proposal_under_review = c.proposal_under_review + EXCLUDED.proposal_under_review, proposal_accepted = c.proposal_accepted + EXCLUDED.proposal_accepted, proposal_planned = c.proposal_planned + EXCLUDED.proposal_planned, proposal_done = c.proposal_done + EXCLUDED.proposal_done, proposal_rejected = c.proposal_rejected + EXCLUDED.proposal_rejected, proposal_duplicate = c.proposal_duplicate + EXCLUDED.proposal_duplicate, report_published = c.report_published + EXCLUDED.report_published, report_under_review = c.report_under_review + EXCLUDED.report_under_review, report_accepted = c.report_accepted + EXCLUDED.report_accepted, report_planned = c.report_planned + EXCLUDED.report_planned, report_done = c.report_done + EXCLUDED.report_done, report_rejected = c.report_rejected + EXCLUDED.report_rejected, report_duplicate = c.report_duplicate + EXCLUDED.report_duplicate, observation_published = c.observation_published + EXCLUDED.observation_published, observation_under_review = c.observation_under_review + EXCLUDED.observation_under_review, observation_accepted = c.observation_accepted + EXCLUDED.observation_accepted, observation_planned = c.observation_planned + EXCLUDED.observation_planned, observation_done = c.observation_done + EXCLUDED.observation_done, observation_rejected = c.observation_rejected + EXCLUDED.observation_rejected, observation_duplicate = c.observation_duplicate + EXCLUDED.observation_duplicate;
    
    
    WITH emptied AS (
        SELECT DISTINCT z.project_id, z.theme_id, z.cx, z.cy
        FROM (
            SELECT s.project_id, s.theme_id, layers_point(s.public_geom) AS p
            FROM (SELECT o.* FROM old_rows o JOIN new_rows x ON x.id = o.id
    WHERE (o.public_geom, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.public_geom, x.status, x.kind, x.theme_id, x.project_id)) s WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
        ) r
        JOIN layers_clustercell z ON z.project_id = r.project_id AND z.level = 20
            AND z.cx = floor((ST_X(r.p) + 20037508.342789244) / (40075016.68557849 / (1 << 20)))::int AND z.cy = floor((20037508.342789244 - ST_Y(r.p)) / (40075016.68557849 / (1 << 20)))::int AND z.theme_id = r.theme_id
        WHERE z.n = 0
    ), remade_16 AS (
        UPDATE layers_clustercell c
        SET minx = e.minx, miny = e.miny, maxx = e.maxx, maxy = e.maxy
        FROM (
            SELECT p.project_id, p.theme_id, p.cx, p.cy, min(z.minx) AS minx, min(z.miny) AS miny, max(z.maxx) AS maxx, max(z.maxy) AS maxy
            FROM (SELECT DISTINCT project_id, theme_id, cx >> 4 AS cx, cy >> 4 AS cy
                  FROM emptied) p
            -- The children by index range, and by equality too, so that many parents
            -- (a rule moving every point) can be hash-joined instead.
            JOIN layers_clustercell z ON z.project_id = p.project_id AND z.level = 20
                AND z.cx BETWEEN p.cx << 4 AND (p.cx << 4) + 15
                AND z.cy BETWEEN p.cy << 4 AND (p.cy << 4) + 15
                AND z.cx >> 4 = p.cx AND z.cy >> 4 = p.cy
                AND z.theme_id = p.theme_id
            WHERE z.n > 0
            GROUP BY 1, 2, 3, 4
        ) e
        WHERE c.project_id = e.project_id AND c.level = 16 AND c.cx = e.cx
            AND c.cy = e.cy AND c.theme_id = e.theme_id
        RETURNING c.project_id, c.theme_id, c.cx, c.cy, c.minx, c.miny, c.maxx, c.maxy
    )
    UPDATE layers_clustercell c
        SET minx = e.minx, miny = e.miny, maxx = e.maxx, maxy = e.maxy
        FROM (
            SELECT p.project_id, p.theme_id, p.cx, p.cy, min(coalesce(f.minx, z.minx)) AS minx, min(coalesce(f.miny, z.miny)) AS miny, max(coalesce(f.maxx, z.maxx)) AS maxx, max(coalesce(f.maxy, z.maxy)) AS maxy
            FROM (SELECT DISTINCT project_id, theme_id, cx >> 8 AS cx, cy >> 8 AS cy
                  FROM emptied) p
            -- The children by index range, and by equality too, so that many parents
            -- (a rule moving every point) can be hash-joined instead.
            JOIN layers_clustercell z ON z.project_id = p.project_id AND z.level = 16
                AND z.cx BETWEEN p.cx << 4 AND (p.cx << 4) + 15
                AND z.cy BETWEEN p.cy << 4 AND (p.cy << 4) + 15
                AND z.cx >> 4 = p.cx AND z.cy >> 4 = p.cy
                AND z.theme_id = p.theme_id
            LEFT JOIN remade_16 f ON f.project_id = z.project_id AND f.theme_id = z.theme_id
                AND f.cx = z.cx AND f.cy = z.cy
            WHERE z.n > 0
            GROUP BY 1, 2, 3, 4
        ) e
        WHERE c.project_id = e.project_id AND c.level = 12 AND c.cx = e.cx
            AND c.cy = e.cy AND c.theme_id = e.theme_id;
    
    
    INSERT INTO layers_version AS v (project_id, version)
    SELECT DISTINCT s.project_id, 1 FROM (SELECT o.* FROM new_rows o JOIN old_rows x ON x.id = o.id
    WHERE (o.public_geom, o.status, o.kind, o.theme_id, o.project_id, o.title)
          IS DISTINCT FROM
          (x.public_geom, x.status, x.kind, x.theme_id, x.project_id, x.title)) AS s
    ON CONFLICT (project_id) DO UPDATE SET version = v.version + 1;
    
    RETURN NULL;
END $$;
"""

# Every extent as layers.grid defines it now, from the public rows themselves.
BACKFILL = """
UPDATE layers_clustercell c SET minx = e.minx, miny = e.miny, maxx = e.maxx, maxy = e.maxy
FROM (
    SELECT r.project_id, lv.level, floor((r.mx + 20037508.342789244) / (40075016.68557849 / (1 << lv.level)))::int AS cx, floor((20037508.342789244 - r.my) / (40075016.68557849 / (1 << lv.level)))::int AS cy, r.theme_id,
        min(r.ex) * 38.21851414258813::float8 - 20037508.342789244::float8 AS minx, 20037508.342789244::float8 - (max(r.ey) + 1) * 38.21851414258813::float8 AS miny, (max(r.ex) + 1) * 38.21851414258813::float8 - 20037508.342789244::float8 AS maxx, 20037508.342789244::float8 - min(r.ey) * 38.21851414258813::float8 AS maxy
    FROM (
        SELECT s.project_id, s.theme_id, ST_X(m.p) AS mx, ST_Y(m.p) AS my,
               floor((ST_X(m.p) + 20037508.342789244::float8) / 38.21851414258813::float8) AS ex, floor((20037508.342789244::float8 - ST_Y(m.p)) / 38.21851414258813::float8) AS ey
        FROM contributions_contribution s
        CROSS JOIN LATERAL (SELECT layers_point(s.public_geom) AS p) m
        WHERE s.status IN ('published', 'under_review', 'accepted', 'planned', 'done', 'rejected', 'duplicate')
    ) r
    CROSS JOIN (VALUES (12), (16), (20)) AS lv(level)
    GROUP BY 1, 2, 3, 4, 5
) e
WHERE c.project_id = e.project_id AND c.level = e.level AND c.cx = e.cx AND c.cy = e.cy
    AND c.theme_id = e.theme_id;

UPDATE layers_clustercell SET sx = 0, sy = 0 WHERE n = 0;
"""

# The functions as layers 0004 (insert, delete) and 0005 (update) left them.
BACKWARD = """

CREATE OR REPLACE FUNCTION layers_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('layers.defer_counts', true) = 'on' THEN
        RETURN NULL;
    END IF;
    
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
        CROSS JOIN LATERAL (SELECT layers_point(s.public_geom) AS p) m
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

CREATE OR REPLACE FUNCTION layers_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
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
        CROSS JOIN LATERAL (SELECT layers_point(s.public_geom) AS p) m
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

CREATE OR REPLACE FUNCTION layers_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
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
    WHERE (o.public_geom, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.public_geom, x.status, x.kind, x.theme_id, x.project_id)) s
        CROSS JOIN LATERAL (SELECT layers_point(s.public_geom) AS p) m
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
    WHERE (o.public_geom, o.status, o.kind, o.theme_id, o.project_id)
          IS DISTINCT FROM (x.public_geom, x.status, x.kind, x.theme_id, x.project_id)) s
        CROSS JOIN LATERAL (SELECT layers_point(s.public_geom) AS p) m
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
    WHERE (o.public_geom, o.status, o.kind, o.theme_id, o.project_id, o.title)
          IS DISTINCT FROM
          (x.public_geom, x.status, x.kind, x.theme_id, x.project_id, x.title)) AS s
    ON CONFLICT (project_id) DO UPDATE SET version = v.version + 1;
    
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("layers", "0006_unmanaged_tables")]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
