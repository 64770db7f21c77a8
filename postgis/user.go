package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/concernmap/concernmap"
)

var _ concernmap.UserStore = (*DB)(nil)

const selectUser = `SELECT id, username, name, role, organisation, language, scope, password_hash, disabled,
	created_at, updated_at, version
	FROM users`

// scanUser reads one row of selectUser.
func scanUser(row pgx.Row) (*concernmap.User, error) {
	var (
		u       concernmap.User
		id      [16]byte
		role    string
		version int32
	)
	err := row.Scan(&id, &u.Username, &u.Name, &role, &u.Organisation, &u.Language, &u.Scope, &u.PasswordHash,
		&u.Disabled, &u.CreatedAt, &u.UpdatedAt, &version)
	if err != nil {
		return nil, err
	}
	u.ID, u.Role, u.Version = id, concernmap.Role(role), int(version)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	// An empty array reads as an empty slice; the domain says none with nil.
	if len(u.Scope) == 0 {
		u.Scope = nil
	}
	return &u, nil
}

// findUser reads one user; suffix may add a locking clause.
func findUser(ctx context.Context, q querier, id uuid.UUID, suffix string) (*concernmap.User, error) {
	u, err := scanUser(q.QueryRow(ctx, selectUser+` WHERE id = $1`+suffix, pgtype.UUID{Bytes: id, Valid: true}))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "user %s not found", id)
	}
	return u, err
}

// CreateUser inserts u at Version 1; a zero CreatedAt or UpdatedAt becomes
// now. It logs user.create without the password hash. On success it fills
// in u's Version and times as stored.
func (db *DB) CreateUser(ctx context.Context, u *concernmap.User) error {
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
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO users (id, username, name, role, organisation, language, scope,
				password_hash, disabled, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, userArgs(stored)...)
		if err != nil {
			return userConflict(err)
		}
		return insertAudit(ctx, tx, ev)
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
	if err := u.Validate(); err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	now := concernmap.StoreTime(time.Now())
	var stored *concernmap.User
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		old, err := findUser(ctx, tx, u.ID, ` FOR UPDATE`)
		if err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != old.Version {
			return concernmap.Errorf(concernmap.EPRECONDITION, "user %s is at version %d, not %d", u.ID, old.Version, ifVersion)
		}
		stored = normalizeUser(u)
		stored.CreatedAt, stored.UpdatedAt, stored.Version = old.CreatedAt, now, old.Version+1
		_, err = tx.Exec(ctx, `UPDATE users SET username = $2, name = $3, role = $4, organisation = $5,
				language = $6, scope = $7, password_hash = $8, disabled = $9, created_at = $10,
				updated_at = $11, version = $12
			WHERE id = $1`, userArgs(stored)...)
		if err != nil {
			return userConflict(err)
		}
		return insertAudit(ctx, tx, concernmap.NewAuditEvent(ctx, now, "user.update", "user", u.ID.String(), old.AuditJSON(), stored.AuditJSON()))
	})
	if err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	u.Version, u.CreatedAt, u.UpdatedAt = stored.Version, stored.CreatedAt, stored.UpdatedAt
	return nil
}

// userArgs returns u as query arguments in the column order of selectUser.
func userArgs(u *concernmap.User) []any {
	scope := u.Scope
	if scope == nil {
		scope = []string{}
	}
	return []any{pgtype.UUID{Bytes: u.ID, Valid: true}, u.Username, u.Name, string(u.Role), u.Organisation,
		u.Language, scope, u.PasswordHash, u.Disabled, u.CreatedAt, u.UpdatedAt, int32(u.Version)}
}

// userConflict turns a unique violation of users into ECONFLICT.
func userConflict(err error) error {
	if pgCode(err) != uniqueViolation {
		return err
	}
	if pgConstraint(err) == "users_username_key" {
		return conflict("username", "is taken")
	}
	return conflict("id", "is taken")
}

// conflict returns an ECONFLICT error that names the field at fault.
func conflict(field, msg string) error {
	return &concernmap.Error{Code: concernmap.ECONFLICT, Message: field + " " + msg,
		Fields: []concernmap.FieldError{{Field: field, Message: msg}}}
}

// FindUserByID returns one user; ENOTFOUND if none.
func (db *DB) FindUserByID(ctx context.Context, id uuid.UUID) (*concernmap.User, error) {
	u, err := findUser(ctx, db.pool, id, "")
	if err != nil {
		return nil, fmt.Errorf("find user %s: %w", id, err)
	}
	return u, nil
}

// FindUserByUsername returns the user with exactly that username;
// ENOTFOUND if none.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (*concernmap.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, selectUser+` WHERE username = $1`, username))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "user %q not found", username)
	} else if err != nil {
		return nil, fmt.Errorf("find user %q: %w", username, err)
	}
	return u, nil
}

// FindUsers returns every user, disabled or not, by username. The order is
// byte order, as in the bolt store, whatever the database's collation.
func (db *DB) FindUsers(ctx context.Context) ([]*concernmap.User, error) {
	rows, err := db.pool.Query(ctx, selectUser+` ORDER BY username COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var out []*concernmap.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("find users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return out, nil
}

// normalizeUser returns a copy of u with its times as PostgreSQL keeps them.
func normalizeUser(u *concernmap.User) *concernmap.User {
	n := *u
	n.CreatedAt, n.UpdatedAt = concernmap.StoreTime(u.CreatedAt), concernmap.StoreTime(u.UpdatedAt)
	if len(n.Scope) == 0 {
		n.Scope = nil
	}
	return &n
}

// CreateSession stores s. The user must exist (EINVALID for "user_id"); a
// token hash that is there already is ECONFLICT.
func (db *DB) CreateSession(ctx context.Context, s *concernmap.Session) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`,
		s.TokenHash, pgtype.UUID{Bytes: s.UserID, Valid: true}, s.CSRFToken,
		concernmap.StoreTime(s.CreatedAt), concernmap.StoreTime(s.ExpiresAt))
	switch pgCode(err) {
	case foreignKeyViolation:
		err = concernmap.Invalid("user_id", "no user %s", s.UserID)
	case uniqueViolation:
		err = conflict("token_hash", "is taken")
	}
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// FindSession returns the session whose token hashes to tokenHash if it
// expires after now; ENOTFOUND otherwise.
func (db *DB) FindSession(ctx context.Context, tokenHash []byte, now time.Time) (*concernmap.Session, error) {
	s := &concernmap.Session{TokenHash: append([]byte(nil), tokenHash...)}
	var user [16]byte
	err := db.pool.QueryRow(ctx, `SELECT user_id, csrf_token, created_at, expires_at FROM sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, now).Scan(&user, &s.CSRFToken, &s.CreatedAt, &s.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		// The hash is a secret's; it stays out of the message.
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "session not found")
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	s.UserID, s.CreatedAt, s.ExpiresAt = user, s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return s, nil
}

// DeleteSession removes a session, expired or not; removing one that is not
// there is not an error, so signing out twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

const selectToken = `SELECT id, user_id, name, hash, created_at, last_used_at, revoked_at FROM api_tokens`

// scanToken reads one row of selectToken.
func scanToken(row pgx.Row) (*concernmap.APIToken, error) {
	var (
		t             concernmap.APIToken
		id, user      [16]byte
		used, revoked pgtype.Timestamptz
	)
	if err := row.Scan(&id, &user, &t.Name, &t.Hash, &t.CreatedAt, &used, &revoked); err != nil {
		return nil, err
	}
	t.ID, t.UserID, t.CreatedAt = id, user, t.CreatedAt.UTC()
	if used.Valid {
		t.LastUsedAt = used.Time.UTC()
	}
	if revoked.Valid {
		t.RevokedAt = revoked.Time.UTC()
	}
	return &t, nil
}

// CreateAPIToken stores t. The user must exist (EINVALID for "user_id"); an
// ID or hash that is there already is ECONFLICT. It logs token.create
// without the hash.
func (db *DB) CreateAPIToken(ctx context.Context, t *concernmap.APIToken) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("create token %s: %w", t.ID, err)
	}
	stored := *t
	stored.CreatedAt = concernmap.StoreTime(t.CreatedAt)
	stored.LastUsedAt = concernmap.StoreTime(t.LastUsedAt)
	stored.RevokedAt = concernmap.StoreTime(t.RevokedAt)
	ev := concernmap.NewAuditEvent(ctx, time.Now().UTC(), "token.create", "api_token", t.ID.String(), nil, stored.AuditJSON())
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO api_tokens (id, user_id, name, hash, created_at, last_used_at, revoked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			pgtype.UUID{Bytes: t.ID, Valid: true}, pgtype.UUID{Bytes: t.UserID, Valid: true}, t.Name, t.Hash,
			stored.CreatedAt, nullTime(stored.LastUsedAt), nullTime(stored.RevokedAt))
		switch {
		case pgCode(err) == foreignKeyViolation:
			return concernmap.Invalid("user_id", "no user %s", t.UserID)
		case pgCode(err) == uniqueViolation && pgConstraint(err) == "api_tokens_hash_key":
			return conflict("hash", "is taken")
		case pgCode(err) == uniqueViolation:
			return conflict("id", "is taken")
		case err != nil:
			return err
		}
		return insertAudit(ctx, tx, ev)
	})
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.ID, err)
	}
	return nil
}

// FindAPIToken returns the token with that hash unless it is revoked;
// ENOTFOUND otherwise.
func (db *DB) FindAPIToken(ctx context.Context, hash []byte) (*concernmap.APIToken, error) {
	t, err := scanToken(db.pool.QueryRow(ctx, selectToken+` WHERE hash = $1 AND revoked_at IS NULL`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, concernmap.Errorf(concernmap.ENOTFOUND, "token not found")
	} else if err != nil {
		return nil, fmt.Errorf("find token: %w", err)
	}
	return t, nil
}

// FindAPITokens returns the user's tokens, revoked ones too, oldest first.
func (db *DB) FindAPITokens(ctx context.Context, userID uuid.UUID) ([]*concernmap.APIToken, error) {
	rows, err := db.pool.Query(ctx, selectToken+` WHERE user_id = $1 ORDER BY created_at, id`,
		pgtype.UUID{Bytes: userID, Valid: true})
	if err != nil {
		return nil, fmt.Errorf("find tokens of %s: %w", userID, err)
	}
	defer rows.Close()
	var out []*concernmap.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("find tokens of %s: %w", userID, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find tokens of %s: %w", userID, err)
	}
	return out, nil
}

// RevokeAPIToken sets the token's RevokedAt to now and logs token.revoke;
// ENOTFOUND if there is no such token. A token revoked already keeps its
// first RevokedAt, and nothing is written.
func (db *DB) RevokeAPIToken(ctx context.Context, id uuid.UUID, now time.Time) error {
	now = concernmap.StoreTime(now)
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		t, err := scanToken(tx.QueryRow(ctx, selectToken+` WHERE id = $1 FOR UPDATE`, pgtype.UUID{Bytes: id, Valid: true}))
		if errors.Is(err, pgx.ErrNoRows) {
			return concernmap.Errorf(concernmap.ENOTFOUND, "token %s not found", id)
		} else if err != nil {
			return err
		}
		if !t.RevokedAt.IsZero() {
			return nil
		}
		before := t.AuditJSON()
		t.RevokedAt = now
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE id = $1`, pgtype.UUID{Bytes: id, Valid: true}, now); err != nil {
			return err
		}
		return insertAudit(ctx, tx, concernmap.NewAuditEvent(ctx, now, "token.revoke", "api_token", id.String(), before, t.AuditJSON()))
	})
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	return nil
}

// nullTime returns t as a timestamptz argument, NULL if zero.
func nullTime(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}
