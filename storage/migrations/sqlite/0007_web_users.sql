-- 0007: the web surface's users, API tokens and browser sessions (docs/web.md).
--
-- users: one row per person or script owner; password_hash is libsodium's argon2id string,
-- role one of viewer, supervisor, operator, admin; tenants comma-separated or '*'.
-- api_tokens and web_sessions hold digests only (a token or session id is shown once and
-- never stored); removing a user removes both (in the same transaction, by the store).
CREATE TABLE users (
  name          TEXT    PRIMARY KEY,
  password_hash TEXT    NOT NULL,
  role          TEXT    NOT NULL,
  tenants       TEXT    NOT NULL,
  created_ms    INTEGER NOT NULL,
  changed_ms    INTEGER NOT NULL
);
CREATE TABLE api_tokens (
  digest     TEXT    PRIMARY KEY,
  user_name  TEXT    NOT NULL,
  label      TEXT    NOT NULL,
  created_ms INTEGER NOT NULL,
  UNIQUE (user_name, label)
);
CREATE TABLE web_sessions (
  digest     TEXT    PRIMARY KEY,
  user_name  TEXT    NOT NULL,
  csrf       TEXT    NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_name);
CREATE INDEX web_sessions_expires ON web_sessions (expires_ms);
