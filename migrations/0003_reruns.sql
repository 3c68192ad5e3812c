-- Re-runs through the queue: why a job was queued (`upload`, `rerun`, `policy`), the verdict a
-- case had before its latest dossier (so a reviewer can find the cases a re-run changed), and
-- what the server last judged with (`policy_hash`: a changed policy table queues every judged
-- case once, whichever replica starts first).
ALTER TABLE jobs ADD COLUMN reason TEXT;
ALTER TABLE cases ADD COLUMN previous_verdict TEXT;
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
