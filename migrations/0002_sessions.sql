-- Browser sessions of jzz serve's pages: the sha256 of the session id (the cookie holds the id),
-- the account, the CSRF token every form of the session carries, and when it ends.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    csrf TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
