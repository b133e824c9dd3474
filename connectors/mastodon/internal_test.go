package mastodon

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors/driver"
)

func TestCompareIDs(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"equal", "109", "109", 0},
		{"shorter is older", "99", "100", -1},
		{"longer is newer", "1000", "999", 1},
		{"same length", "103270115826048975", "103270115826048976", -1},
		{"ulids", "01HXYZ0000000000000000000A", "01HXYZ0000000000000000000B", -1},
		{"start cursor before all", startCursor, "1", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, compareIDs(tt.a, tt.b))
			require.Equal(t, -tt.want, compareIDs(tt.b, tt.a))
		})
	}
}

func TestValidID(t *testing.T) {
	for _, id := range []string{"1", "103270115826048975", "01HXYZ0000000000000000000A"} {
		require.True(t, validID(id), id)
	}
	for _, id := range []string{"", "../admin", "1?x=1", "1/context", "é", string(make([]byte, 65))} {
		require.False(t, validID(id), id)
	}
}

func TestLinkNext(t *testing.T) {
	tests := []struct {
		name, header, want string
	}{
		{"mastodon", `<https://mastodon.example/api/v1/notifications?max_id=34975535>; rel="next", <https://mastodon.example/api/v1/notifications?min_id=34975861>; rel="prev"`,
			"https://mastodon.example/api/v1/notifications?max_id=34975535"},
		{"prev only", `<https://m.example/api/v1/conversations?min_id=5>; rel="prev"`, ""},
		{"next second", `<https://m.example/a?min_id=5>; rel="prev", <https://m.example/a?max_id=1>; rel="next"`, "https://m.example/a?max_id=1"},
		{"comma in url", `<https://m.example/a?x=1,2&max_id=1>; rel="next"`, "https://m.example/a?x=1,2&max_id=1"},
		{"unquoted rel", `<https://m.example/a?max_id=1>; rel=next`, "https://m.example/a?max_id=1"},
		{"not http", `<javascript:alert(1)>; rel="next"`, ""},
		{"empty", "", ""},
		{"garbage", `<<<>;;;rel="next"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, linkNext(tt.header))
		})
	}
}

// TestGoldenStatus reads the documented Status example (entities/Status.md,
// with a mention, a link, a hashtag and a content warning) as the driver
// lists it.
func TestGoldenStatus(t *testing.T) {
	b, err := os.ReadFile("testdata/status.json")
	require.NoError(t, err)
	var st status
	require.NoError(t, json.Unmarshal(b, &st))
	it := interaction(&st, driver.Comment)
	require.Equal(t, "103270115826048975", it.ID)
	require.Equal(t, "103270115826040000", it.ParentID)
	require.Equal(t, "Gargron", it.Author.Handle)
	require.Equal(t, int64(322930), it.Author.Followers)
	require.Equal(t, "fr", it.Language)
	require.Equal(t, "https://mastodon.social/@Gargron/103270115826048975", it.URL)
	require.Equal(t, "Spoilers & such\n\nBonjour @brand & merci\u00a0!\nVoir https://example.org/soldes/hiver\n\n#cmkit <3", it.Text)
	require.Equal(t, int64(11), st.FavouritesCount)
	require.Len(t, st.MediaAttachments, 1)
}

func TestNarrower(t *testing.T) {
	require.Equal(t, Direct, narrower(Public, Direct))
	require.Equal(t, Private, narrower(Private, Unlisted))
	require.Equal(t, Unlisted, narrower(Unlisted, ""))
	require.Equal(t, Public, narrower(Public, "limited-by-some-fork"))
}

func TestMentions(t *testing.T) {
	require.True(t, mentions("@Fan merci", "fan"))
	require.True(t, mentions("merci @fan@example.org", "fan@example.org"))
	require.False(t, mentions("merci @fanatic", "fan"))
	require.False(t, mentions("merci @fan@other.example", "fan"))
	require.False(t, mentions("merci", "fan"))
}

func TestStatusText(t *testing.T) {
	tests := []struct {
		name string
		p    driver.Post
		want string
	}{
		{"text only", driver.Post{Text: "Bonjour"}, "Bonjour"},
		{"link appended", driver.Post{Text: "Soldes", Link: "https://example.org/s"}, "Soldes\n\nhttps://example.org/s"},
		{"link already in text", driver.Post{Text: "Soldes https://example.org/s", Link: "https://example.org/s"}, "Soldes https://example.org/s"},
		{"tags appended", driver.Post{Text: "Soldes #Hiver", Tags: []string{"hiver", "#mode", "bad tag", ""}}, "Soldes #Hiver\n\n#mode"},
		{"link only", driver.Post{Link: "https://example.org"}, "https://example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, statusText(&tt.p))
		})
	}
}
