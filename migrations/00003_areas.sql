-- +goose Up
-- The administrative areas, imported from MIMU boundaries by pcode. A
-- re-import updates a row in place, so id stays what clients saw. parent is
-- a pcode with no foreign key: the levels may be imported one at a time, in
-- any order, and a parent may come later or never. An empty parent or
-- concerns.area in Go is NULL here.
CREATE TABLE areas (
    id         uuid PRIMARY KEY,
    level      text NOT NULL,              -- concernmap.AreaLevel
    pcode      text NOT NULL UNIQUE,
    name_en    text NOT NULL,
    name_my    text NOT NULL DEFAULT '',
    parent     text,                       -- pcode; NULL for a state
    geom       geometry(MultiPolygon, 4326) NOT NULL,
    area_km2   double precision NOT NULL DEFAULT 0,
    neighbors  text[] NOT NULL DEFAULT '{}', -- pcodes, same level, queen contiguity
    source     text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL,
    version    int NOT NULL DEFAULT 1
);

CREATE INDEX areas_geom_idx ON areas USING gist (geom);
CREATE INDEX areas_parent_idx ON areas (parent);
CREATE INDEX areas_level_idx ON areas (level);

-- Counts and lists of concerns by area.
CREATE INDEX concerns_area_idx ON concerns (area);

-- +goose Down
DROP INDEX concerns_area_idx;
DROP TABLE areas;
