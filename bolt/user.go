package bolt

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/concernmap/concernmap"
)

var _ concernmap.UserStore = (*DB)(nil)

// CreateUser inserts u at Version 1; a zero CreatedAt or UpdatedAt becomes
// now. It logs user.create without the password hash. On success it fills
// in u's Version and times as stored.
func (db *DB) CreateUser(ctx context.Context, u *concernmap.User) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return fmt.Errorf("create user %s: %w", u.ID, err)
	}
	now := concernmap.StoreTime(time.Now())
	stored := normalizeUser(u)
	stored.Version = 1
	if stored.CreatedAt.IsZero() {
		stored.CreatedAt = now
	}
	if stored.UpdatedAt.IsZero() {
		stored.UpdatedAt = now
	}
	ev := concernmap.NewAuditEvent(ctx, now, "user.create", "user", u.ID.String(), nil, stored.AuditJSON())
	err := db.db.Update(func(tx *bbolt.Tx) error {
		users, names := tx.Bucket(bucketUsers), tx.Bucket(bucketUserNames)
		if users.Get(u.ID[:]) != nil {
			return conflict("id", "is taken")
		}
		if names.Get([]byte(stored.Username)) != nil {
			return usernameTaken()
		}
		if err := users.Put(stored.ID[:], appendUser(nil, stored)); err != nil {
			return err
		}
		if err := names.Put([]byte(stored.Username), stored.ID[:]); err != nil {
			return err
		}
		return putAudit(tx, ev)
	})
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.ID, err)
	}
	u.Version, u.CreatedAt, u.UpdatedAt = stored.Version, stored.CreatedAt, stored.UpdatedAt
	return nil
}

// UpdateUser replaces the user u.ID with u, keeping CreatedAt, bumping
// Version and setting UpdatedAt to now. It fails with EINVALID, ENOTFOUND,
// EPRECONDITION (ifVersion not 0 and not the stored version) and ECONFLICT
// (username taken), checked in that order. It logs user.update without the
// password hash. On success it fills in u's Version and times as stored.
func (db *DB) UpdateUser(ctx context.Context, u *concernmap.User, ifVersion int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	now := concernmap.StoreTime(time.Now())
	var stored *concernmap.User
	err := db.db.Update(func(tx *bbolt.Tx) error {
		users, names := tx.Bucket(bucketUsers), tx.Bucket(bucketUserNames)
		old, err := getUser(tx, u.ID)
		if err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != old.Version {
			return concernmap.Errorf(concernmap.EPRECONDITION, "user %s is at version %d, not %d", u.ID, old.Version, ifVersion)
		}
		stored = normalizeUser(u)
		stored.CreatedAt, stored.UpdatedAt, stored.Version = old.CreatedAt, now, old.Version+1
		if stored.Username != old.Username {
			if names.Get([]byte(stored.Username)) != nil {
				return usernameTaken()
			}
			if err := names.Delete([]byte(old.Username)); err != nil {
				return err
			}
			if err := names.Put([]byte(stored.Username), stored.ID[:]); err != nil {
				return err
			}
		}
		if err := users.Put(stored.ID[:], appendUser(nil, stored)); err != nil {
			return err
		}
		return putAudit(tx, concernmap.NewAuditEvent(ctx, now, "user.update", "user", u.ID.String(), old.AuditJSON(), stored.AuditJSON()))
	})
	if err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	u.Version, u.CreatedAt, u.UpdatedAt = stored.Version, stored.CreatedAt, stored.UpdatedAt
	return nil
}

// FindUserByID returns one user; ENOTFOUND if none.
func (db *DB) FindUserByID(ctx context.Context, id uuid.UUID) (*concernmap.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var u *concernmap.User
	err := db.db.View(func(tx *bbolt.Tx) error {
		var err error
		u, err = getUser(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find user %s: %w", id, err)
	}
	return u, nil
}

// FindUserByUsername returns the user with exactly that username;
// ENOTFOUND if none.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (*concernmap.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var u *concernmap.User
	err := db.db.View(func(tx *bbolt.Tx) error {
		id := tx.Bucket(bucketUserNames).Get([]byte(username))
		if id == nil {
			return concernmap.Errorf(concernmap.ENOTFOUND, "user %q not found", username)
		}
		if len(id) != len(uuid.UUID{}) {
			return fmt.Errorf("%w: user %q has an ID of %d bytes", errCorrupt, username, len(id))
		}
		var err error
		u, err = getUser(tx, uuid.UUID(id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find user %q: %w", username, err)
	}
	return u, nil
}

// FindUsers returns every user, disabled or not, by username.
func (db *DB) FindUsers(ctx context.Context) ([]*concernmap.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*concernmap.User
	err := db.db.View(func(tx *bbolt.Tx) error {
		// The name index is in username order.
		return tx.Bucket(bucketUserNames).ForEach(func(name, id []byte) error {
			if len(id) != len(uuid.UUID{}) {
				return fmt.Errorf("%w: user %q has an ID of %d bytes", errCorrupt, name, len(id))
			}
			u, err := getUser(tx, uuid.UUID(id))
			if err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return out, nil
}

func getUser(tx *bbolt.Tx, id uuid.UUID) (*concernmap.User, error) {
	v := tx.Bucket(bucketUsers).Get(id[:])
	if v == nil {
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "user %s not found", id)
	}
	u, err := decodeUser(id[:], v)
	if err != nil {
		return nil, fmt.Errorf("decode user %s: %w", id, err)
	}
	return u, nil
}

// normalizeUser returns a copy of u with its times as the store keeps them
// and a scope of its own; no scope is nil.
func normalizeUser(u *concernmap.User) *concernmap.User {
	n := *u
	n.CreatedAt, n.UpdatedAt = concernmap.StoreTime(u.CreatedAt), concernmap.StoreTime(u.UpdatedAt)
	n.Scope = slices.Clone(u.Scope)
	if len(n.Scope) == 0 {
		n.Scope = nil
	}
	return &n
}

func usernameTaken() error { return conflict("username", "is taken") }

// conflict returns an ECONFLICT error that names the field at fault.
func conflict(field, msg string) error {
	return &concernmap.Error{Code: concernmap.ECONFLICT, Message: field + " " + msg,
		Fields: []concernmap.FieldError{{Field: field, Message: msg}}}
}

// CreateSession stores s. The user must exist (EINVALID for "user_id"); a
// token hash that is there already is ECONFLICT.
func (db *DB) CreateSession(ctx context.Context, s *concernmap.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	stored := *s
	stored.CreatedAt, stored.ExpiresAt = concernmap.StoreTime(s.CreatedAt), concernmap.StoreTime(s.ExpiresAt)
	err := db.db.Update(func(tx *bbolt.Tx) error {
		if err := checkUser(tx, s.UserID); err != nil {
			return err
		}
		b := tx.Bucket(bucketSessions)
		if b.Get(s.TokenHash) != nil {
			return conflict("token_hash", "is taken")
		}
		return b.Put(bytes.Clone(s.TokenHash), appendSession(nil, &stored))
	})
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// FindSession returns the session whose token hashes to tokenHash if it
// expires after now; ENOTFOUND otherwise.
func (db *DB) FindSession(ctx context.Context, tokenHash []byte, now time.Time) (*concernmap.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var s *concernmap.Session
	err := db.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketSessions).Get(tokenHash)
		if v == nil {
			return nil
		}
		var err error
		s, err = decodeSession(tokenHash, v)
		return err
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("find session: %w", err)
	case s == nil || !s.ExpiresAt.After(now):
		// The hash is a secret's; it stays out of the message.
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "session not found")
	}
	return s, nil
}

// DeleteSession removes a session, expired or not; removing one that is not
// there is not an error, so signing out twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := db.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete(tokenHash)
	})
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// CreateAPIToken stores t. The user must exist (EINVALID for "user_id"); an
// ID or hash that is there already is ECONFLICT. It logs token.create
// without the hash.
func (db *DB) CreateAPIToken(ctx context.Context, t *concernmap.APIToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return fmt.Errorf("create token %s: %w", t.ID, err)
	}
	stored := normalizeToken(t)
	ev := concernmap.NewAuditEvent(ctx, time.Now().UTC(), "token.create", "api_token", t.ID.String(), nil, stored.AuditJSON())
	err := db.db.Update(func(tx *bbolt.Tx) error {
		if err := checkUser(tx, t.UserID); err != nil {
			return err
		}
		tokens, hashes := tx.Bucket(bucketTokens), tx.Bucket(bucketTokenHash)
		if tokens.Get(t.ID[:]) != nil {
			return conflict("id", "is taken")
		}
		if hashes.Get(t.Hash) != nil {
			return conflict("hash", "is taken")
		}
		if err := tokens.Put(stored.ID[:], appendToken(nil, stored)); err != nil {
			return err
		}
		if err := hashes.Put(stored.Hash, stored.ID[:]); err != nil {
			return err
		}
		return putAudit(tx, ev)
	})
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.ID, err)
	}
	return nil
}

// FindAPIToken returns the token with that hash unless it is revoked;
// ENOTFOUND otherwise.
func (db *DB) FindAPIToken(ctx context.Context, hash []byte) (*concernmap.APIToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var t *concernmap.APIToken
	err := db.db.View(func(tx *bbolt.Tx) error {
		id := tx.Bucket(bucketTokenHash).Get(hash)
		if id == nil {
			return nil
		}
		var err error
		t, err = getToken(tx, id)
		return err
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("find token: %w", err)
	case t == nil || !t.RevokedAt.IsZero():
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "token not found")
	}
	return t, nil
}

// FindAPITokens returns the user's tokens, revoked ones too, oldest first.
// Users have few tokens, so it reads them all rather than keep an index.
func (db *DB) FindAPITokens(ctx context.Context, userID uuid.UUID) ([]*concernmap.APIToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*concernmap.APIToken
	err := db.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketTokens).ForEach(func(k, v []byte) error {
			// Skip others' tokens undecoded: in format 1 the user's ID
			// follows the format and flags bytes.
			if len(v) >= 18 && v[0] == tokenRecordFormat && !bytes.Equal(v[2:18], userID[:]) {
				return nil
			}
			t, err := decodeToken(k, v)
			if err != nil {
				return fmt.Errorf("decode token %x: %w", k, err)
			}
			if t.UserID == userID {
				out = append(out, t)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find tokens of %s: %w", userID, err)
	}
	slices.SortFunc(out, func(a, b *concernmap.APIToken) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), bytes.Compare(a.ID[:], b.ID[:]))
	})
	return out, nil
}

// RevokeAPIToken sets the token's RevokedAt to now and logs token.revoke;
// ENOTFOUND if there is no such token. A token revoked already keeps its
// first RevokedAt, and nothing is written.
func (db *DB) RevokeAPIToken(ctx context.Context, id uuid.UUID, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now = concernmap.StoreTime(now)
	err := db.db.Update(func(tx *bbolt.Tx) error {
		t, err := getToken(tx, id[:])
		if err != nil {
			return err
		}
		if !t.RevokedAt.IsZero() {
			return nil
		}
		before := t.AuditJSON()
		t.RevokedAt = now
		if err := tx.Bucket(bucketTokens).Put(id[:], appendToken(nil, t)); err != nil {
			return err
		}
		return putAudit(tx, concernmap.NewAuditEvent(ctx, now, "token.revoke", "api_token", id.String(), before, t.AuditJSON()))
	})
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	return nil
}

func getToken(tx *bbolt.Tx, id []byte) (*concernmap.APIToken, error) {
	if len(id) != len(uuid.UUID{}) {
		return nil, fmt.Errorf("%w: token ID of %d bytes", errCorrupt, len(id))
	}
	v := tx.Bucket(bucketTokens).Get(id)
	if v == nil {
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "token %s not found", uuid.UUID(id))
	}
	t, err := decodeToken(id, v)
	if err != nil {
		return nil, fmt.Errorf("decode token %x: %w", id, err)
	}
	return t, nil
}

// normalizeToken returns a copy of t with its times as the store keeps
// them and a hash of its own.
func normalizeToken(t *concernmap.APIToken) *concernmap.APIToken {
	n := *t
	n.CreatedAt = concernmap.StoreTime(t.CreatedAt)
	n.LastUsedAt = concernmap.StoreTime(t.LastUsedAt)
	n.RevokedAt = concernmap.StoreTime(t.RevokedAt)
	n.Hash = bytes.Clone(t.Hash)
	return &n
}

// checkUser fails with EINVALID unless the user exists; it runs in the
// writing transaction, as a foreign key would.
func checkUser(tx *bbolt.Tx, id uuid.UUID) error {
	if tx.Bucket(bucketUsers).Get(id[:]) == nil {
		return concernmap.Invalid("user_id", "no user %s", id)
	}
	return nil
}
