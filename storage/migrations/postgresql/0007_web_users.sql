-- 0007: the web surface's users, API tokens and browser sessions (docs/web.md).
--
-- users: one row per person or script owner; password_hash is libsodium's argon2id string,
-- role one of viewer, supervisor, operator, admin; tenants comma-separated or '*'.
-- api_tokens and web_sessions hold digests only (a token or session id is shown once and
-- never stored); removing a user removes both (in the same transaction, by the store).
CREATE TABLE users (
  name          text    PRIMARY KEY,
  password_hash text    NOT NULL,
  role          text    NOT NULL,
  tenants       text    NOT NULL,
  created_ms    bigint NOT NULL,
  changed_ms    bigint NOT NULL
);
CREATE TABLE api_tokens (
  digest     text    PRIMARY KEY,
  user_name  text    NOT NULL,
  label      text    NOT NULL,
  created_ms bigint NOT NULL,
  UNIQUE (user_name, label)
);
CREATE TABLE web_sessions (
  digest     text    PRIMARY KEY,
  user_name  text    NOT NULL,
  csrf       text    NOT NULL,
  created_ms bigint NOT NULL,
  expires_ms bigint NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_name);
CREATE INDEX web_sessions_expires ON web_sessions (expires_ms);
