package textcount

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWeightedConformance runs twitter-text's weighted counter vectors
// (conformance/validate.yml, sections WeightedTweetsWithDiscountedEmojiCounterTest
// and UnicodeDirectionalMarkerCounterTest, Apache-2.0; see testdata/README.md).
func TestWeightedConformance(t *testing.T) {
	raw, err := os.ReadFile("testdata/weighted_v3.json")
	require.NoError(t, err)
	var cases []struct {
		Description    string
		Text           string
		WeightedLength int
	}
	require.NoError(t, json.Unmarshal(raw, &cases))
	require.GreaterOrEqual(t, len(cases), 12)
	for _, tc := range cases {
		t.Run(tc.Description, func(t *testing.T) {
			require.Equal(t, tc.WeightedLength, Weighted(tc.Text))
		})
	}
}

// TestURLsConformance runs twitter-text's URL extraction vectors
// (conformance/extract.yml, section urls; see testdata/README.md).
func TestURLsConformance(t *testing.T) {
	raw, err := os.ReadFile("testdata/extract_urls.json")
	require.NoError(t, err)
	var cases []struct {
		Description string
		Text        string
		Expected    []string
	}
	require.NoError(t, json.Unmarshal(raw, &cases))
	for _, tc := range cases {
		t.Run(tc.Description, func(t *testing.T) {
			got := []string{}
			for _, u := range URLs(tc.Text) {
				require.Equal(t, tc.Text[u.Start:u.End], u.Text)
				got = append(got, u.Text)
			}
			if tc.Expected == nil {
				tc.Expected = []string{}
			}
			require.Equal(t, tc.Expected, got)
		})
	}
}
