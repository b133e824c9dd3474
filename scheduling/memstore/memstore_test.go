package memstore_test

import (
	"testing"

	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/memstore"
	"github.com/cmkit/cmkit/scheduling/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) scheduling.Store { return memstore.New() })
}
