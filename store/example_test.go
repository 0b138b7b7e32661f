package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// A transaction writes several keys at once; a View reads them back in key
// order, here newest first.
func Example() {
	ctx := context.Background()
	st := store.NewMemory()
	defer st.Close()
	err := st.Update(ctx, func(tx store.Tx) error {
		for _, k := range []string{"stack/1", "stack/2", "stack/3"} {
			if err := tx.Put(store.Events, []byte(k), []byte("event "+k[len(k)-1:])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = st.View(ctx, func(tx store.Tx) error {
		return tx.Scan(store.Events, store.ScanOptions{Prefix: []byte("stack/"), Reverse: true}, func(k, v []byte) (bool, error) {
			fmt.Printf("%s = %s\n", k, v)
			return true, nil
		})
	})
	// Output:
	// stack/3 = event 3
	// stack/2 = event 2
	// stack/1 = event 1
}

// A second open of a bbolt file that another process (or another Open)
// holds fails within the timeout instead of hanging.
func ExampleOpenBolt() {
	dir, _ := os.MkdirTemp("", "store-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "formation.db")
	first, err := store.OpenBolt(path, store.BoltOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer first.Close()
	_, err = store.OpenBolt(path, store.BoltOptions{Timeout: 100 * time.Millisecond})
	fmt.Println(errors.Is(err, formation.ErrUnavailable))
	// Output: true
}

// An Update whose function fails leaves nothing behind.
func ExampleStore_Update() {
	ctx := context.Background()
	st := store.NewMemory()
	defer st.Close()
	_ = st.Update(ctx, func(tx store.Tx) error {
		_ = tx.Put(store.Stacks, []byte("web"), []byte("{}"))
		return errors.New("changed my mind")
	})
	_ = st.View(ctx, func(tx store.Tx) error {
		fmt.Println(tx.Get(store.Stacks, []byte("web")) == nil)
		return nil
	})
	// Output: true
}
