package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/areaimport"
	"github.com/concernmap/concernmap/index"
)

// ImportAreas reads a boundary file and stores its areas, then assigns
// every concern to its area again. Nothing is stored if any feature is
// rejected.
func (m *Main) ImportAreas(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import-areas", flag.ContinueOnError)
	c := &m.Config
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", c.DatabaseURL), "PostgreSQL/PostGIS URL; empty uses the embedded store (env DATABASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", env("CONCERNMAP_DATA_DIR", c.DataDir), "directory of the embedded store (env CONCERNMAP_DATA_DIR)")
	var opt areaimport.Options
	level := fs.String("level", "", "level of every feature: state, district, township, village_tract or village (required)")
	fs.StringVar(&opt.CodeField, "code-field", "", "attribute with the pcode (default: detect MIMU ST_PCODE … VT_PCODE)")
	fs.StringVar(&opt.NameField, "name-field", "", "attribute with the English name (default: detect MIMU ST … VT)")
	fs.StringVar(&opt.NameMYField, "name-my-field", "", "attribute with the Burmese name (default: detect MIMU *_MMR)")
	fs.StringVar(&opt.ParentCodeField, "parent-code-field", "", "attribute with the parent's pcode (default: the next level up, or pcode prefix)")
	// Flags may follow the file name, as in the README.
	var file string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 || file == "" {
		return errors.New("usage: concernmap import-areas FILE --level village_tract [flags]")
	}
	opt.Level = concernmap.AreaLevel(*level)
	if opt.Level.Depth() < 0 {
		return errors.New("import-areas: --level must be one of state, district, township, village_tract, village")
	}
	opt.Source = file

	p := newProgress(m.stderr)
	p.stage("reading " + file)
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("import-areas: %w", err)
	}
	format, err := areaimport.DetectFormat(file, data)
	if err != nil {
		return fmt.Errorf("import-areas: %w", err)
	}
	p.stage(fmt.Sprintf("checking %s features", format))
	opt.Progress = p.count
	areas, report, err := areaimport.Read(data, format, opt)
	p.done()
	for _, pr := range report.Problems {
		verb := "rejected"
		if pr.Fixed {
			verb = "fixed"
		}
		fmt.Fprintf(m.stdout, "feature %d %s: %s: %s\n", pr.Feature, pr.PCode, verb, pr.Reason)
	}
	if err != nil {
		return fmt.Errorf("import-areas: nothing imported: %w", err)
	}

	if err := m.openStore(ctx); err != nil {
		return err
	}
	defer func() {
		m.store.Close()
		m.store = nil
	}()
	svc := concernmap.NewService(m.store, newIndex, index.NewAreas())
	p.stage("loading stored areas and concerns")
	if err := svc.Load(ctx); err != nil {
		return fmt.Errorf("import-areas: %w", err)
	}
	known := map[string]concernmap.AreaLevel{}
	stored, _ := svc.FindAreas(ctx, concernmap.AreaFilter{})
	for _, a := range stored {
		known[a.PCode] = a.Level
	}
	areaimport.Link(areas, known)
	p.stage(fmt.Sprintf("storing %d areas and assigning concerns", len(areas)))
	res, err := svc.ImportAreas(ctx, areas)
	p.done()
	if err != nil {
		return fmt.Errorf("import-areas: %w", err)
	}
	out, _ := json.Marshal(res)
	fmt.Fprintf(m.stdout, "imported %d areas (%d new, %d updated); neighbours changed in %d other areas; %d concerns moved to a new area %s\n",
		len(areas), res.Created, res.Updated, res.Neighbours, res.Assigned, out)
	return nil
}

// progress draws a bar on a terminal and nothing elsewhere, so logs and
// pipes stay clean.
type progress struct {
	out   *os.File
	on    bool
	name  string
	start time.Time
	last  time.Time
}

func newProgress(w any) *progress {
	f, ok := w.(*os.File)
	return &progress{out: f, on: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progress) stage(name string) {
	p.done()
	p.name, p.start = name, time.Now()
	if p.on {
		fmt.Fprintf(p.out, "%s …", name)
	}
}

// count redraws the bar at most ten times a second.
func (p *progress) count(done, total int) {
	if !p.on || total == 0 || time.Since(p.last) < 100*time.Millisecond && done < total {
		return
	}
	p.last = time.Now()
	const width = 30
	n := done * width / total
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < n {
			bar[i] = '='
		}
	}
	fmt.Fprintf(p.out, "\r%s [%s] %d/%d", p.name, bar, done, total)
}

func (p *progress) done() {
	if p.on && p.name != "" {
		fmt.Fprintf(p.out, "\r%s: done in %s\033[K\n", p.name, time.Since(p.start).Round(time.Millisecond))
	}
	p.name = ""
}
