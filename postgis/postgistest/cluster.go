package postgistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// dirPrefix names a cluster's temporary directory; stale ones are found by it.
const dirPrefix = "concernmap-postgistest-"

// cluster is a throwaway PostgreSQL server, run as a child of the test
// binary rather than daemonised by pg_ctl: the kernel then stops it
// (Pdeathsig) even when the tests die by panic, timeout or os.Exit.
type cluster struct {
	dir  string
	cmd  *exec.Cmd
	done chan struct{} // closed when postgres has exited
	url  string
	once sync.Once
}

// errPortTaken reports that another process bound the port first.
var errPortTaken = errors.New("port taken")

func startCluster() (_ *cluster, err error) {
	bindir, err := findBindir()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	base := tempBase(cred != nil)
	removeStale(base)
	dir, err := os.MkdirTemp(base, dirPrefix)
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}

	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bindir, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}

	for range 5 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		err = c.start(bindir, data, cred, port)
		if !errors.Is(err, errPortTaken) {
			return c, err
		}
	}
	return nil, errors.New("start postgres: no free port after 5 tries")
}

// start runs postgres on port and waits until it takes connections.
func (c *cluster) start(bindir, data string, cred *syscall.Credential, port int) error {
	logPath := filepath.Join(c.dir, "postgres.log")
	log, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(filepath.Join(bindir, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1",
		// Durability buys nothing for data thrown away at the end.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.Dir, cmd.Stdout, cmd.Stderr = c.dir, log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: cred,
		// SIGQUIT is an immediate shutdown.
		Pdeathsig: syscall.SIGQUIT,
		// Keep Ctrl-C from the terminal off postgres; stopOnSignal stops it.
		Setpgid: true,
	}

	// Pdeathsig fires when the thread that started the child ends, so start
	// it from a goroutine that keeps its thread until postgres exits.
	started := make(chan error)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			runtime.UnlockOSThread()
			return
		}
		started <- nil
		cmd.Wait()
		close(done)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.cmd, c.done = cmd, done
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)

	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			out, _ := os.ReadFile(logPath)
			c.cmd = nil
			if strings.Contains(string(out), "could not bind") || strings.Contains(string(out), "could not create any TCP/IP sockets") {
				return errPortTaken
			}
			return fmt.Errorf("postgres exited:\n%s", out)
		case <-time.After(20 * time.Millisecond):
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.url)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
	}
	out, _ := os.ReadFile(logPath)
	return fmt.Errorf("postgres did not take connections within 30s:\n%s", out)
}

// stop shuts postgres down at once and removes the directory.
func (c *cluster) stop() {
	c.once.Do(func() {
		if c.cmd != nil {
			c.cmd.Process.Signal(syscall.SIGQUIT)
			select {
			case <-c.done:
			case <-time.After(10 * time.Second):
				c.cmd.Process.Kill()
				<-c.done
			}
		}
		os.RemoveAll(c.dir)
	})
}

// stopOnSignal stops the cluster when the tests are interrupted.
func stopOnSignal(c *cluster) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-ch
		c.stop()
		fmt.Fprintf(os.Stderr, "postgistest: %v: stopped the cluster\n", s)
		os.Exit(1)
	}()
}

// findBindir finds the PostgreSQL 15 server programs.
func findBindir() (string, error) {
	dirs := []string{"/usr/lib/postgresql/15/bin"}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New(missingPostgreSQL)
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// credential returns the postgres system user to run the server as when we
// are root, which PostgreSQL refuses to run as; nil otherwise.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL needs a postgres system user to run as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("postgres user: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// tempBase returns where to make the cluster's directory. Another user must
// be able to reach it when the server runs as postgres.
func tempBase(otherUser bool) string {
	base := os.TempDir()
	if !otherUser {
		return base
	}
	for d := base; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if d == filepath.Dir(d) {
			return base
		}
	}
}

// removeStale removes the directories of clusters whose test binary died
// without cleaning up; their postgres died with it.
func removeStale(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}

// freePort asks the kernel for a port that is free now; postgres may still
// lose it to another process, and start then tries another.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
