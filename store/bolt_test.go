package store_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

func tempPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "formation.db")
}

func openBolt(t testing.TB, path string, opts store.BoltOptions) *store.Bolt {
	t.Helper()
	s, err := store.OpenBolt(path, opts)
	if err != nil {
		t.Fatalf("OpenBolt: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// The suite runs with etcd's limits, which it can test in a moment; the
// default, BoltLimits, is enforced by the same code.
func TestBolt_Conformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) store.Store {
		return openBolt(t, tempPath(t), store.BoltOptions{Limits: store.DefaultLimits})
	})
}

func TestBolt_DefaultLimits(t *testing.T) {
	if got := openBolt(t, tempPath(t), store.BoltOptions{}).Limits(); got != store.BoltLimits {
		t.Errorf("Limits() = %+v, want BoltLimits %+v", got, store.BoltLimits)
	}
}

func TestBolt_CtxEndsWhileWaiting(t *testing.T) {
	testCtxEndsWhileWaiting(t, openBolt(t, tempPath(t), store.BoltOptions{}))
}

func TestBolt_Path(t *testing.T) {
	path := tempPath(t)
	s := openBolt(t, path, store.BoltOptions{})
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	_ = s.Close()
	if s.Path() != path {
		t.Errorf("Path() after Close = %q, want %q", s.Path(), path)
	}
}

func TestBolt_PersistsAcrossReopen(t *testing.T) {
	path := tempPath(t)
	s := openBolt(t, path, store.BoltOptions{})
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for _, b := range store.Buckets() {
			if b == store.Meta {
				continue
			}
			if err := tx.Put(b, []byte("key"), []byte("value of "+b)); err != nil {
				return err
			}
		}
		return tx.Put(store.Meta, []byte("counter"), []byte{0, 7})
	})
	if err != nil {
		t.Fatal(err)
	}
	before := storetest.Dump(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openBolt(t, path, store.BoltOptions{})
	if after := storetest.Dump(t, s2); !reflect.DeepEqual(before, after) {
		t.Errorf("after reopen %q, want %q", after, before)
	}
}

func TestBolt_PermissionMode(t *testing.T) {
	for _, tc := range []struct {
		mode, want os.FileMode
	}{{0, 0o600}, {0o640, 0o640}} {
		path := tempPath(t)
		s := openBolt(t, path, store.BoltOptions{Mode: tc.mode})
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		// The umask may only remove bits.
		if got := fi.Mode().Perm(); got&^tc.want != 0 || got&0o600 != 0o600 {
			t.Errorf("Mode %o: file mode %o, want %o", tc.mode, got, tc.want)
		}
		_ = s.Close()
	}
}

// rawBolt opens path with bbolt directly, for tests that look behind Bolt.
func rawBolt(t *testing.T, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestBolt_BucketsCreatedOnOpen(t *testing.T) {
	path := tempPath(t)
	s := openBolt(t, path, store.BoltOptions{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := rawBolt(t, path)
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range store.Buckets() {
			if tx.Bucket([]byte(b)) == nil {
				t.Errorf("bucket %q missing", b)
			}
		}
		// Remove one, as a file from an older build might lack it.
		return tx.DeleteBucket([]byte(store.Journal))
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	s = openBolt(t, path, store.BoltOptions{})
	err = s.Update(context.Background(), func(tx store.Tx) error {
		return tx.Put(store.Journal, []byte("k"), []byte("v"))
	})
	if err != nil {
		t.Errorf("bucket not recreated on open: %v", err)
	}
}

// A file from before the simulated world left the engine's buckets keeps
// its world: OpenBolt moves the old "world" bucket's records into World
// and drops the old bucket.
func TestBolt_MovesTheLegacyWorldBucket(t *testing.T) {
	path := tempPath(t)
	s := openBolt(t, path, store.BoltOptions{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := rawBolt(t, path)
	err := db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte(store.World)); err != nil {
			return err
		}
		old, err := tx.CreateBucket([]byte("world"))
		if err != nil {
			return err
		}
		return errors.Join(old.Put([]byte("huaweicloud_vpc/a"), []byte("rec-a")), old.Put([]byte("huaweicloud_vpc/b"), []byte("rec-b")))
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	s = openBolt(t, path, store.BoltOptions{})
	got := map[string]string{}
	err = s.View(context.Background(), func(tx store.Tx) error {
		return tx.Scan(store.World, store.ScanOptions{}, func(k, v []byte) (bool, error) {
			got[string(k)] = string(v)
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"huaweicloud_vpc/a": "rec-a", "huaweicloud_vpc/b": "rec-b"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("World after opening a legacy file = %v, want %v", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db = rawBolt(t, path)
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("world")) != nil {
			t.Error("the legacy world bucket is still there")
		}
		return nil
	})
}

func TestBolt_SchemaVersionWritten(t *testing.T) {
	path := tempPath(t)
	s := openBolt(t, path, store.BoltOptions{})
	_ = s.Close()
	db := rawBolt(t, path)
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte(store.Meta)).Get([]byte(store.SchemaVersionKey))
		if want := binary.BigEndian.AppendUint64(nil, store.SchemaVersion); string(v) != string(want) {
			t.Errorf("schema version = %x, want %x", v, want)
		}
		return nil
	})
}

// setSchemaVersion overwrites the schema version of the file at path.
func setSchemaVersion(t *testing.T, path string, v []byte) {
	t.Helper()
	db := rawBolt(t, path)
	defer db.Close()
	err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(store.Meta)).Put([]byte(store.SchemaVersionKey), v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBolt_SchemaVersionChecked(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version []byte
		code    formation.Code
		message string
	}{
		{"newer", binary.BigEndian.AppendUint64(nil, store.SchemaVersion+1), formation.CodeUnavailable, "written by a newer Formation"},
		{"older", binary.BigEndian.AppendUint64(nil, store.SchemaVersion-1), formation.CodeInternal, "cannot migrate"},
		{"corrupt", []byte{1}, formation.CodeInternal, "corrupt schema version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tempPath(t)
			s := openBolt(t, path, store.BoltOptions{})
			_ = s.Close()
			setSchemaVersion(t, path, tc.version)

			s, err := store.OpenBolt(path, store.BoltOptions{})
			if err == nil {
				_ = s.Close()
				t.Fatal("OpenBolt succeeded")
			}
			var fe *formation.Error
			if !errors.As(err, &fe) || fe.Code != tc.code || fe.Op != "store.OpenBolt" || fe.Resource != path {
				t.Errorf("err = %#v, want a *formation.Error %s for store.OpenBolt on %s", err, tc.code, path)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("err = %q, want it to say %q", err, tc.message)
			}
			// The file is released (rawBolt would time out) and the version
			// is left as it was.
			db := rawBolt(t, path)
			_ = db.View(func(tx *bolt.Tx) error {
				v := tx.Bucket([]byte(store.Meta)).Get([]byte(store.SchemaVersionKey))
				if string(v) != string(tc.version) {
					t.Errorf("schema version changed to %x", v)
				}
				return nil
			})
			_ = db.Close()
		})
	}
}

func TestBolt_NotABoltFile(t *testing.T) {
	path := tempPath(t)
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := store.OpenBolt(path, store.BoltOptions{})
	if !formation.HasCode(err, formation.CodeInternal) {
		t.Errorf("err = %v, want CodeInternal", err)
	}
}

func TestBolt_EmptyPath(t *testing.T) {
	_, err := store.OpenBolt("", store.BoltOptions{})
	if !formation.HasCode(err, formation.CodeInvalidParameter) {
		t.Errorf("err = %v, want CodeInvalidParameter", err)
	}
}

// checkLocked asserts err is the lock-timeout error.
func checkLocked(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, formation.ErrUnavailable) || !formation.HasCode(err, formation.CodeUnavailable) {
		t.Errorf("err = %v, want CodeUnavailable", err)
	}
	if err == nil || !strings.Contains(err.Error(), "store is locked by another process") {
		t.Errorf("err = %v, want it to say the store is locked by another process", err)
	}
	if !errors.Is(err, berrors.ErrTimeout) {
		t.Errorf("err = %v, want bbolt's ErrTimeout as the cause", err)
	}
}

func TestBolt_LockedInProcess(t *testing.T) {
	path := tempPath(t)
	first := openBolt(t, path, store.BoltOptions{})

	for _, tc := range []struct {
		timeout time.Duration
		min     time.Duration
	}{
		{100 * time.Millisecond, 0},
		{0, 900 * time.Millisecond}, // the default, 1s
	} {
		start := time.Now()
		s, err := store.OpenBolt(path, store.BoltOptions{Timeout: tc.timeout})
		elapsed := time.Since(start)
		if err == nil {
			_ = s.Close()
			t.Fatalf("Timeout %v: second OpenBolt succeeded", tc.timeout)
		}
		checkLocked(t, err)
		// Only the lower bound: how much longer a loaded machine takes
		// says nothing about the store (a hang fails the test's timeout).
		if elapsed < tc.min {
			t.Errorf("Timeout %v: failed after %v, want at least %v", tc.timeout, elapsed, tc.min)
		}
	}

	// The first is unaffected, and once it closes the file opens again.
	err := first.Update(context.Background(), func(tx store.Tx) error {
		return tx.Put(store.Stacks, []byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = first.Close()
	openBolt(t, path, store.BoltOptions{Timeout: 100 * time.Millisecond})
}

// TestBolt_LockedByOtherProcess runs this test binary again as a helper
// that holds the file open until its stdin closes.
func TestBolt_LockedByOtherProcess(t *testing.T) {
	if path := os.Getenv("FORMATION_STORE_TEST_HOLD"); path != "" {
		s, err := store.OpenBolt(path, store.BoltOptions{})
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("locked\n")
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = s.Close()
		return
	}
	path := tempPath(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestBolt_LockedByOtherProcess$")
	cmd.Env = append(os.Environ(), "FORMATION_STORE_TEST_HOLD="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper: %q, %v", line, err)
	}

	s, err := store.OpenBolt(path, store.BoltOptions{Timeout: 200 * time.Millisecond})
	if err == nil {
		_ = s.Close()
		t.Fatal("OpenBolt of a file another process holds succeeded")
	}
	checkLocked(t, err)
}

func BenchmarkBolt_Append1M(b *testing.B) {
	for b.Loop() {
		s, err := store.OpenBolt(tempPath(b), store.BoltOptions{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		appendSeq(b, s, benchKeys, benchPerTx)
		_ = s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchKeys, "ns/key")
}

func BenchmarkBolt_ReverseScanNewest100(b *testing.B) {
	s, err := store.OpenBolt(tempPath(b), store.BoltOptions{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fillStacks(b, s)
	newest100(b, s)
}
