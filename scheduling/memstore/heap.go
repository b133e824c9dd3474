package memstore

// entry is a heap entry: the target at index idx of Store.all at an
// instant, valid while the target keeps the version (and, for leases, the
// lease end) it was pushed with. It holds no pointer.
type entry struct {
	at  int64 // Unix nanoseconds
	ver int64
	idx uint32
}

// heap is a binary min-heap of entries ordered by instant, then by the
// order targets were stored in (first in, first out), typed to avoid
// container/heap's interface conversions on the claim path.
type heap struct{ es []entry }

func (h *heap) less(a, b entry) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.idx < b.idx
}

func (h *heap) len() int     { return len(h.es) }
func (h *heap) top() entry   { return h.es[0] }
func (h *heap) push(e entry) { h.es = append(h.es, e); h.up(len(h.es) - 1) }

func (h *heap) pop() entry {
	e := h.es[0]
	n := len(h.es) - 1
	h.es[0] = h.es[n]
	h.es[n] = entry{}
	h.es = h.es[:n]
	if n > 0 {
		h.down(0)
	}
	return e
}

func (h *heap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(h.es[i], h.es[p]) {
			return
		}
		h.es[i], h.es[p] = h.es[p], h.es[i]
		i = p
	}
}

func (h *heap) down(i int) {
	n := len(h.es)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(h.es[r], h.es[l]) {
			m = r
		}
		if !h.less(h.es[m], h.es[i]) {
			return
		}
		h.es[i], h.es[m] = h.es[m], h.es[i]
		i = m
	}
}
