-- +goose Up
CREATE EXTENSION IF NOT EXISTS postgis;

-- Seeded from concernmap.DefaultCategories by the postgis package, so the Go
-- list stays the one source of truth; position keeps the seed order.
CREATE TABLE categories (
    key       text PRIMARY KEY,
    name_en   text NOT NULL,
    name_my   text NOT NULL,
    icon      text NOT NULL DEFAULT '',
    color     text NOT NULL,
    sensitive boolean NOT NULL DEFAULT false,
    position  int NOT NULL
);

-- Validation lives in Go (concernmap.Concern.Validate); the checks here only
-- stop a bug from writing nonsense.
CREATE TABLE concerns (
    id          uuid PRIMARY KEY,
    category    text NOT NULL REFERENCES categories (key),
    geom        geometry(Geometry, 4326) NOT NULL,
    title       text NOT NULL,
    description text NOT NULL DEFAULT '',
    severity    smallint NOT NULL CHECK (severity BETWEEN 1 AND 5),
    status      text NOT NULL,
    affected    smallint NOT NULL DEFAULT 0, -- bit set, concernmap.Affected
    when_kind   text NOT NULL,
    when_from   smallint NOT NULL DEFAULT 0, -- minutes after midnight
    when_to     smallint NOT NULL DEFAULT 0,
    observed_at timestamptz NOT NULL,
    reported_at timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    reporter    uuid,                        -- NULL for an anonymous report
    area        text,                        -- village tract pcode
    version     int NOT NULL DEFAULT 1,
    deleted_at  timestamptz                  -- set by a soft delete
);

CREATE INDEX concerns_geom_idx ON concerns USING gist (geom);

-- Instance-wide values such as the cursor-signing secret.
CREATE TABLE settings (
    key   text PRIMARY KEY,
    value bytea NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE concerns;
DROP TABLE categories;
