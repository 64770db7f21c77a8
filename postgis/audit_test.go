package postgis_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/postgis"
	"github.com/concernmap/concernmap/postgis/postgistest"
	"github.com/concernmap/concernmap/storetest"
)

// TestAuditAppendOnly checks that the database itself refuses to change or
// remove an audit event, whoever asks: the triggers of migration 00005.
func TestAuditAppendOnly(t *testing.T) {
	db := MustOpen(t, postgistest.MustOpenDB(t))
	defer db.Close()
	c := storetest.NewConcern()
	if _, _, err := db.CreateConcern(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	want := mustFindAudit(t, db)
	if len(want) != 1 {
		t.Fatalf("got %d events, want 1", len(want))
	}

	for _, sql := range []string{
		`UPDATE audit_log SET action = 'concern.read'`,
		`UPDATE audit_log SET after = NULL WHERE entity_id = '` + c.ID.String() + `'`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE entity = 'concern'`,
		`TRUNCATE audit_log`,
		`INSERT INTO audit_log (id, at, action, entity) VALUES ('` + want[0].ID.String() + `', now(), 'x', 'y')
			ON CONFLICT (id) DO UPDATE SET action = 'forged'`,
	} {
		_, err := db.Pool().Exec(t.Context(), sql)
		// insufficient_privilege, raised by the triggers.
		if code := pgCode(err); code != "42501" {
			t.Errorf("%s: got %v, want it refused with SQLSTATE 42501", sql, err)
		}
	}
	got := mustFindAudit(t, db)
	if len(got) != 1 || got[0].ID != want[0].ID || got[0].Action != want[0].Action || string(got[0].After) != string(want[0].After) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func mustFindAudit(t *testing.T, db *postgis.DB) []*concernmap.AuditEvent {
	t.Helper()
	events, err := db.FindAudit(t.Context(), concernmap.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// TestAuditFailureFailsWrite makes every audit insert fail and checks that
// each write then fails whole: the change and its event are one
// transaction.
func TestAuditFailureFailsWrite(t *testing.T) {
	db := MustOpen(t, postgistest.MustOpenDB(t))
	defer db.Close()
	ctx := t.Context()
	existing := storetest.NewConcern()
	if _, _, err := db.CreateConcern(ctx, existing); err != nil {
		t.Fatal(err)
	}
	user := storetest.NewUser()
	if err := db.CreateUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	_, err := db.Pool().Exec(ctx, `
		CREATE FUNCTION audit_fail() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit is down'; END $$;
		CREATE TRIGGER audit_fail BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_fail()`)
	if err != nil {
		t.Fatal(err)
	}

	fresh := storetest.NewConcern()
	area := storetest.NewArea()
	title := "changed"
	renamed := *user
	renamed.Name = "changed"
	writes := []struct {
		name string
		fn   func() error
	}{
		{"create concern", func() error { _, _, err := db.CreateConcern(ctx, fresh); return err }},
		{"create concerns", func() error { _, err := db.CreateConcerns(ctx, []*concernmap.Concern{fresh}); return err }},
		{"update concern", func() error {
			_, err := db.UpdateConcern(ctx, existing.ID, concernmap.ConcernUpdate{Title: &title}, 0, time.Now())
			return err
		}},
		{"delete concern", func() error { _, err := db.DeleteConcern(ctx, existing.ID, 0, time.Now()); return err }},
		{"upsert areas", func() error { _, _, err := db.UpsertAreas(ctx, []*concernmap.Area{area}, time.Now()); return err }},
		{"assign areas", func() error {
			_, err := db.AssignConcernAreas(ctx, map[uuid.UUID]string{existing.ID: "MMR013009999"}, time.Now())
			return err
		}},
		{"create user", func() error { return db.CreateUser(ctx, storetest.NewUser()) }},
		{"update user", func() error { return db.UpdateUser(ctx, &renamed, 0) }},
	}
	for _, w := range writes {
		if err := w.fn(); err == nil {
			t.Errorf("%s: got nil error, want the audit's failure", w.name)
		} else if concernmap.ErrorCode(err) != concernmap.EINTERNAL {
			t.Errorf("%s: got code %q (%v), want %q", w.name, concernmap.ErrorCode(err), err, concernmap.EINTERNAL)
		}
	}

	if _, err := db.FindConcernByID(ctx, fresh.ID); concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
		t.Errorf("new concern: got %v, want code %q", err, concernmap.ENOTFOUND)
	}
	got, err := db.FindConcernByID(ctx, existing.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.Title != existing.Title || got.Area != existing.Area {
		t.Errorf("existing concern: got version %d %q in %q, want it unchanged", got.Version, got.Title, got.Area)
	}
	if _, err := db.FindAreaByPCode(ctx, area.PCode); concernmap.ErrorCode(err) != concernmap.ENOTFOUND {
		t.Errorf("area: got %v, want code %q", err, concernmap.ENOTFOUND)
	}
	u, err := db.FindUserByID(ctx, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckUser(t, "user", u, user)
	users, err := db.FindUsers(ctx)
	if err != nil || len(users) != 1 {
		t.Errorf("got %d users, %v, want 1, nil", len(users), err)
	}
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
