// Package bolt is the embedded store: concernmap.ConcernStore, AreaStore,
// UserStore and WorkflowStore on one bbolt file. Every commit is fsynced
// before a write returns.
//
// Buckets:
//
//	concerns          16-byte UUID -> record (see record.go)
//	areas             pcode -> area record (see record.go)
//	categories        key -> JSON of the category and its seed position
//	users             16-byte UUID -> user record (see record.go)
//	users_by_name     username -> 16-byte user UUID
//	sessions          token hash -> session record (see record.go)
//	api_tokens        16-byte UUID -> token record (see record.go)
//	api_token_hashes  hash -> 16-byte token UUID
//	audit             16-byte UUIDv7 -> audit record (see record.go); append-only
//	concern_moves     16-byte concern UUID + 8-byte big-endian sequence -> JSON of the move
//	requests          16-byte UUID -> JSON of the request
//	action_plans      16-byte UUID -> JSON of the action plan
//	meta              "format" -> file format; "secret" -> cursor-signing key
//
// Times are kept to the microsecond and returned in UTC, as in the postgis
// store, so that both stores give back the same concern.
package bolt

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"time"

	"go.etcd.io/bbolt"
	bberrors "go.etcd.io/bbolt/errors"

	"github.com/concernmap/concernmap"
)

var (
	bucketConcerns   = []byte("concerns")
	bucketAreas      = []byte("areas")
	bucketCategories = []byte("categories")
	bucketUsers      = []byte("users")
	bucketUserNames  = []byte("users_by_name")
	bucketSessions   = []byte("sessions")
	bucketTokens     = []byte("api_tokens")
	bucketTokenHash  = []byte("api_token_hashes")
	bucketAudit      = []byte("audit")
	bucketMoves      = []byte("concern_moves")
	bucketRequests   = []byte("requests")
	bucketPlans      = []byte("action_plans")
	bucketMeta       = []byte("meta")

	keyFormat = []byte("format")
	keySecret = []byte("secret")
)

// fileFormat is the layout of buckets and keys; a file of a later format is
// refused rather than misread.
const fileFormat = 1

const secretLen = 32

// mmapSize is the initial size of the file's memory map.
const mmapSize = 1 << 30

// ErrLocked means another process, such as a running server, has the file.
var ErrLocked = errors.New("bolt: the store file is in use by another process (stop the running server first)")

// DB is a concern store on one bbolt file.
type DB struct {
	db     *bbolt.DB
	secret []byte
}

var _ concernmap.ConcernStore = (*DB)(nil)

// Open opens the store at path, creating and seeding the file if it does not
// exist. Only one process may have the file open at a time.
func Open(path string) (*DB, error) {
	// Time out rather than hang when another process holds the file lock.
	opts := &bbolt.Options{Timeout: 2 * time.Second}
	// Map a gigabyte of address space from the start: each time bbolt
	// grows the map inside a write, it copies every node the write has
	// touched, which made an import of all areas into a new file take twice
	// as long. Elsewhere the file grows only as needed; on Windows it grows
	// to the map, so there the map starts small.
	if runtime.GOOS != "windows" {
		opts.InitialMmapSize = mmapSize
	}
	bdb, err := bbolt.Open(path, 0o600, opts)
	if errors.Is(err, bberrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := &DB{db: bdb}
	if err := bdb.Update(db.init); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// init makes the buckets, the secret and the seed categories of a new file
// in one transaction, so that a crash leaves either nothing or all of it.
func (db *DB) init(tx *bbolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	switch v := meta.Get(keyFormat); {
	case v == nil:
		if err := meta.Put(keyFormat, []byte{fileFormat}); err != nil {
			return err
		}
	case len(v) != 1 || v[0] != fileFormat:
		return fmt.Errorf("bolt: file format %v, want %d", v, fileFormat)
	}

	if s := meta.Get(keySecret); s != nil {
		db.secret = append([]byte(nil), s...)
	} else {
		db.secret = make([]byte, secretLen)
		rand.Read(db.secret)
		if err := meta.Put(keySecret, db.secret); err != nil {
			return err
		}
	}

	if _, err := tx.CreateBucketIfNotExists(bucketConcerns); err != nil {
		return err
	}
	// Files made before areas, users, the audit log or the workflow existed
	// gain their buckets here; the format is unchanged, as older code never
	// looks for them.
	for _, name := range [][]byte{bucketAreas, bucketUsers, bucketUserNames, bucketSessions, bucketTokens, bucketTokenHash,
		bucketAudit, bucketMoves, bucketRequests, bucketPlans} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	if tx.Bucket(bucketCategories) == nil {
		b, err := tx.CreateBucket(bucketCategories)
		if err != nil {
			return err
		}
		for i, c := range concernmap.DefaultCategories {
			if err := putCategory(b, &c, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close closes the file. It waits for open transactions to finish.
func (db *DB) Close() error {
	return db.db.Close()
}

// Ping checks that the file is open and readable.
func (db *DB) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("bolt: no meta bucket")
		}
		return nil
	})
}

// Secret returns the store's random key, made when the file was created.
func (db *DB) Secret(ctx context.Context) ([]byte, error) {
	return append([]byte(nil), db.secret...), nil
}
