package reviewjson

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/cmkit/cmkit/moderation"
)

func TestRoundTripAndRefusals(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	it := &moderation.Item{ID: "c1", Text: "nul\x00 byte", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, paris),
		Links: []string{"https://x.example"}}
	d := moderation.Decision{Action: moderation.Hold, Category: moderation.Toxic, Score: 0.7, Explanation: "why"}
	item, dec, err := Encode(it, d)
	if err != nil {
		t.Fatal(err)
	}
	var it2 moderation.Item
	var d2 moderation.Decision
	if err := Decode(item, &it2, dec, &d2); err != nil {
		t.Fatal(err)
	}
	if it2.Text != it.Text || !it2.CreatedAt.Equal(it.CreatedAt) || it2.CreatedAt.Location() != time.UTC ||
		d2.Score != d.Score || d2.Explanation != d.Explanation || len(it2.Links) != 1 {
		t.Errorf("round trip: %+v %+v", it2, d2)
	}
	bad := *it
	bad.Text = "\xff"
	if _, _, err := Encode(&bad, d); !errors.Is(err, moderation.ErrInvalidReview) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	d.Score = math.NaN()
	if _, _, err := Encode(it, d); !errors.Is(err, moderation.ErrInvalidReview) {
		t.Errorf("NaN score: %v", err)
	}
}
