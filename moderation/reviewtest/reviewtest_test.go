package reviewtest_test

import (
	"testing"

	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/reviewtest"
)

func TestMemoryQueue(t *testing.T) {
	reviewtest.Run(t, func(t *testing.T) moderation.ReviewQueue {
		return moderation.NewMemoryQueue(nil)
	})
}
