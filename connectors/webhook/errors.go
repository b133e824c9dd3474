package webhook

import (
	"errors"

	"github.com/cmkit/cmkit/connectors/driver"
)

// ErrInvalidSignature is matched (errors.Is) by every *VerificationError
// that rejects a delivery because its signature, secret token or signature
// header is missing, malformed or wrong.
var ErrInvalidSignature = errors.New("webhook: invalid signature")

// ErrStale is matched by a *VerificationError whose signed timestamp lies
// outside the replay window, in the past or in the future. It does not
// match ErrInvalidSignature: the signature may well be genuine, but the
// request is refused as a possible replay.
var ErrStale = errors.New("webhook: timestamp outside the replay window")

// VerificationError says why a delivery was not authenticated. It never
// contains the secret, the expected signature or the body.
type VerificationError struct {
	// Network is the registry name of the network: "facebook" (for Meta,
	// Facebook and Instagram alike), "slack", "discord", "telegram" or "x".
	Network string
	// Reason is a short, secret-free explanation ("signature mismatch",
	// "missing sha256= prefix", "timestamp 412s in the past").
	Reason string
	// Stale reports a timestamp outside the replay window; the error then
	// matches ErrStale instead of ErrInvalidSignature.
	Stale bool
}

// Error formats "webhook: slack: invalid signature: signature mismatch".
func (e *VerificationError) Error() string {
	what := "invalid signature"
	if e.Stale {
		what = "stale request"
	}
	s := "webhook: "
	if e.Network != "" {
		s += e.Network + ": "
	}
	s += what
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Is matches ErrStale when Stale is set, ErrInvalidSignature otherwise.
func (e *VerificationError) Is(target error) bool {
	if e.Stale {
		return target == ErrStale
	}
	return target == ErrInvalidSignature
}

func verr(network, reason string) error {
	return &VerificationError{Network: network, Reason: reason}
}

// parseErr wraps a decoding failure of a verified payload. It is a
// *driver.Error with code InvalidContent, so it matches
// driver.ErrInvalidContent.
func parseErr(network, op string, err error) error {
	return &driver.Error{
		Code:    driver.InvalidContent,
		Network: network,
		Op:      op,
		Message: "malformed webhook payload: " + err.Error(),
		Err:     err,
	}
}
