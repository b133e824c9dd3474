package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// parsed is what the internal parsers return: the interactions and, for
// each, the key under which the handlers deduplicate redeliveries.
type parsed struct {
	items []driver.Interaction
	keys  []string
}

func (p *parsed) add(in driver.Interaction, key string) {
	p.items = append(p.items, in)
	p.keys = append(p.keys, key)
}

// flexString decodes a JSON string or number into its text: networks send
// IDs and timestamps as either.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// unixAuto reads Unix seconds, or milliseconds when the value is too large
// to be seconds (Meta's Messenger entries use milliseconds). It returns the
// zero time for an empty or invalid value.
func unixAuto(s flexString) time.Time {
	str := string(s)
	if str == "" {
		return time.Time{}
	}
	if i := strings.IndexByte(str, '.'); i >= 0 {
		str = str[:i]
	}
	n, err := strconv.ParseInt(str, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	if n >= 1e12 {
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}

// unixMilli reads Unix milliseconds.
func unixMilli(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

var errTrailingData = errors.New("trailing data after the JSON value")

func unknownAuthor() driver.Author { return driver.Author{Followers: -1} }

// decode unmarshals a whole body into v, refusing trailing data.
func decode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errTrailingData
	}
	return nil
}
