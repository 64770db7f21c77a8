package concernmap_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/concernmap/concernmap"
)

// TestViewerClass checks that users share a tile class exactly when they
// see the same, and that a class never sees what only one user in it may:
// a reporter's own sensitive report outside their scope.
func TestViewerClass(t *testing.T) {
	svc := newService(t)
	if _, err := svc.ImportAreas(context.Background(), grid2x2()); err != nil {
		t.Fatal(err)
	}
	user := func(role concernmap.Role, scope ...string) *concernmap.User {
		return &concernmap.User{ID: uuid.New(), Role: role, Scope: scope}
	}
	class := func(u *concernmap.User, public bool) string {
		c, _ := svc.NewViewer(u, public, 5).Class()
		return c
	}
	tests := []struct {
		name string
		a, b *concernmap.User
		same bool
	}{
		{"two members, same scope", user(concernmap.RoleMember, "T1V1", "T1V2"), user(concernmap.RoleMember, "T1V2", "T1V1"), true},
		{"two members, other scopes", user(concernmap.RoleMember, "T1V1"), user(concernmap.RoleMember, "T1V2"), false},
		{"member and coordinator, same scope", user(concernmap.RoleMember, "T1"), user(concernmap.RoleCoordinator, "T1"), false},
		{"two advocates, any scope", user(concernmap.RoleAdvocate, "T1V1"), user(concernmap.RoleAdvocate), true},
		{"two admins", user(concernmap.RoleAdmin), user(concernmap.RoleAdmin, "T1"), true},
	}
	for _, tt := range tests {
		if got := class(tt.a, false) == class(tt.b, false); got != tt.same {
			t.Errorf("%s: same class = %v, want %v (%q, %q)", tt.name, got, tt.same, class(tt.a, false), class(tt.b, false))
		}
	}
	if got := class(nil, true); got != "public" {
		t.Errorf("visitor with a public map: class %q, want public", got)
	}
	if got := class(nil, false); got != "none" {
		t.Errorf("visitor without a public map: class %q, want none", got)
	}

	member := user(concernmap.RoleMember, "T1V1")
	v := svc.NewViewer(member, false, 5)
	_, cv := v.Class()
	// Their own domestic-violence report in T1V2, outside their scope.
	if got := v.Visibility("domestic_violence", "T1V2", member.ID); got != concernmap.SeeFull {
		t.Fatalf("the reporter sees their own report as %v, want full", got)
	}
	if got := cv.Visibility("domestic_violence", "T1V2", member.ID); got != concernmap.SeeAggregate {
		t.Errorf("their class sees it as %v, want aggregate only", got)
	}
	if got := cv.Visibility("domestic_violence", "T1V1", uuid.New()); got != concernmap.SeeNoReporter {
		t.Errorf("their class sees a sensitive report in scope as %v, want without reporter", got)
	}
}
