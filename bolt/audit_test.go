package bolt

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/storetest"
)

// TestPutAuditRefusesExistingKey checks the one path that writes to the
// audit bucket: an event whose key is there is refused, the record stays as
// it was, and the rest of the transaction is rolled back with it.
func TestPutAuditRefusesExistingKey(t *testing.T) {
	t.Parallel()
	db, err := Open(filepath.Join(t.TempDir(), "concernmap.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := concernmap.NewAuditEvent(t.Context(), time.Now(), "concern.create", "concern", uuid.NewString(), nil, []byte(`{"a":1}`))
	if err := db.db.Update(func(tx *bbolt.Tx) error { return putAudit(tx, e) }); err != nil {
		t.Fatalf("put: %v", err)
	}
	var want []byte
	db.db.View(func(tx *bbolt.Tx) error {
		want = bytes.Clone(tx.Bucket(bucketAudit).Get(e.ID[:]))
		return nil
	})

	forged := *e
	forged.Action, forged.After = "concern.read", []byte(`{"forged":true}`)
	other := concernmap.NewAuditEvent(t.Context(), time.Now(), "concern.create", "concern", "", nil, nil)
	for _, batch := range [][]*concernmap.AuditEvent{{&forged}, {other, &forged}} {
		err := db.db.Update(func(tx *bbolt.Tx) error { return putAudit(tx, batch...) })
		if code := concernmap.ErrorCode(err); code != concernmap.ECONFLICT {
			t.Errorf("put %d events: got %v, want code %q", len(batch), err, concernmap.ECONFLICT)
		}
	}
	db.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if got := b.Get(e.ID[:]); !bytes.Equal(got, want) {
			t.Errorf("record: got %q, want %q", got, want)
		}
		if b.Get(other.ID[:]) != nil {
			t.Errorf("the batch with the refused event was written in part")
		}
		return nil
	})
}

// auditFixtures returns events that between them set and leave out every
// optional field of an audit record.
func auditFixtures() []*concernmap.AuditEvent {
	user := uuid.New()
	ctx := concernmap.WithActor(context.Background(), concernmap.Actor{UserID: &user, RequestID: "req-1"})
	at := storetest.StoredTime(time.Now())
	return []*concernmap.AuditEvent{
		concernmap.NewAuditEvent(ctx, at, "concern.update", "concern", uuid.NewString(), []byte(`{"v":1}`), []byte(`{"v":2}`)),
		concernmap.NewAuditEvent(context.Background(), at, "user.login_failed", "user", "ဒေါ်ခင်", nil, nil),
		concernmap.NewAuditEvent(ctx, time.UnixMicro(0).UTC(), "x", "y", "", []byte(`null`), nil),
	}
}

func TestAuditRecordRoundTrip(t *testing.T) {
	for _, want := range auditFixtures() {
		t.Run(want.Action, func(t *testing.T) {
			rec := appendAuditRecord(nil, want)
			v, err := parseAudit(rec)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			got := v.event(want.ID[:])
			// The event must own its memory: bbolt reuses the record's.
			clear(rec)
			if d := diffEvent(got, want); d != "" {
				t.Errorf("decode:\n%s", d)
			}
		})
	}
}

// diffEvent describes how got differs from want, or returns "".
func diffEvent(got, want *concernmap.AuditEvent) string {
	user := func(id *uuid.UUID) string {
		if id == nil {
			return "system"
		}
		return id.String()
	}
	g := fmt.Sprintf("%v %v %s %q %q %q %q %q %q %v %v", got.ID, got.At, user(got.UserID), got.Action, got.Entity,
		got.EntityID, got.RequestID, got.Before, got.After, got.Before == nil, got.After == nil)
	w := fmt.Sprintf("%v %v %s %q %q %q %q %q %q %v %v", want.ID, want.At, user(want.UserID), want.Action, want.Entity,
		want.EntityID, want.RequestID, want.Before, want.After, want.Before == nil, want.After == nil)
	if g != w || got.At.Location() != time.UTC {
		return fmt.Sprintf("\tgot  %s\n\twant %s", g, w)
	}
	return ""
}
