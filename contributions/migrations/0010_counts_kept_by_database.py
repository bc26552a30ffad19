"""The vote and comment counters on a contribution are kept by the database.

`vote_count` is the number of its vote rows and `comment_count` the number of its published
comments, whoever writes: statement-level triggers on the votes and comments add the
difference each statement makes (by delta, so concurrent votes add up rather than overwrite
each other), and a guard on the contribution ignores any other write to the two counters
(a stale model saved whole, a bulk insert that brings its own figures) and starts a new one
at the rows that exist for it. Existing counters are recounted first. docs/database.md,
docs/figures.md
"""

from django.db import migrations

FORWARD = """
UPDATE contributions_contribution c SET vote_count = coalesce(v.n, 0)
FROM contributions_contribution c2
LEFT JOIN (SELECT contribution_id, count(*) AS n FROM contributions_vote GROUP BY 1) v
       ON v.contribution_id = c2.id
WHERE c2.id = c.id AND c.vote_count <> coalesce(v.n, 0);

UPDATE contributions_contribution c SET comment_count = coalesce(m.n, 0)
FROM contributions_contribution c2
LEFT JOIN (SELECT contribution_id, count(*) AS n FROM contributions_comment
           WHERE status = 'published' GROUP BY 1) m
       ON m.contribution_id = c2.id
WHERE c2.id = c.id AND c.comment_count <> coalesce(m.n, 0);

-- Only the counting triggers below (one trigger level down) may change the counters. A new
-- contribution starts with the rows that already exist for it: none, except for a bulk writer
-- that inserts the votes first (the foreign keys are checked at commit), which spares it an
-- update of every contribution it has just written.
CREATE FUNCTION contributions_counters_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        IF TG_OP = 'INSERT' THEN
            NEW.vote_count := (SELECT count(*) FROM contributions_vote
                               WHERE contribution_id = NEW.id);
            NEW.comment_count := (SELECT count(*) FROM contributions_comment
                                  WHERE contribution_id = NEW.id AND status = 'published');
        ELSE
            NEW.vote_count := OLD.vote_count;
            NEW.comment_count := OLD.comment_count;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER contributions_counters_guard_insert
BEFORE INSERT ON contributions_contribution
FOR EACH ROW EXECUTE FUNCTION contributions_counters_guard();

CREATE TRIGGER contributions_counters_guard_update
BEFORE UPDATE OF vote_count, comment_count ON contributions_contribution
FOR EACH ROW WHEN (NEW.vote_count IS DISTINCT FROM OLD.vote_count
                   OR NEW.comment_count IS DISTINCT FROM OLD.comment_count)
EXECUTE FUNCTION contributions_counters_guard();

-- One function per counter for the three events; each trigger names the transition tables
-- its event has (new_rows, old_rows).
CREATE FUNCTION contributions_count_votes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE contributions_contribution c SET vote_count = c.vote_count + d.n
        FROM (SELECT contribution_id, count(*) AS n FROM new_rows GROUP BY 1) d
        WHERE c.id = d.contribution_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE contributions_contribution c SET vote_count = c.vote_count - d.n
        FROM (SELECT contribution_id, count(*) AS n FROM old_rows GROUP BY 1) d
        WHERE c.id = d.contribution_id;
    ELSE
        UPDATE contributions_contribution c SET vote_count = c.vote_count + d.n
        FROM (SELECT contribution_id, sum(n) AS n FROM (
                  SELECT contribution_id, 1 AS n FROM new_rows
                  UNION ALL SELECT contribution_id, -1 FROM old_rows) x
              GROUP BY 1 HAVING sum(n) <> 0) d
        WHERE c.id = d.contribution_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER contributions_count_votes_insert AFTER INSERT ON contributions_vote
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION contributions_count_votes();
CREATE TRIGGER contributions_count_votes_delete AFTER DELETE ON contributions_vote
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION contributions_count_votes();
CREATE TRIGGER contributions_count_votes_update AFTER UPDATE ON contributions_vote
REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION contributions_count_votes();

CREATE FUNCTION contributions_count_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE contributions_contribution c SET comment_count = c.comment_count + d.n
        FROM (SELECT contribution_id, count(*) AS n FROM new_rows
              WHERE status = 'published' GROUP BY 1) d
        WHERE c.id = d.contribution_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE contributions_contribution c SET comment_count = c.comment_count - d.n
        FROM (SELECT contribution_id, count(*) AS n FROM old_rows
              WHERE status = 'published' GROUP BY 1) d
        WHERE c.id = d.contribution_id;
    ELSE
        UPDATE contributions_contribution c SET comment_count = c.comment_count + d.n
        FROM (SELECT contribution_id, sum(n) AS n FROM (
                  SELECT contribution_id, 1 AS n FROM new_rows WHERE status = 'published'
                  UNION ALL
                  SELECT contribution_id, -1 FROM old_rows WHERE status = 'published') x
              GROUP BY 1 HAVING sum(n) <> 0) d
        WHERE c.id = d.contribution_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER contributions_count_comments_insert AFTER INSERT ON contributions_comment
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION contributions_count_comments();
CREATE TRIGGER contributions_count_comments_delete AFTER DELETE ON contributions_comment
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION contributions_count_comments();
CREATE TRIGGER contributions_count_comments_update AFTER UPDATE ON contributions_comment
REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION contributions_count_comments();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS contributions_count_comments_update ON contributions_comment;
DROP TRIGGER IF EXISTS contributions_count_comments_delete ON contributions_comment;
DROP TRIGGER IF EXISTS contributions_count_comments_insert ON contributions_comment;
DROP FUNCTION IF EXISTS contributions_count_comments();
DROP TRIGGER IF EXISTS contributions_count_votes_update ON contributions_vote;
DROP TRIGGER IF EXISTS contributions_count_votes_delete ON contributions_vote;
DROP TRIGGER IF EXISTS contributions_count_votes_insert ON contributions_vote;
DROP FUNCTION IF EXISTS contributions_count_votes();
DROP TRIGGER IF EXISTS contributions_counters_guard_update ON contributions_contribution;
DROP TRIGGER IF EXISTS contributions_counters_guard_insert ON contributions_contribution;
DROP FUNCTION IF EXISTS contributions_counters_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("contributions", "0009_privacy_models_move_out")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
