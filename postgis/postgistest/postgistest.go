// Package postgistest gives tests fresh PostGIS databases. A test package
// calls Main from TestMain and MustOpenDB from its tests:
//
//	func TestMain(m *testing.M) { postgistest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		url := postgistest.MustOpenDB(t)
//		...
//	}
//
// If CONCERNMAP_TEST_DATABASE_URL is set, the databases are made on that
// server, whose user must be allowed to create databases. Otherwise Main
// starts a throwaway PostgreSQL 15 cluster of its own in a temporary
// directory, on 127.0.0.1 and a free port, with fsync off, and removes it
// when the tests end. go test runs packages in parallel, so each package has
// its own cluster.
//
// Tests never skip for want of a database: without PostgreSQL or PostGIS,
// Main fails and says what to install.
package postgistest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EnvURL names the variable that points the tests at an existing server.
const EnvURL = "CONCERNMAP_TEST_DATABASE_URL"

const (
	missingPostGIS    = "PostGIS is missing: run: sudo apt-get install -y postgresql-15-postgis-3"
	missingPostgreSQL = "PostgreSQL 15 is missing: run: sudo apt-get install -y postgresql-15"
)

// server is what Main sets up for MustOpenDB.
var server struct {
	base     *url.URL      // the server; the path names a database
	admin    *pgxpool.Pool // connected to base, for CREATE and DROP DATABASE
	template string        // a database with PostGIS, cloned by MustOpenDB
	prefix   string        // names this process's databases on a shared server
}

var databases atomic.Int64

// Main runs the package's tests against a PostGIS server, as described in
// the package comment, and exits with their status.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) (code int) {
	baseURL := os.Getenv(EnvURL)
	if baseURL == "" {
		c, err := startCluster()
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL postgistest: %v\n", err)
			return 1
		}
		defer c.stop()
		stopOnSignal(c)
		baseURL = c.url
	}
	if err := setup(baseURL); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL postgistest: %v\n", err)
		return 1
	}
	defer teardown()
	return m.Run()
}

// setup connects to the server and makes the template database.
func setup(baseURL string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	base, err := url.Parse(baseURL)
	if err != nil || base.Scheme == "" {
		return fmt.Errorf("%s must be a URL such as postgres://user@host:5432/postgres", EnvURL)
	}
	cfg, err := pgxpool.ParseConfig(baseURL)
	if err != nil {
		return fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	// DDL with names made per call would fill the statement cache.
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	admin, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	var available bool
	err = admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')`).Scan(&available)
	if err != nil {
		admin.Close()
		return fmt.Errorf("connect: %w", err)
	}
	if !available {
		admin.Close()
		return errors.New(missingPostGIS)
	}

	server.base, server.admin = base, admin
	server.prefix = fmt.Sprintf("postgistest_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	server.template = server.prefix + "_template"
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+quote(server.template)); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	conn, err := pgx.Connect(ctx, databaseURL(server.template))
	if err != nil {
		return fmt.Errorf("connect to template database: %w", err)
	}
	_, err = conn.Exec(ctx, `CREATE EXTENSION postgis`)
	// CREATE DATABASE ... TEMPLATE needs the template to have no sessions.
	conn.Close(ctx)
	if err != nil {
		return fmt.Errorf("%s (CREATE EXTENSION postgis: %w)", missingPostGIS, err)
	}
	return nil
}

func teardown() {
	if server.admin == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Only a shared server needs this; a cluster of our own is removed whole.
	server.admin.Exec(ctx, `DROP DATABASE IF EXISTS `+quote(server.template)+` WITH (FORCE)`)
	server.admin.Close()
}

// MustOpenDB makes a fresh database with PostGIS and nothing else in it, and
// returns its URL. The database is dropped, along with any sessions left on
// it, when tb's test ends.
func MustOpenDB(tb testing.TB) string {
	tb.Helper()
	if server.admin == nil {
		tb.Fatal("postgistest: call postgistest.Main(m) from TestMain")
	}
	name := fmt.Sprintf("%s_%d", server.prefix, databases.Add(1))
	ctx := context.Background()
	// Cloning a template is much faster than CREATE EXTENSION postgis.
	if _, err := server.admin.Exec(ctx, `CREATE DATABASE `+quote(name)+` TEMPLATE `+quote(server.template)); err != nil {
		tb.Fatalf("postgistest: create database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := server.admin.Exec(ctx, `DROP DATABASE IF EXISTS `+quote(name)+` WITH (FORCE)`); err != nil {
			tb.Errorf("postgistest: drop database %s: %v", name, err)
		}
	})
	return databaseURL(name)
}

// databaseURL returns the server's URL with the database name replaced.
func databaseURL(name string) string {
	u := *server.base
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

func quote(name string) string {
	return pgx.Identifier{name}.Sanitize()
}
