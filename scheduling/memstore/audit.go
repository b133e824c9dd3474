package memstore

import (
	"time"

	"github.com/cmkit/cmkit/scheduling"
)

// auditRec is an audit entry as the store keeps it: 56 bytes with one
// pointer (the reason), in a chunked log shared by every post, so that
// the garbage collector has little to scan and appending never copies.
// The post is implied by the chain it belongs to (postRec.first, next);
// the target is an index in Store.all; actor and action are interned.
type auditRec struct {
	seq      int64
	at       int64  // Unix nanoseconds
	target   int32  // index in Store.all, -1 for a post-level entry
	next     int32  // index in the log of the post's next entry, -1 for none
	actor    uint32 // index in auditLog.names
	action   uint32 // index in auditLog.names
	from, to scheduling.State
	reason   string
}

// logChunk is how many entries one chunk of the audit log holds.
const logChunk = 1024

// auditLog is an append-only log of entries in fixed-size chunks.
type auditLog struct {
	chunks [][]auditRec
	n      int32
	// names interns actors and actions.
	names   []string
	nameIdx map[string]uint32
}

func (l *auditLog) at(i int32) *auditRec { return &l.chunks[i/logChunk][i%logChunk] }

func (l *auditLog) intern(name string) uint32 {
	if i, ok := l.nameIdx[name]; ok {
		return i
	}
	if l.nameIdx == nil {
		l.nameIdx = make(map[string]uint32)
	}
	i := uint32(len(l.names))
	l.names = append(l.names, name)
	l.nameIdx[name] = i
	return i
}

// add appends r to the log and to rec's chain.
func (l *auditLog) add(rec *postRec, r auditRec) {
	if l.n%logChunk == 0 {
		l.chunks = append(l.chunks, make([]auditRec, 0, logChunk))
	}
	c := &l.chunks[len(l.chunks)-1]
	r.next = -1
	*c = append(*c, r)
	i := l.n
	l.n++
	if rec.last >= 0 {
		l.at(rec.last).next = i
	} else {
		rec.first = i
	}
	rec.last = i
}

// compact returns the compact form of e, with sequence number seq.
func (s *Store) compact(seq int64, e *scheduling.AuditEntry) auditRec {
	idx := int32(-1)
	if e.TargetID != "" {
		idx = int32(s.targets[e.TargetID])
	}
	return auditRec{seq: seq, at: e.At.UnixNano(), target: idx, from: e.From, to: e.To,
		actor: s.log.intern(e.Actor), action: s.log.intern(e.Action), reason: e.Reason}
}

func (s *Store) expand(postID string, a *auditRec) scheduling.AuditEntry {
	e := scheduling.AuditEntry{Seq: a.seq, PostID: postID, At: time.Unix(0, a.at).UTC(), Actor: s.log.names[a.actor],
		Action: s.log.names[a.action], From: a.from, To: a.to, Reason: a.reason}
	if a.target >= 0 {
		e.TargetID = s.all[a.target].ID
	}
	return e
}
