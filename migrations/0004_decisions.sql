-- The reviewer's workspace: a reviewer's decisions on a case, each on one dossier (its sha256)
-- and with the versions that produced it; the latest decision on the case row for the queue;
-- the applicant's name for the reviewers' search (the unit wrote it in case.toml).
CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    at_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    check_id TEXT,
    status TEXT,
    reason TEXT,
    materials TEXT,
    dossier_sha256 TEXT NOT NULL,
    jzz_version TEXT NOT NULL,
    policy_sha256 TEXT NOT NULL
);
CREATE INDEX decisions_case ON decisions (case_id, at_ms);
CREATE INDEX audit_case ON audit (case_id, at_ms);
CREATE INDEX cases_created ON cases (created_ms);
ALTER TABLE cases ADD COLUMN decision TEXT;
ALTER TABLE cases ADD COLUMN applicant_name TEXT;
