-- jzz serve: accounts, API tokens, the case index, the work queue, the audit log.
-- One set of migrations for SQLite and PostgreSQL: TEXT ids made by jzz, BIGINT times in
-- milliseconds since the epoch, no backend-specific types.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    unit_code TEXT,
    unit_name TEXT,
    password_hash TEXT,
    created_ms BIGINT NOT NULL
);

CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    label TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    applicant_masked TEXT NOT NULL,
    app_type TEXT NOT NULL,
    state TEXT NOT NULL,
    verdict TEXT,
    error TEXT,
    created_by TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    dossiers BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX cases_unit ON cases (unit_code, created_ms);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until_ms BIGINT,
    enqueued_ms BIGINT NOT NULL,
    finished_ms BIGINT
);
CREATE INDEX jobs_state ON jobs (state, enqueued_ms);

CREATE TABLE audit (
    at_ms BIGINT NOT NULL,
    account_id TEXT,
    action TEXT NOT NULL,
    case_id TEXT,
    detail TEXT
);
