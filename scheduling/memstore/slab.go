package memstore

// slab hands out pointers to values kept in chunks: a store of a million
// targets holds a few thousand objects instead of a million, which the
// garbage collector marks faster. Values are never freed individually;
// slots are reused only by the caller (targets are updated in place).
type slab[T any] struct {
	chunks [][]T
}

// maxChunk caps the number of values per chunk; chunks start small, so
// that a small store stays small.
const maxChunk = 512

func (s *slab[T]) alloc() *T {
	n := len(s.chunks)
	if n == 0 || len(s.chunks[n-1]) == cap(s.chunks[n-1]) {
		size := 16
		if n > 0 {
			size = min(2*cap(s.chunks[n-1]), maxChunk)
		}
		s.chunks = append(s.chunks, make([]T, 0, size))
		n++
	}
	c := &s.chunks[n-1]
	*c = (*c)[:len(*c)+1]
	return &(*c)[len(*c)-1]
}
