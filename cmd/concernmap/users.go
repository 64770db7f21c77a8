package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/concernmap/concernmap"
)

// firstAdmin makes the admin account when there are no users: with
// CONCERNMAP_ADMIN_PASSWORD if set, else with a password printed once.
func (m *Main) firstAdmin(ctx context.Context) error {
	users, err := m.store.FindUsers(ctx)
	if err != nil || len(users) > 0 {
		return err
	}
	password, printed := m.Config.AdminPassword, false
	if password == "" {
		password, printed = newPassword(), true
	}
	u, err := concernmap.NewUser("admin", "Administrator", concernmap.RoleAdmin, password)
	if err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	if err := m.store.CreateUser(ctx, u); err != nil {
		if concernmap.ErrorCode(err) == concernmap.ECONFLICT {
			return nil // another instance made it first
		}
		return fmt.Errorf("first admin: %w", err)
	}
	if printed {
		fmt.Fprintf(m.stdout, "created the first admin: username admin, password %s (shown once; change it)\n", password)
	}
	return nil
}

// newPassword makes a random password of about 128 bits.
func newPassword() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Users runs `concernmap user add|list|disable|token`.
func (m *Main) Users(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: concernmap user add|list|disable|token [flags]")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	c := &m.Config
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", c.DatabaseURL), "PostgreSQL/PostGIS URL (env DATABASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", env("CONCERNMAP_DATA_DIR", c.DataDir), "directory of the embedded store (env CONCERNMAP_DATA_DIR)")
	username := fs.String("username", "", "the user's sign-in name")
	name := fs.String("name", "", "full name (add)")
	role := fs.String("role", "", "cswg_member, cswg_coordinator, authority, advocate or admin (add)")
	org := fs.String("organisation", "", "organisation (add)")
	lang := fs.String("language", "en", "en or my (add)")
	scope := fs.String("scope", "", "comma-separated area pcodes the user works in (add)")
	password := fs.String("password", "", "password (add; default: a random one, printed)")
	tokenName := fs.String("token-name", "command line", "what the API token is for (token)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := m.openStore(ctx); err != nil {
		return err
	}
	defer func() {
		m.store.Close()
		m.store = nil
	}()
	switch sub {
	case "list":
		us, err := m.store.FindUsers(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(m.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "USERNAME\tROLE\tORGANISATION\tSCOPE\tDISABLED")
		for _, u := range us {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%v\n", u.Username, u.Role, u.Organisation, strings.Join(u.Scope, ","), u.Disabled)
		}
		return w.Flush()
	case "add":
		pw, printed := *password, false
		if pw == "" {
			pw, printed = newPassword(), true
		}
		u, err := concernmap.NewUser(*username, *name, concernmap.Role(*role), pw)
		if err != nil {
			return err
		}
		u.Organisation, u.Language = *org, *lang
		if *scope != "" {
			u.Scope = strings.Split(*scope, ",")
		}
		if err := u.Validate(); err != nil {
			return err
		}
		if err := m.store.CreateUser(ctx, u); err != nil {
			return err
		}
		fmt.Fprintf(m.stdout, "added %s (%s)\n", u.Username, u.Role)
		if printed {
			fmt.Fprintf(m.stdout, "password: %s (shown once)\n", pw)
		}
		return nil
	case "disable":
		u, err := m.store.FindUserByUsername(ctx, *username)
		if err != nil {
			return err
		}
		u.Disabled = true
		if err := m.store.UpdateUser(ctx, u, u.Version); err != nil {
			return err
		}
		fmt.Fprintf(m.stdout, "disabled %s\n", u.Username)
		return nil
	case "token":
		u, err := m.store.FindUserByUsername(ctx, *username)
		if err != nil {
			return err
		}
		_, secret, err := concernmap.NewAuth(m.store).CreateToken(ctx, u, *tokenName)
		if err != nil {
			return err
		}
		fmt.Fprintln(m.stdout, secret)
		return nil
	}
	return fmt.Errorf("unknown user command %q: want add, list, disable or token", sub)
}

// demoUsers makes one demo account per role the first time demo data is
// seeded, and writes their passwords and an API token to
// demo-credentials.txt in the data directory (readable only by its
// owner), since they are shown nowhere else.
func (m *Main) demoUsers(ctx context.Context) error {
	if _, err := m.store.FindUserByUsername(ctx, "demo-advocate"); err == nil {
		return nil
	}
	scope := []string{"MMR003"}
	var lines []string
	for _, d := range []struct {
		username, name string
		role           concernmap.Role
		scope          []string
	}{
		{"demo-member", "Demo CSWG member", concernmap.RoleMember, scope},
		{"demo-coordinator", "Demo CSWG coordinator", concernmap.RoleCoordinator, scope},
		{"demo-authority", "Demo township officer", concernmap.RoleAuthority, scope},
		{"demo-advocate", "Demo advocate", concernmap.RoleAdvocate, nil},
		{"demo-admin", "Demo admin", concernmap.RoleAdmin, nil},
	} {
		pw := newPassword()
		u, err := concernmap.NewUser(d.username, d.name, d.role, pw)
		if err != nil {
			return err
		}
		u.Scope, u.Organisation = d.scope, "Demo (synthetic)"
		if err := m.store.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("demo user %s: %w", d.username, err)
		}
		lines = append(lines, fmt.Sprintf("%-18s %-18s password %s", d.username, d.role, pw))
		if d.role == concernmap.RoleAdvocate {
			_, secret, err := concernmap.NewAuth(m.store).CreateToken(ctx, u, "demo")
			if err != nil {
				return err
			}
			lines = append(lines, "", "API token of demo-advocate:", secret, "",
				fmt.Sprintf("try: curl -H 'Authorization: Bearer %s' 'http://%s/api/v1/concerns?bbox=97,16,98,17'", secret, m.Config.Addr))
		}
	}
	text := "Demo accounts (synthetic data only; do not use with real reports)\n\n" + strings.Join(lines, "\n") + "\n"
	if m.Config.DatabaseURL == "" {
		path := filepath.Join(m.Config.DataDir, "demo-credentials.txt")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		fmt.Fprintf(m.stdout, "demo accounts written to %s\n", path)
		return nil
	}
	fmt.Fprint(m.stdout, text)
	return nil
}

// demoWorkflow walks a few demo concerns through the process the first time
// demo data is seeded, so that every view has something to show: the
// coordinator verifies and prioritises, writes an action plan due for
// review today, and files a request that waits in the authority's inbox.
func (m *Main) demoWorkflow(ctx context.Context, svc *concernmap.Service) error {
	coord, err := m.store.FindUserByUsername(ctx, "demo-coordinator")
	if err != nil {
		return nil // no demo accounts: nothing to show them
	}
	member, err := m.store.FindUserByUsername(ctx, "demo-member")
	if err != nil {
		return nil
	}
	if rs, err := m.store.FindRequests(ctx); err != nil || len(rs) > 0 {
		return err
	}
	if err := svc.Reload(ctx); err != nil {
		return err
	}
	ctx = concernmap.WithViewer(concernmap.WithActor(ctx, concernmap.Actor{UserID: &coord.ID}), svc.NewViewer(coord, false, 5))
	// The tract in the coordinator's scope with the most open landmine and
	// road reports.
	page, err := svc.FindConcerns(ctx, concernmap.ConcernFilter{Area: coord.Scope[0], Limit: concernmap.MaxLimit,
		Categories: []string{"landmine_uxo", "unlit_road", "damaged_bridge"}, Statuses: []concernmap.Status{concernmap.StatusReported}}, "")
	if err != nil {
		return fmt.Errorf("demo workflow: %w", err)
	}
	byArea := map[string][]uuid.UUID{}
	best := ""
	for _, f := range page.Features {
		var c struct {
			ID         uuid.UUID `json:"id"`
			Properties struct {
				Area string `json:"area"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(f, &c); err != nil || c.Properties.Area == "" {
			continue
		}
		byArea[c.Properties.Area] = append(byArea[c.Properties.Area], c.ID)
		if len(byArea[c.Properties.Area]) > len(byArea[best]) {
			best = c.Properties.Area
		}
	}
	ids := byArea[best]
	if len(ids) < 4 {
		return nil
	}
	ids = ids[:4]
	for _, id := range ids {
		for _, to := range []concernmap.Status{concernmap.StatusVerified, concernmap.StatusPrioritised} {
			if _, err := svc.MoveConcern(ctx, id, to, "Demo: checked by two CSWG members", 0); err != nil {
				return fmt.Errorf("demo workflow: %w", err)
			}
		}
	}
	today := svc.Today()
	t, _ := time.Parse("2006-01-02", string(today))
	in := func(days int) concernmap.Date { return concernmap.Date(t.AddDate(0, 0, days).Format("2006-01-02")) }
	_, err = svc.CreatePlan(ctx, &concernmap.ActionPlan{
		Area: best, Title: "Make the path to the school safe",
		Problem: "Children walk past suspected mines and along an unlit road to reach the school.",
		Steps:   []string{"Mark the suspected area with warning signs", "Ask the township for clearance", "Walk children in groups until it is cleared"},
		Tasks: []concernmap.Task{
			{Title: "Put up warning signs", Assignee: member.ID, Due: in(3)},
			{Title: "Write the clearance request", Assignee: coord.ID, Due: in(1)},
		},
		Objectives: []concernmap.Objective{{Text: "Children reach school safely", Indicators: []concernmap.Indicator{
			{Name: "Suspected mine sites marked", Unit: "sites", Baseline: 0, Target: 3, Current: 1},
		}}},
		ReviewDates: []concernmap.Date{today, in(30)},
		Concerns:    ids[:2],
	})
	if err != nil {
		return fmt.Errorf("demo workflow: %w", err)
	}
	_, err = svc.FileRequest(ctx, &concernmap.Request{Area: best, Concerns: ids[:3],
		Ask: "Please survey and clear the suspected mines beside the path to the school.", Due: in(14)})
	if err != nil {
		return fmt.Errorf("demo workflow: %w", err)
	}
	fmt.Fprintf(m.stdout, "seeded a demo action plan and a request to the authority for %s\n", best)
	return nil
}
