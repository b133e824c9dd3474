package moderation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/moderation"
)

func TestReviewQueue(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	q := moderation.NewMemoryQueue(func() time.Time { return now })
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{NoClassifier: true, Review: q})
	require.NoError(t, err)

	items := []*moderation.Item{
		{ID: "c1", Text: "Appelez-moi au 06 12 34 56 78"},
		{ID: "c2", Text: "Les musulmans sont des parasites", Language: "fr"},
		{ID: "c3", Text: "Your service is a joke, you idiots"},
	}
	for _, it := range items {
		_, err := p.Moderate(ctx, it)
		require.NoError(t, err)
	}
	pending, err := q.Pending(ctx, 0)
	require.NoError(t, err)
	require.Len(t, pending, 2) // c2 is hidden, not held
	require.Equal(t, "c1", pending[0].ID)
	require.Equal(t, moderation.Hold, pending[0].Decision.Action)

	_, err = q.Resolve(ctx, "nope", "alice", moderation.Approve, "")
	require.ErrorIs(t, err, moderation.ErrNotFound)
	r, err := q.Resolve(ctx, "c1", "alice", moderation.Approve, "customer asked for a call back")
	require.NoError(t, err)
	require.Equal(t, "alice", r.Reviewer)
	_, err = q.Resolve(ctx, "c1", "bob", moderation.Remove, "")
	require.ErrorIs(t, err, moderation.ErrAlreadyResolved)
	_, err = q.Resolve(ctx, "c3", "bob", moderation.Remove, "insults staff")
	require.NoError(t, err)

	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, 2)
	require.Equal(t, moderation.Allow, audit[0].After)
	require.Equal(t, moderation.Hold, audit[0].Before.Action)
	require.Equal(t, now, audit[0].At)
	require.Equal(t, moderation.Hide, audit[1].After)

	var buf bytes.Buffer
	require.NoError(t, moderation.ExportTSV(&buf, audit))
	require.Equal(t, "lang\tlabel\ttext\nen\ttoxic\tYour service is a joke, you idiots\n", strings.Replace(buf.String(), "fr\tclean\tAppelez-moi au 06 12 34 56 78\n", "", 1))
	require.Contains(t, buf.String(), "\tclean\tAppelez-moi")

	t.Run("concurrent", func(t *testing.T) {
		q := moderation.NewMemoryQueue(nil)
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, err := q.Add(ctx, &moderation.Item{Text: "x"}, moderation.Decision{Action: moderation.Hold})
				require.NoError(t, err)
				if i%2 == 0 {
					_, err = q.Resolve(ctx, id, "r", moderation.Remove, "")
					require.NoError(t, err)
				}
			}()
		}
		wg.Wait()
		pending, err := q.Pending(ctx, 0)
		require.NoError(t, err)
		require.Len(t, pending, 25)
	})
}

// perspective is a fake Perspective-like toxicity API.
func perspective(t *testing.T, block chan struct{}) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, http.MethodPost, r.Method)
		require.Equal(t, "/v1alpha1/comments:analyze", r.URL.Path)
		require.Equal(t, "k", r.URL.Query().Get("key"))
		var req struct {
			Comment struct {
				Text string `json:"text"`
			} `json:"comment"`
			Languages           []string            `json:"languages"`
			RequestedAttributes map[string]struct{} `json:"requestedAttributes"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&req))
		require.Contains(t, req.RequestedAttributes, "TOXICITY")
		if block != nil {
			select {
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
		score := 0.1
		if strings.Contains(req.Comment.Text, "nasty") {
			score = 0.97
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"attributeScores": map[string]any{
			"TOXICITY": map[string]any{"summaryScore": map[string]any{"value": score, "type": "PROBABILITY"}}}})
	}))
}

// perspectiveClient is an ExternalClassifier for the fake API.
type perspectiveClient struct{ url string }

func (c perspectiveClient) Classify(ctx context.Context, it *moderation.Item) ([]moderation.Label, error) {
	body, _ := json.Marshal(map[string]any{"comment": map[string]string{"text": it.Text}, "languages": []string{"en"},
		"requestedAttributes": map[string]any{"TOXICITY": map[string]any{}}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/v1alpha1/comments:analyze?key=k", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		AttributeScores map[string]struct {
			SummaryScore struct{ Value float64 } `json:"summaryScore"`
		} `json:"attributeScores"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return []moderation.Label{{Category: moderation.Toxic, Score: out.AttributeScores["TOXICITY"].SummaryScore.Value, Rule: "TOXICITY"}}, nil
}

func TestExternalStage(t *testing.T) {
	srv := perspective(t, nil)
	defer srv.Close()
	p, err := moderation.NewPipeline(moderation.PipelineConfig{Stages: []moderation.StageConfig{
		moderation.ExternalStage("perspective", perspectiveClient{srv.URL}, 0, false)}})
	require.NoError(t, err)
	d, err := p.Moderate(context.Background(), &moderation.Item{Text: "what a nasty thing"})
	require.NoError(t, err)
	require.Equal(t, moderation.Hide, d.Action)
	require.Contains(t, d.Explanation, "perspective/TOXICITY")
	d, err = p.Moderate(context.Background(), &moderation.Item{Text: "lovely"})
	require.NoError(t, err)
	require.Equal(t, moderation.Allow, d.Action)

	t.Run("slow service fails closed", func(t *testing.T) {
		block := make(chan struct{})
		slow := perspective(t, block)
		defer slow.Close()
		defer close(block)
		p, err := moderation.NewPipeline(moderation.PipelineConfig{Stages: []moderation.StageConfig{
			moderation.ExternalStage("perspective", perspectiveClient{slow.URL}, 20*time.Millisecond, true)}})
		require.NoError(t, err)
		d, err := p.Moderate(context.Background(), &moderation.Item{Text: "hello"})
		require.NoError(t, err)
		require.Equal(t, moderation.Hold, d.Action)
		require.Contains(t, d.Explanation, "fail-closed")
	})
	t.Run("bad scores fail", func(t *testing.T) {
		bad := moderation.ExternalClassifierFunc(func(context.Context, *moderation.Item) ([]moderation.Label, error) {
			return []moderation.Label{{Category: moderation.Toxic, Score: 7}}, nil
		})
		p, err := moderation.NewPipeline(moderation.PipelineConfig{Stages: []moderation.StageConfig{moderation.ExternalStage("x", bad, 0, false)}})
		require.NoError(t, err)
		d, err := p.Moderate(context.Background(), &moderation.Item{Text: "hello"})
		require.NoError(t, err)
		require.Equal(t, moderation.Allow, d.Action)
		require.Contains(t, d.Explanation, "out of range")
	})
}

func TestReviewerVerdictStands(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		verdict moderation.ReviewVerdict
		want    moderation.Action
	}{
		{moderation.Approve, moderation.Allow},
		{moderation.Remove, moderation.Hide},
	} {
		t.Run(tt.verdict.String(), func(t *testing.T) {
			q := moderation.NewMemoryQueue(nil)
			var applied []moderation.Action
			rec := moderation.ApplierFunc(func(_ context.Context, _ *moderation.Item, d moderation.Decision) error {
				applied = append(applied, d.Action)
				return nil
			})
			p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{Review: q, Applier: rec})
			require.NoError(t, err)
			it := &moderation.Item{ID: "c1", Text: "quelle bande de guignols"}
			d, err := p.Moderate(ctx, it)
			require.NoError(t, err)
			require.Equal(t, moderation.Hold, d.Action, d.Explanation)
			_, err = q.Resolve(ctx, "c1", "camille", tt.verdict, "")
			require.NoError(t, err)

			// Moderated again (edited, fetched twice, a restart): the
			// reviewer's verdict stands and the item is not queued again.
			d, err = p.Moderate(ctx, it)
			require.NoError(t, err)
			require.Equal(t, tt.want, d.Action, d.Explanation)
			require.Contains(t, d.Explanation, "by reviewer camille")
			pending, err := q.Pending(ctx, 0)
			require.NoError(t, err)
			require.Empty(t, pending)
			if tt.want == moderation.Allow {
				require.Equal(t, []moderation.Action{moderation.Hold}, applied, "an approved item is not acted on")
			} else {
				require.Equal(t, []moderation.Action{moderation.Hold, moderation.Hide}, applied)
			}
		})
	}
}
