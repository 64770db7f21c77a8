// Package migrations holds the PostgreSQL/PostGIS schema as goose SQL
// migrations. The postgis package applies them through goose's Provider API;
// nothing here touches a database.
package migrations

import "embed"

// FS holds the migrations, named NNNNN_name.sql, at its root.
//
//go:embed *.sql
var FS embed.FS
