package webhook

import (
	"container/list"
	"sync"
	"time"
)

// dedup remembers the keys of delivered interactions in a bounded LRU, so
// that a network's redelivery is not emitted twice. A key is reserved while
// its delivery is in flight (a concurrent duplicate is dropped: if the
// first attempt fails, the network retries it anyway), committed when the
// sink accepted it, and released when the sink failed.
type dedup struct {
	mu  sync.Mutex
	max int
	ttl time.Duration
	ll  *list.List // front = most recent
	m   map[string]*list.Element
}

type dedupEntry struct {
	key  string
	at   time.Time
	done bool
}

func newDedup(max int, ttl time.Duration) *dedup {
	return &dedup{max: max, ttl: ttl, ll: list.New(), m: make(map[string]*list.Element)}
}

// reserve returns the indexes of keys not seen (or seen longer than ttl
// ago) and marks them in flight.
func (d *dedup) reserve(now time.Time, keys []string) []int {
	d.mu.Lock()
	defer d.mu.Unlock()
	fresh := make([]int, 0, len(keys))
	for i, k := range keys {
		if el, ok := d.m[k]; ok {
			e := el.Value.(*dedupEntry)
			if !e.done || now.Sub(e.at) < d.ttl {
				continue
			}
			e.at, e.done = now, false
			d.ll.MoveToFront(el)
			fresh = append(fresh, i)
			continue
		}
		d.m[k] = d.ll.PushFront(&dedupEntry{key: k, at: now})
		fresh = append(fresh, i)
		for d.ll.Len() > d.max {
			old := d.ll.Back()
			d.ll.Remove(old)
			delete(d.m, old.Value.(*dedupEntry).key)
		}
	}
	return fresh
}

// commit marks reserved keys delivered.
func (d *dedup) commit(now time.Time, keys []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		if el, ok := d.m[k]; ok {
			e := el.Value.(*dedupEntry)
			e.at, e.done = now, true
		}
	}
}

// release forgets reserved keys whose delivery failed.
func (d *dedup) release(keys []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		if el, ok := d.m[k]; ok && !el.Value.(*dedupEntry).done {
			d.ll.Remove(el)
			delete(d.m, k)
		}
	}
}
