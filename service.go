package concernmap

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
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
	// Len returns how many concerns the index holds.
	Len() int
}

// ConcernPage is one page of a query.
type ConcernPage struct {
	Features [][]byte // GeoJSON Feature objects
	Last     uuid.UUID
	More     bool   // whether another page follows
	Next     string // the cursor for the next page; set by the Service
}

// Service is the domain service: it applies the rules, writes to the store
// and, only after the commit, to the index.
type Service struct {
	store  ConcernStore
	index  ConcernIndex
	now    func() time.Time
	secret []byte
	loaded atomic.Bool
}

// NewService returns a service over store and index. Call Load before use.
func NewService(store ConcernStore, index ConcernIndex) *Service {
	return &Service{store: store, index: index, now: time.Now}
}

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Load fills the index from the store. Decoding and GeoJSON encoding run on
// every core, since start-up time is what a restart costs users.
func (s *Service) Load(ctx context.Context) error {
	secret, err := s.store.Secret(ctx)
	if err != nil {
		return fmt.Errorf("load secret: %w", err)
	}
	s.secret = secret
	g, ctx := errgroup.WithContext(ctx)
	ch := make(chan []*Concern, 64)
	for range runtime.GOMAXPROCS(0) {
		g.Go(func() error {
			for batch := range ch {
				for _, c := range batch {
					s.index.Put(c)
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
	if err := g.Wait(); err != nil {
		return err
	}
	s.loaded.Store(true)
	return nil
}

// Ready reports whether the store answers and the index is loaded.
func (s *Service) Ready(ctx context.Context) error {
	if !s.loaded.Load() {
		return Errorf(EINTERNAL, "index not loaded")
	}
	return s.store.Ping(ctx)
}

// IndexLen returns how many concerns the index holds.
func (s *Service) IndexLen() int { return s.index.Len() }

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
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	got, created, err := s.store.CreateConcern(ctx, c)
	if err != nil {
		return nil, false, fmt.Errorf("create concern %s: %w", c.ID, err)
	}
	if !created && got.Deleted() {
		return nil, false, Errorf(ECONFLICT, "concern %s was deleted; use a new id", c.ID)
	}
	if created {
		s.index.Put(got)
	}
	return got, created, nil
}

// FindConcernByID returns one concern from the store.
func (s *Service) FindConcernByID(ctx context.Context, id uuid.UUID) (*Concern, error) {
	c, err := s.store.FindConcernByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("find concern %s: %w", id, err)
	}
	if c.Deleted() {
		return nil, Errorf(EGONE, "concern %s was deleted", id)
	}
	return c, nil
}

// FindConcerns answers a query from the index. cursor is the Next of a
// previous page of the same query, or "".
func (s *Service) FindConcerns(ctx context.Context, f ConcernFilter, cursor string) (ConcernPage, error) {
	if err := f.Validate(); err != nil {
		return ConcernPage{}, err
	}
	if cursor != "" {
		after, err := s.decodeCursor(cursor, &f)
		if err != nil {
			return ConcernPage{}, err
		}
		f.After = after
	}
	page := s.index.Find(&f)
	if page.More {
		page.Next = s.encodeCursor(page.Last, &f)
	}
	return page, nil
}

// UpdateConcern changes a concern. ifVersion is the version the client last
// saw; a stale one fails with EPRECONDITION.
func (s *Service) UpdateConcern(ctx context.Context, id uuid.UUID, upd ConcernUpdate, ifVersion int) (*Concern, error) {
	if upd.Empty() {
		return nil, Invalid("properties", "nothing to change")
	}
	c, err := s.store.UpdateConcern(ctx, id, upd, ifVersion, s.now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return nil, fmt.Errorf("update concern %s: %w", id, err)
	}
	s.index.Put(c)
	return c, nil
}

// DeleteConcern soft-deletes a concern: it leaves the index and every
// list, and the store keeps it for audit.
func (s *Service) DeleteConcern(ctx context.Context, id uuid.UUID, ifVersion int) (*Concern, error) {
	c, err := s.store.DeleteConcern(ctx, id, ifVersion, s.now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return nil, fmt.Errorf("delete concern %s: %w", id, err)
	}
	s.index.Put(c)
	return c, nil
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
	s.index.Put(c)
	return nil
}
