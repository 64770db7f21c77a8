-- +goose Up
-- Every committed change to concerns tells the other instances, so their
-- in-memory indexes follow. NOTIFY is transactional: nothing is sent for a
-- write that rolls back. A statement that changes more than 1000 rows (an
-- import) sends '*' instead of one message per row: listeners then reload.
-- +goose StatementBegin
CREATE FUNCTION concerns_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM changed) > 1000 THEN
        PERFORM pg_notify('concernmap_concerns', '*');
    ELSE
        PERFORM pg_notify('concernmap_concerns', id::text) FROM changed;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER concerns_notify_insert AFTER INSERT ON concerns
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION concerns_notify();

CREATE TRIGGER concerns_notify_update AFTER UPDATE ON concerns
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION concerns_notify();

-- +goose Down
DROP TRIGGER concerns_notify_update ON concerns;
DROP TRIGGER concerns_notify_insert ON concerns;
DROP FUNCTION concerns_notify();
