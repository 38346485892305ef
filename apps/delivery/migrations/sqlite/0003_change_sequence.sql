-- Every committed change of orders gets the next number of one counter, taken as
-- the last statement of its transaction: the row lock on the counter orders the
-- commits, so a reader that sees number N has every change up to N, and a server
-- can bring what it holds up to date with "changes after the number I have".
ALTER TABLE dashboards ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX dashboards_change_seq ON dashboards (change_seq);

CREATE TABLE dashboard_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    -- Deletions up to this number have been forgotten: a server behind it reloads.
    pruned_seq INTEGER NOT NULL
);
INSERT INTO dashboard_changes (id, seq, pruned_seq) VALUES (1, 0, 0);

CREATE TABLE dashboard_deletions (
    seq INTEGER NOT NULL,
    dashboard_id INTEGER NOT NULL,
    deleted_at TEXT NOT NULL
);
CREATE INDEX dashboard_deletions_seq ON dashboard_deletions (seq);
