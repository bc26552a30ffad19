"""A bulk writer may defer the counts to one set-based pass at the end of its transaction
(SET LOCAL layers.defer_counts = on); every other writer moves them per statement.

The SQL is written out as it was installed, never generated from live code, so this
migration means the same in a year. layers/counts.py generates the same statements for the
bulk path; tests/database/test_counts_schema.py fails when the two drift apart.
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
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION layers_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""


class Migration(migrations.Migration):
    dependencies = [("layers", "0002_rows_index")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
