// Package reviewjson is how the durable review queues (moderation/
// sqlitequeue, moderation/pgqueue) store an item and its decision: as JSON
// documents that round-trip exactly, refusing what JSON cannot hold.
package reviewjson

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cmkit/cmkit/moderation"
)

// Encode returns the JSON documents of it and d. It refuses, with an error
// matching moderation.ErrInvalidReview that names the field, what JSON
// cannot hold exactly: a string that is not valid UTF-8 (encoding/json
// would replace it) or a score that is NaN or infinite (it would fail).
// NUL is fine: JSON writes it "\u0000".
func Encode(it *moderation.Item, d moderation.Decision) (item, dec []byte, err error) {
	if err := Storable(reflect.ValueOf(*it), "Item"); err != nil {
		return nil, nil, err
	}
	if err := Storable(reflect.ValueOf(d), "Decision"); err != nil {
		return nil, nil, err
	}
	if item, err = json.Marshal(it); err != nil {
		return nil, nil, fmt.Errorf("encode item: %w", err)
	}
	if dec, err = json.Marshal(d); err != nil {
		return nil, nil, fmt.Errorf("encode decision: %w", err)
	}
	return item, dec, nil
}

// Decode reads the JSON documents of an entry, with its times in UTC.
func Decode(item []byte, it *moderation.Item, dec []byte, d *moderation.Decision) error {
	if err := json.Unmarshal(item, it); err != nil {
		return fmt.Errorf("decode item: %w", err)
	}
	if err := json.Unmarshal(dec, d); err != nil {
		return fmt.Errorf("decode decision: %w", err)
	}
	it.CreatedAt, it.Author.CreatedAt = utc(it.CreatedAt), utc(it.Author.CreatedAt)
	return nil
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// Storable checks that JSON holds v exactly: no string with invalid UTF-8,
// no NaN or infinite float. It walks every field, so that a field added to
// moderation.Item or Decision is checked too; path names v in errors.
func Storable(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return fmt.Errorf("%w: %s is not valid UTF-8", moderation.ErrInvalidReview, path)
		}
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: %s is %v, which cannot be stored", moderation.ErrInvalidReview, path, f)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return nil
		}
		for i := range v.NumField() {
			if err := Storable(v.Field(i), path+"."+v.Type().Field(i).Name); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := Storable(v.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	}
	return nil
}
