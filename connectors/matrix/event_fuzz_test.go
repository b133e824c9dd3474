package matrix

import (
	"encoding/json"
	"testing"
)

// FuzzEvent: events come from the homeserver and from other users'
// clients; decoding and reading relations never panics.
func FuzzEvent(f *testing.F) {
	f.Add([]byte(`{"event_id":"$a","type":"m.room.message","sender":"@a:b","origin_server_ts":1,"content":{"msgtype":"m.text","body":"x","m.relates_to":{"m.in_reply_to":{"event_id":"$p"}}}}`))
	f.Add([]byte(`{"type":"m.room.message","content":{"body":"x","m.relates_to":{"rel_type":"m.thread","event_id":"$root","is_falling_back":true,"m.in_reply_to":{"event_id":"$last"}}}}`))
	f.Add([]byte(`{"type":"m.room.message","content":{},"unsigned":{"redacted_because":{"type":"m.room.redaction"}}}`))
	f.Add([]byte(`{"type":"m.room.message","content":{"body":"x"},"unsigned":{"m.relations":{"m.replace":{"content":{"m.new_content":{"body":"y"}}}}}}`))
	f.Add([]byte(`{"content":{"m.relates_to":null,"m.mentions":{"user_ids":null}},"unsigned":{"redacted_because":null}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ev event
		if json.Unmarshal(b, &ev) != nil {
			return
		}
		p := ev.parent()
		if ev.Content.RelatesTo == nil && p != "" {
			t.Fatalf("parent %q without m.relates_to", p)
		}
		if ev.listable() && ev.text() == "" {
			t.Fatalf("a listable event with no text")
		}
		_ = ev.redacted()
	})
}
