package memconnector

import (
	"errors"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// The operations, named after the driver methods, for FailNext, Calls and
// the NetworkOptions.Faults hook. FailNext and Calls also accept the
// Account's method names: "Delete", "Edit", "Comments", "Mentions",
// "HideComment", "UnhideComment", "Like", "Unlike" and "Messages".
const (
	OpDescribe         = "Describe"
	OpPublish          = "Publish"
	OpDeletePost       = "DeletePost"
	OpEditPost         = "EditPost"
	OpListComments     = "ListComments"
	OpListMentions     = "ListMentions"
	OpReply            = "Reply"
	OpSetCommentHidden = "SetCommentHidden"
	OpDeleteComment    = "DeleteComment"
	OpSetLiked         = "SetLiked"
	OpPostMetrics      = "PostMetrics"
	OpAccountMetrics   = "AccountMetrics"
	OpListMessages     = "ListMessages"
	OpSendMessage      = "SendMessage"
	OpCheckPending     = "CheckPending"
	OpFindPost         = "FindPost"
	// OpThreadPost is the publication of each follow-up post of a thread,
	// after its head, within Publish, Reply or CheckPending. Failing it
	// fails a thread half-way.
	OpThreadPost = "Publish.Thread"
	// OpFirstComment is the publication of a post's first comment, after
	// the post, within Publish or CheckPending.
	OpFirstComment = "Publish.FirstComment"
	// OpAny matches every driver method (not the steps OpThreadPost and
	// OpFirstComment). Calls(OpAny) is the total number of driver calls.
	OpAny = "*"
)

type op int

const (
	opDescribe op = iota
	opPublish
	opDeletePost
	opEditPost
	opListComments
	opListMentions
	opReply
	opSetCommentHidden
	opDeleteComment
	opSetLiked
	opPostMetrics
	opAccountMetrics
	opListMessages
	opSendMessage
	opCheckPending
	opFindPost
	numMethods // the number of driver methods
)

// The steps within a driver method.
const (
	opThreadPost = numMethods + iota
	opFirstComment
	numOps
)

// opAny matches every driver method.
const opAny op = -1

var opNames = [numOps]string{
	OpDescribe, OpPublish, OpDeletePost, OpEditPost, OpListComments, OpListMentions, OpReply,
	OpSetCommentHidden, OpDeleteComment, OpSetLiked, OpPostMetrics, OpAccountMetrics,
	OpListMessages, OpSendMessage, OpCheckPending, OpFindPost, OpThreadPost, OpFirstComment,
}

var opAliases = map[string]op{
	"Delete": opDeletePost, "Edit": opEditPost, "Comments": opListComments,
	"Mentions": opListMentions, "HideComment": opSetCommentHidden,
	"UnhideComment": opSetCommentHidden, "Like": opSetLiked, "Unlike": opSetLiked,
	"Messages": opListMessages,
}

func (o op) String() string {
	if o == opAny {
		return OpAny
	}
	return opNames[o]
}

func parseOp(name string) (op, bool) {
	if name == OpAny || name == "" {
		return opAny, true
	}
	for i, s := range opNames {
		if s == name {
			return op(i), true
		}
	}
	o, ok := opAliases[name]
	return o, ok
}

type queuedFault struct {
	op   op
	left int
	err  error
}

// FailNext makes the next count calls of the operation opName fail with
// err, exactly as the network would answer; wrap err with AfterCommit (or
// use IndeterminateAfterCommit) to apply the operation before failing, as
// a connection lost after sending does. opName is an Op constant or an
// Account method name; OpAny matches any driver method. Faults queue in
// order. FailNext panics on an unknown operation name or a nil err, which
// are mistakes in the calling test.
func (n *Network) FailNext(opName string, count int, err error) {
	o, ok := parseOp(opName)
	if !ok {
		panic("memconnector: FailNext: unknown operation " + opName + "; use one of " + strings.Join(opNames[:], ", ") + " or *")
	}
	if err == nil {
		panic("memconnector: FailNext: nil error")
	}
	if count <= 0 {
		return
	}
	n.mu.Lock()
	n.faults = append(n.faults, &queuedFault{op: o, left: count, err: err})
	n.mu.Unlock()
}

// ClearFaults drops every fault queued by FailNext.
func (n *Network) ClearFaults() {
	n.mu.Lock()
	n.faults = nil
	n.mu.Unlock()
}

// Calls returns how many times the operation opName was called on the
// network's drivers (failed calls included, calls rejected for a canceled
// context or a closed driver excluded). OpAny or "" returns the total of
// the driver methods.
func (n *Network) Calls(opName string) int64 {
	o, ok := parseOp(opName)
	if !ok {
		return 0
	}
	if o == opAny {
		var t int64
		for i := op(0); i < numMethods; i++ {
			t += n.calls[i].Load()
		}
		return t
	}
	return n.calls[o].Load()
}

// faultLocked consumes the fault for o, if any. It returns a non-nil before
// to fail without applying the operation, or a non-nil after to apply it
// and then fail. n.mu is held.
func (n *Network) faultLocked(o op, account string) (before, after error) {
	var err error
	for i, f := range n.faults {
		if f.op == o || (f.op == opAny && o < numMethods) {
			err = f.err
			f.left--
			if f.left == 0 {
				n.faults = append(n.faults[:i:i], n.faults[i+1:]...)
			}
			break
		}
	}
	if err == nil && n.hook != nil {
		err = n.hook(o.String(), account)
	}
	if err == nil {
		return nil, nil
	}
	var ac *afterCommitError
	if errors.As(err, &ac) {
		return nil, n.fresh(ac.err)
	}
	return n.fresh(err), nil
}

// fresh returns a copy of an injected error, so that callers who fill in
// fields (the Account fills Op) never share it.
func (n *Network) fresh(err error) error {
	switch e := err.(type) {
	case *driver.Error:
		c := *e
		if c.Network == "" {
			c.Network = n.name
		}
		return &c
	case *driver.RateLimitError:
		c := *e
		c.Err = n.fresh(e.Err)
		return &c
	}
	return err
}

type afterCommitError struct{ err error }

func (e *afterCommitError) Error() string { return e.err.Error() }
func (e *afterCommitError) Unwrap() error { return e.err }

// AfterCommit marks an error for FailNext or NetworkOptions.Faults as
// happening after the operation was applied: the post is stored, the
// comment hidden, and then the call returns err.
func AfterCommit(err error) error { return &afterCommitError{err: err} }

// RateLimit returns the error of a 429 answer asking to retry after
// retryAfter: a *driver.RateLimitError (code RateLimited) wrapping the
// network's *driver.Error.
func RateLimit(retryAfter time.Duration) error {
	msg := "too many requests"
	return &driver.RateLimitError{
		Code: driver.RateLimited, RetryAfter: retryAfter, Limit: -1, Remaining: 0,
		Err: &driver.Error{Code: driver.RateLimited, Status: 429, NetworkCode: "rate_limited", Message: msg,
			Err: &APIError{Status: 429, Code: "rate_limited", Message: msg}},
	}
}

// Quota returns the error of a calendar quota exhausted until reset: a
// *driver.RateLimitError with code QuotaExceeded.
func Quota(reset time.Time) error {
	msg := "publishing quota exhausted"
	return &driver.RateLimitError{
		Code: driver.QuotaExceeded, Reset: reset, Limit: -1, Remaining: 0,
		Err: &driver.Error{Code: driver.QuotaExceeded, Status: 429, NetworkCode: "quota_exceeded", Message: msg,
			Err: &APIError{Status: 429, Code: "quota_exceeded", Message: msg}},
	}
}

// Unauthenticated returns the error of a 401 answer: the token expired or
// was revoked.
func Unauthenticated() error {
	msg := "the access token expired or was revoked"
	return &driver.Error{Code: driver.Unauthenticated, Status: 401, NetworkCode: "invalid_token", Message: msg,
		Err: &APIError{Status: 401, Code: "invalid_token", Message: msg}}
}

// Unavailable returns the error of a 503 answer: the network did not
// process the request.
func Unavailable() error {
	msg := "service unavailable"
	return &driver.Error{Code: driver.Unavailable, Status: 503, NetworkCode: "unavailable", Message: msg,
		Err: &APIError{Status: 503, Code: "unavailable", Message: msg}}
}

// IndeterminateAfterCommit returns a fault that applies the operation and
// then fails with code Indeterminate: exactly what a crash or a lost
// connection after sending looks like. A publish failed this way IS stored,
// and FindPost finds it.
func IndeterminateAfterCommit() error {
	return AfterCommit(&driver.Error{Code: driver.Indeterminate,
		Message: "connection lost after the request was sent"})
}
