-- +goose Up
-- Every status move of a concern, as it was made. The concern's own row
-- holds only where it stands now; this is how it got there. id orders the
-- moves of a concern as they were made, whatever clocks said.
CREATE TABLE concern_moves (
    id          bigserial PRIMARY KEY,
    concern_id  uuid NOT NULL REFERENCES concerns (id),
    from_status text NOT NULL,               -- concernmap.Status
    to_status   text NOT NULL,
    note        text NOT NULL DEFAULT '',
    by          uuid,                        -- NULL for the system
    at          timestamptz NOT NULL,
    request     uuid,                        -- what caused the move, if anything
    plan        uuid
);

CREATE INDEX concern_moves_concern_id_idx ON concern_moves (concern_id, id);

-- Requests to authorities and action plans. Each is one JSON document,
-- concernmap.Request or concernmap.ActionPlan, read and written whole; the
-- columns beside it are only what queries sort and filter by. Validation
-- lives in Go.
CREATE TABLE requests (
    id         uuid PRIMARY KEY,
    version    int NOT NULL,
    area       text NOT NULL,                -- pcode
    doc        jsonb NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE action_plans (
    id         uuid PRIMARY KEY,
    version    int NOT NULL,
    area       text NOT NULL,                -- pcode
    doc        jsonb NOT NULL,
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE action_plans;
DROP TABLE requests;
DROP TABLE concern_moves;
