-- +goose Up
-- An area import tells the other instances to reload: they rebuild their
-- area index, and with it every concern's area (which the import also
-- rewrites, under the concerns trigger of 00002).
-- +goose StatementBegin
CREATE FUNCTION areas_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('concernmap_concerns', 'areas');
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER areas_notify AFTER INSERT OR UPDATE ON areas
    FOR EACH STATEMENT EXECUTE FUNCTION areas_notify();

-- +goose Down
DROP TRIGGER areas_notify ON areas;
DROP FUNCTION areas_notify();
