package driver_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors/driver"
)

func TestCodeOf(t *testing.T) {
	rl := &driver.RateLimitError{Code: driver.RateLimited, RetryAfter: time.Second}
	quota := &driver.RateLimitError{Code: driver.QuotaExceeded}
	ve := &driver.ValidationError{Field: "text", Limit: 280, Got: 300, Unit: "characters"}
	tests := []struct {
		name string
		err  error
		want driver.ErrorCode
	}{
		{"nil", nil, driver.Unknown},
		{"plain", errors.New("boom"), driver.Unknown},
		{"error", &driver.Error{Code: driver.NotFound}, driver.NotFound},
		{"wrapped error", fmt.Errorf("ctx: %w", &driver.Error{Code: driver.Conflict}), driver.Conflict},
		{"rate limit", rl, driver.RateLimited},
		{"quota", quota, driver.QuotaExceeded},
		{"validation", ve, driver.InvalidContent},
		{"sentinel", driver.ErrUnauthenticated, driver.Unauthenticated},
		{"wrapped sentinel", fmt.Errorf("x: %w", driver.ErrDuplicate), driver.Duplicate},
		{"joined", errors.Join(errors.New("a"), ve), driver.InvalidContent},
		{"context canceled", context.Canceled, driver.Canceled},
		{"wrapped deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), driver.Canceled},
		{"error wins over its cause", &driver.Error{Code: driver.Indeterminate, Err: context.DeadlineExceeded}, driver.Indeterminate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, driver.CodeOf(tt.err))
		})
	}
}

func TestErrorIsItsSentinelOnly(t *testing.T) {
	e := &driver.Error{Code: driver.RateLimited, Message: "slow down"}
	require.ErrorIs(t, e, driver.ErrRateLimited)
	require.NotErrorIs(t, e, driver.ErrUnavailable)
	require.NotErrorIs(t, &driver.Error{Code: driver.Unknown}, driver.ErrNotFound)

	cause := errors.New("cause")
	require.ErrorIs(t, &driver.Error{Code: driver.Unavailable, Err: cause}, cause)

	rl := &driver.RateLimitError{Code: driver.RateLimited, Err: &driver.Error{Code: driver.RateLimited}}
	require.ErrorIs(t, rl, driver.ErrRateLimited)
	require.NotErrorIs(t, rl, driver.ErrQuotaExceeded)
	require.ErrorIs(t, &driver.RateLimitError{Code: driver.QuotaExceeded}, driver.ErrQuotaExceeded)

	var ve error = &driver.ValidationError{Field: "text"}
	require.ErrorIs(t, ve, driver.ErrInvalidContent)
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"full", &driver.Error{Code: driver.PermissionDenied, Network: "facebook", Op: "Publish", Status: 403, NetworkCode: "200", Message: "Permissions error"},
			"connectors: facebook: Publish: permission denied (HTTP 403) [200]: Permissions error"},
		{"cause only", &driver.Error{Code: driver.Unavailable, Err: errors.New("dial tcp: refused")},
			"connectors: unavailable: dial tcp: refused"},
		{"sentinel", driver.ErrNotFound, "connectors: not found"},
		{"rate limit", &driver.RateLimitError{Code: driver.RateLimited, Scope: "user", RetryAfter: 90 * time.Second},
			"connectors: rate limited (user); retry after 1m30s"},
		{"quota", &driver.RateLimitError{Code: driver.QuotaExceeded, Reset: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)},
			"connectors: quota exceeded; resets at 2026-11-26T08:00:00Z"},
		{"validation", &driver.ValidationError{Network: "X", Field: "text", Limit: 280, Got: 312, Unit: "characters"},
			"text is 312 characters, X allows 280"},
		{"validation without network", &driver.ValidationError{Field: "media", Limit: 4, Got: 5, Unit: "images"},
			"media is 5 images, the network allows 4"},
		{"validation reason", &driver.ValidationError{Field: "media[1]", Reason: "a video cannot be mixed with images"},
			"media[1]: a video cannot be mixed with images"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestRateLimitWait(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		e    driver.RateLimitError
		want time.Duration
	}{
		{"nothing said", driver.RateLimitError{}, 0},
		{"retry after", driver.RateLimitError{RetryAfter: 5 * time.Second}, 5 * time.Second},
		{"reset later wins", driver.RateLimitError{RetryAfter: 5 * time.Second, Reset: now.Add(time.Minute)}, time.Minute},
		{"retry after wins", driver.RateLimitError{RetryAfter: 2 * time.Minute, Reset: now.Add(time.Minute)}, 2 * time.Minute},
		{"reset in the past", driver.RateLimitError{Reset: now.Add(-time.Minute)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.e.Wait(now))
		})
	}
}

func TestErrorCodeStringAndSentinel(t *testing.T) {
	require.Equal(t, "rate limited", driver.RateLimited.String())
	require.Equal(t, "ErrorCode(99)", driver.ErrorCode(99).String())
	require.Nil(t, driver.Unknown.Sentinel())
	require.Nil(t, driver.ErrorCode(-1).Sentinel())
	for c := driver.InvalidContent; c <= driver.Conflict; c++ {
		require.NotNil(t, c.Sentinel(), c.String())
		require.Equal(t, c, driver.CodeOf(c.Sentinel()))
	}
	require.True(t, driver.RateLimited.Retryable())
	require.True(t, driver.Unavailable.Retryable())
	require.False(t, driver.Indeterminate.Retryable())
	require.False(t, driver.QuotaExceeded.Retryable())
}

func TestCapabilities(t *testing.T) {
	c := driver.CapPublish | driver.CapDelete | driver.CapLike
	require.True(t, c.Has(driver.CapPublish|driver.CapLike))
	require.False(t, c.Has(driver.CapPublish|driver.CapEdit))
	require.Equal(t, "publish,delete,like", c.String())
	require.Equal(t, "", driver.Capabilities(0).String())
}

func TestKindStrings(t *testing.T) {
	require.Equal(t, "image", driver.MediaImage.String())
	require.Equal(t, "unknown", driver.MediaKind(0).String())
	require.Equal(t, "dm", driver.DirectMessage.String())
	require.Equal(t, "pending", driver.Pending.String())
	require.Equal(t, "graphemes", driver.CountGraphemes.String())
	require.Equal(t, driver.Metric{Value: 3, Valid: true}, driver.M(3))
}

func ExampleCodeOf() {
	err := fmt.Errorf("publishing: %w", &driver.RateLimitError{Code: driver.RateLimited, RetryAfter: 30 * time.Second})
	fmt.Println(driver.CodeOf(err), driver.CodeOf(err).Retryable())
	fmt.Println(errors.Is(err, driver.ErrRateLimited))
	// Output:
	// rate limited true
	// true
}
