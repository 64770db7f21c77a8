package concernmap

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"golang.org/x/sync/errgroup"
)

// ConcernIndex answers spatial and attribute queries from memory.
type ConcernIndex interface {
	// Put adds or replaces c, and a deleted c removes it. A Put older than
	// the version the index holds is ignored, so commits that reach the
	// index out of order never roll it back.
	Put(c *Concern)
	// Find returns up to f.Limit concerns that match f, in ID order after
	// f.After, encoded as GeoJSON features without the reporter.
	Find(f *ConcernFilter) ConcernPage
	// Each calls fn for every concern that matches f's attribute filters
	// (not the spatial ones or the page), for statistics.
	Each(f *ConcernFilter, fn func(*ConcernAttrs))
	// EachIn is Each for the concerns whose geometry meets b, for tiles;
	// it leaves Point zero for lines and polygons.
	EachIn(f *ConcernFilter, b orb.Bound, fn func(*ConcernAttrs))
	// EachPoint gives, for clustering, the point (a box centre for lines
	// and polygons) and category of each concern whose point lies in b.
	EachPoint(f *ConcernFilter, b orb.Bound, fn func(p orb.Point, category string, vis Visibility))
	// Bound returns the bound and area of the concern the index holds, if
	// any; a write uses it to find the tiles the concern left.
	Bound(id uuid.UUID) (b orb.Bound, area string, ok bool)
	// Len returns how many concerns the index holds.
	Len() int
}

// ConcernAttrs are what statistics count of a concern: no text, and one
// representative point for its geometry.
type ConcernAttrs struct {
	ID         uuid.UUID
	Geometry   orb.Geometry
	Category   string
	Status     Status
	Severity   int
	Affected   Affected
	When       WhenKind
	ObservedAt int64 // unix microseconds
	Area       string
	Point      orb.Point
	// Visibility is what the filter's viewer may see of the concern;
	// SeeFull when the filter has none.
	Visibility Visibility
}

// ConcernPage is one page of a query.
type ConcernPage struct {
	Features [][]byte // GeoJSON Feature objects
	Last     uuid.UUID
	More     bool   // whether another page follows
	Next     string // the cursor for the next page; set by the Service
	// Sensitive lists the concerns on the page in sensitive categories,
	// whose exact places the service logs as read.
	Sensitive []uuid.UUID
}

// ConcernNotifier is a store that several instances share. Listen calls fn
// with the ID of each concern any instance changes, and with uuid.Nil when
// changes may have been missed, until ctx ends. When fn fails, Listen
// starts again from a fresh connection and a uuid.Nil.
type ConcernNotifier interface {
	Listen(ctx context.Context, fn func(id uuid.UUID) error) error
}

// Store is a system of record: concerns, areas, users and the audit log
// in one place.
type Store interface {
	ConcernStore
	AreaStore
	UserStore
	WorkflowStore
}

// Service is the domain service: it applies the rules, writes to the store
// and, only after the commit, to the indexes.
type Service struct {
	store    Store
	index    atomic.Pointer[ConcernIndex] // swapped whole by a reload
	newIndex func() ConcernIndex
	areas    AreaIndex
	now      func() time.Time
	zone     *time.Location // where days begin, for due and review dates
	log      *slog.Logger
	secret   []byte
	loaded   atomic.Bool
	// gen counts changes to the index; memo keeps what is computed from
	// the whole index until it changes.
	gen  atomic.Uint64
	memo memo
	// onChange hears of every change to the index, for the tile cache.
	onChange atomic.Pointer[func(Change)]
	// sensitive maps category keys to their sensitive flag; replaced whole
	// when categories change.
	sensitive atomic.Pointer[map[string]bool]
}

// NewService returns a service over store, with concern indexes made by
// newIndex and the area index areas. Call Load, or Follow for a shared
// store, before use.
func NewService(store Store, newIndex func() ConcernIndex, areas AreaIndex) *Service {
	s := &Service{store: store, newIndex: newIndex, areas: areas, now: time.Now, zone: DefaultZone, log: slog.New(slog.DiscardHandler)}
	index := newIndex()
	s.index.Store(&index)
	return s
}

// SetLogger sets where the service reports what it cannot return, such as
// a failed refresh from another instance's change.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }

func (s *Service) idx() ConcernIndex { return *s.index.Load() }

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Load fills the index from the store.
func (s *Service) Load(ctx context.Context) error {
	secret, err := s.store.Secret(ctx)
	if err != nil {
		return fmt.Errorf("load secret: %w", err)
	}
	s.secret = secret
	if err := s.loadCategories(ctx); err != nil {
		return err
	}
	if err := s.loadAreas(ctx); err != nil {
		return err
	}
	if err := s.fill(ctx, s.idx()); err != nil {
		return err
	}
	s.loaded.Store(true)
	return nil
}

// Follow keeps the index in step with a store that other instances write
// to, until ctx ends. Whenever the notifier says changes may have been
// missed (first of all at start) it loads a fresh index and swaps it in;
// otherwise it refreshes the one concern that changed. Notices arrive in
// order on one goroutine, so a change made during a reload is applied after
// the swap. ready is closed after the first load.
func (s *Service) Follow(ctx context.Context, n ConcernNotifier, ready chan<- struct{}) error {
	secret, err := s.store.Secret(ctx)
	if err != nil {
		return fmt.Errorf("load secret: %w", err)
	}
	s.secret = secret
	return n.Listen(ctx, func(id uuid.UUID) error {
		if id == uuid.Nil {
			// Areas and categories change rarely; a reload covers them.
			if err := s.loadCategories(ctx); err != nil {
				return err
			}
			if err := s.loadAreas(ctx); err != nil {
				return err
			}
		}
		if id != uuid.Nil {
			return s.Refresh(ctx, id)
		}
		if err := s.Reload(ctx); err != nil {
			return err
		}
		if !s.loaded.Swap(true) {
			close(ready)
		}
		return nil
	})
}

// Reload builds a fresh concern index from the store and swaps it in;
// queries meanwhile use the old one.
func (s *Service) Reload(ctx context.Context) error {
	fresh := s.newIndex()
	start := time.Now()
	if err := s.fill(ctx, fresh); err != nil {
		return fmt.Errorf("reload index: %w", err)
	}
	s.index.Store(&fresh)
	s.changedAll()
	s.log.Info("index loaded", slog.Int("concerns", fresh.Len()), slog.Float64("seconds", time.Since(start).Seconds()))
	return nil
}

// fill loads every live concern into x. Decoding and GeoJSON encoding run on
// every core, since start-up time is what a restart costs users.
func (s *Service) fill(ctx context.Context, x ConcernIndex) error {
	g, ctx := errgroup.WithContext(ctx)
	ch := make(chan []*Concern, 64)
	for range runtime.GOMAXPROCS(0) {
		g.Go(func() error {
			for batch := range ch {
				for _, c := range batch {
					x.Put(c)
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(ch)
		batch := make([]*Concern, 0, 256)
		err := s.store.ScanConcerns(ctx, func(c *Concern) error {
			batch = append(batch, c)
			if len(batch) == cap(batch) {
				select {
				case ch <- batch:
				case <-ctx.Done():
					return ctx.Err()
				}
				batch = make([]*Concern, 0, 256)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("scan concerns: %w", err)
		}
		ch <- batch
		return nil
	})
	return g.Wait()
}

// Ready reports whether the store answers and the index is loaded.
func (s *Service) Ready(ctx context.Context) error {
	if !s.loaded.Load() {
		return Errorf(EINTERNAL, "index not loaded")
	}
	return s.store.Ping(ctx)
}

// IndexLen returns how many concerns the index holds.
func (s *Service) IndexLen() int { return s.idx().Len() }

// CreateConcern records a new concern. If one with the same ID exists it is
// returned with created=false: an offline phone that retries gets the
// first result and no duplicate.
func (s *Service) CreateConcern(ctx context.Context, c *Concern) (_ *Concern, created bool, err error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	if c.Status == "" {
		c.Status = StatusReported
	}
	if c.ReportedAt.IsZero() {
		c.ReportedAt = now
	} else if c.ReportedAt.After(now.Add(clockSkew)) {
		return nil, false, Invalid("properties.reported_at", "must not be in the future")
	}
	if c.ObservedAt.IsZero() {
		c.ObservedAt = c.ReportedAt
	}
	if c.WhenDangerous.Kind == "" {
		c.WhenDangerous.Kind = WhenAlways
	}
	c.UpdatedAt, c.Version = now, 1
	// The reporter is whoever is signed in, never what the body says; an
	// anonymous report stores no one.
	c.Reporter = nil
	if v := ViewerFrom(ctx); v != nil && v.User != nil && !c.Anonymous {
		id := v.User.ID
		c.Reporter = &id
	}
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	c.Area = s.areas.Locate(c.Geometry)
	got, created, err := s.store.CreateConcern(ctx, c)
	if err != nil {
		return nil, false, fmt.Errorf("create concern %s: %w", c.ID, err)
	}
	if !created && got.Deleted() {
		return nil, false, Errorf(ECONFLICT, "concern %s was deleted; use a new id", c.ID)
	}
	if created {
		s.put(got)
	}
	return got, created, nil
}

func (s *Service) loadCategories(ctx context.Context) error {
	cats, err := s.store.FindCategories(ctx)
	if err != nil {
		return fmt.Errorf("load categories: %w", err)
	}
	m := make(map[string]bool, len(cats))
	for _, c := range cats {
		m[c.Key] = c.Sensitive
	}
	s.sensitive.Store(&m)
	return nil
}

// NewViewer returns the viewer for u (nil for an anonymous visitor), with
// u's scope widened to every area below it.
func (s *Service) NewViewer(u *User, publicMap bool, k int) *Viewer {
	v := &Viewer{User: u, PublicMap: publicMap, K: k, scope: map[string]bool{}, sensitive: map[string]bool{}}
	if m := s.sensitive.Load(); m != nil {
		v.sensitive = *m
	}
	if u != nil {
		for _, p := range u.Scope {
			for _, q := range s.areas.Within(p) {
				v.scope[q] = true
			}
		}
	}
	return v
}

// FindConcernByID returns one concern from the store, as much of it as the
// viewer in ctx may see: a concern it may not see as a point is not found,
// and the reporter is left out unless it may see them. A read that shows a
// sensitive concern's place is logged.
func (s *Service) FindConcernByID(ctx context.Context, id uuid.UUID) (*Concern, error) {
	v := ViewerFrom(ctx)
	if v != nil && v.Anonymous() {
		return nil, Errorf(EUNAUTHORIZED, "sign in to see concerns")
	}
	c, err := s.store.FindConcernByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("find concern %s: %w", id, err)
	}
	if v == nil {
		if c.Deleted() {
			return nil, Errorf(EGONE, "concern %s was deleted", id)
		}
		return c, nil
	}
	var reporter uuid.UUID
	if c.Reporter != nil {
		reporter = *c.Reporter
	}
	vis := v.Visibility(c.Category, c.Area, reporter)
	if vis < SeeNoReporter {
		return nil, Errorf(ENOTFOUND, "no concern %s", id)
	}
	if c.Deleted() {
		return nil, Errorf(EGONE, "concern %s was deleted", id)
	}
	if vis < SeeFull {
		c.Reporter = nil
		c.ReporterHidden = true
	}
	if v.Sensitive(c.Category) {
		s.auditRead(ctx, []uuid.UUID{c.ID})
	}
	return c, nil
}

// auditRead logs that the viewer was shown the exact place of sensitive
// concerns. A failure is logged, not returned: the reader already has the
// data, and refusing now would protect no one.
func (s *Service) auditRead(ctx context.Context, ids []uuid.UUID) {
	if len(ids) == 0 {
		return
	}
	after, _ := json.Marshal(map[string]any{"ids": ids})
	entityID := ids[0].String()
	if len(ids) > 1 {
		entityID = ""
	}
	ev := NewAuditEvent(ctx, s.now().UTC(), "concern.read_sensitive", "concern", entityID, nil, after)
	if err := s.store.AppendAudit(ctx, ev); err != nil {
		s.log.Error("audit sensitive read", slog.Any("err", err))
	}
}

// FindConcerns answers a query from the index. cursor is the Next of a
// previous page of the same query, or "".
func (s *Service) FindConcerns(ctx context.Context, f ConcernFilter, cursor string) (ConcernPage, error) {
	if err := f.Validate(); err != nil {
		return ConcernPage{}, err
	}
	if v := ViewerFrom(ctx); v != nil {
		if v.Anonymous() {
			return ConcernPage{}, Errorf(EUNAUTHORIZED, "sign in to see concerns")
		}
		f.Viewer = v
	}
	if f.Area != "" {
		if _, ok := s.areas.Find(f.Area); !ok {
			return ConcernPage{}, Invalid("area", "no area has pcode %q", f.Area)
		}
		f.AreaIn = s.areas.Within(f.Area)
	}
	if cursor != "" {
		after, err := s.decodeCursor(cursor, &f)
		if err != nil {
			return ConcernPage{}, err
		}
		f.After = after
	}
	page := s.idx().Find(&f)
	if page.More {
		page.Next = s.encodeCursor(page.Last, &f)
	}
	s.auditRead(ctx, page.Sensitive)
	return page, nil
}

// UpdateConcern changes a concern. ifVersion is the version the client last
// saw; a stale one fails with EPRECONDITION.
func (s *Service) UpdateConcern(ctx context.Context, id uuid.UUID, upd ConcernUpdate, ifVersion int) (*Concern, error) {
	if upd.Empty() {
		return nil, Invalid("properties", "nothing to change")
	}
	if err := s.mayChange(ctx, id); err != nil {
		return nil, err
	}
	if upd.Geometry != nil {
		area := s.areas.Locate(upd.Geometry)
		upd.Area = &area
	}
	c, err := s.store.UpdateConcern(ctx, id, upd, ifVersion, s.now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return nil, fmt.Errorf("update concern %s: %w", id, err)
	}
	s.put(c)
	return c, nil
}

// DeleteConcern soft-deletes a concern: it leaves the index and every
// list, and the store keeps it for audit.
func (s *Service) DeleteConcern(ctx context.Context, id uuid.UUID, ifVersion int) (*Concern, error) {
	if err := s.mayChange(ctx, id); err != nil {
		return nil, err
	}
	c, err := s.store.DeleteConcern(ctx, id, ifVersion, s.now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return nil, fmt.Errorf("delete concern %s: %w", id, err)
	}
	s.put(c)
	return c, nil
}

// mayChange checks that the viewer in ctx may change the concern: it must
// see it as a point, and a CSWG member may change only their own report
// while it is still reported. The version check of the write then catches
// a status that moved in between.
func (s *Service) mayChange(ctx context.Context, id uuid.UUID) error {
	v := ViewerFrom(ctx)
	if v == nil {
		return nil
	}
	if v.User == nil {
		return Errorf(EUNAUTHORIZED, "sign in first")
	}
	c, err := s.store.FindConcernByID(ctx, id)
	if err != nil {
		return fmt.Errorf("change concern %s: %w", id, err)
	}
	var reporter uuid.UUID
	if c.Reporter != nil {
		reporter = *c.Reporter
	}
	if v.Visibility(c.Category, c.Area, reporter) < SeeNoReporter {
		return Errorf(ENOTFOUND, "no concern %s", id)
	}
	if v.User.Role == RoleMember && (reporter != v.User.ID || c.Status != StatusReported) {
		return Errorf(EFORBIDDEN, "a CSWG member may change only their own reports, while they are still reported")
	}
	return nil
}

// FindCategories returns every category.
func (s *Service) FindCategories(ctx context.Context) ([]*Category, error) {
	cats, err := s.store.FindCategories(ctx)
	if err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	return cats, nil
}

// Refresh reloads one concern from the store into the index; another
// instance's write reaches this one that way.
func (s *Service) Refresh(ctx context.Context, id uuid.UUID) error {
	c, err := s.store.FindConcernByID(ctx, id)
	if err != nil {
		return fmt.Errorf("refresh concern %s: %w", id, err)
	}
	s.put(c)
	return nil
}

// Change says where the index changed: the bounds of the concerns before
// and after, and the areas they left and joined. All means everything may
// have changed, as after a reload.
type Change struct {
	Bounds []orb.Bound
	Areas  []string
	All    bool
}

// OnChange sets fn to hear of every change to the index, after it is made;
// the tile cache uses it to drop the tiles a write touched.
func (s *Service) OnChange(fn func(Change)) { s.onChange.Store(&fn) }

// put puts c in the index and tells the listener where it was and is.
func (s *Service) put(c *Concern) {
	x := s.idx()
	fn := s.onChange.Load()
	if fn == nil {
		x.Put(c)
		s.gen.Add(1)
		return
	}
	oldBound, oldArea, had := x.Bound(c.ID)
	x.Put(c)
	s.gen.Add(1)
	ch := Change{Bounds: []orb.Bound{c.Geometry.Bound()}, Areas: []string{c.Area}}
	if had {
		ch.Bounds = append(ch.Bounds, oldBound)
		ch.Areas = append(ch.Areas, oldArea)
	}
	(*fn)(ch)
}

func (s *Service) changedAll() {
	s.gen.Add(1)
	if fn := s.onChange.Load(); fn != nil {
		(*fn)(Change{All: true})
	}
}
