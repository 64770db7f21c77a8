-- +goose Up
-- People who sign in. Validation lives in Go (concernmap.User.Validate).
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    name          text NOT NULL,
    role          text NOT NULL,           -- concernmap.Role
    organisation  text NOT NULL DEFAULT '',
    language      text NOT NULL,           -- en or my
    scope         text[] NOT NULL DEFAULT '{}', -- area pcodes
    password_hash text NOT NULL,           -- argon2id, PHC string format
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       int NOT NULL DEFAULT 1
);

-- Signed-in browsers, by a hash of the cookie's token; the token itself is
-- never stored.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- Tokens for scripts and GIS clients, by a hash of the secret. A revoked
-- token stays, so that its owner's list shows it.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id),
    name         text NOT NULL,
    hash         bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

-- Every write, and every read of sensitive data. id is a UUIDv7, so it
-- sorts by time and pages newest first. user_id has no foreign key: a
-- failed sign-in names no user, and the log must take any event. A query
-- filters by entity or user and orders by id, so id ends both indexes.
CREATE TABLE audit_log (
    id         uuid PRIMARY KEY,
    at         timestamptz NOT NULL,
    user_id    uuid,                       -- NULL for anonymous and system actions
    action     text NOT NULL,              -- e.g. concern.update
    entity     text NOT NULL,              -- e.g. concern
    entity_id  text NOT NULL DEFAULT '',
    before     jsonb,
    after      jsonb,
    request_id text NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_user_id_idx ON audit_log (user_id, id);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- The log is append-only: these triggers refuse any change or removal, even
-- by the table's owner. The owner can still drop the triggers; a deployment
-- that must rule that out runs the server as a role that does not own the
-- table and has only SELECT and INSERT on it.
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
-- Rolling back removes the log with its tables; export it first.
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
