package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/driver"
)

// MemoryTokenStore is a driver.TokenStore in memory, for tests and
// short-lived programs. The zero value is ready to use; it is safe for
// concurrent use.
type MemoryTokenStore struct {
	mu sync.RWMutex
	m  map[string]oauth2.Token
}

// LoadToken returns a copy of the token saved under key, or an error
// matching driver.ErrNotFound.
func (s *MemoryTokenStore) LoadToken(ctx context.Context, key string) (*oauth2.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.m[key]
	if !ok {
		return nil, notFound(key)
	}
	return &t, nil
}

// SaveToken saves a copy of tok under key.
func (s *MemoryTokenStore) SaveToken(ctx context.Context, key string, tok *oauth2.Token) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if tok == nil {
		return errors.New("oauth: SaveToken of a nil token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]oauth2.Token)
	}
	s.m[key] = *tok
	return nil
}

func notFound(key string) error {
	return &driver.Error{Code: driver.NotFound, Message: "no token stored under " + quote(key)}
}

// FileTokenStore is a driver.TokenStore keeping one JSON file per key in a
// directory, readable by the owner only (0600 files in a 0700 directory).
// Saves are atomic and durable: the token is written to a temporary file,
// synced, and renamed over the old one, and the directory is synced.
// Several processes may share the directory.
//
// Files hold the access token, token type, refresh token and expiry; the
// token's extra fields (id_token...) are not kept.
type FileTokenStore struct {
	dir string
	mu  sync.Mutex
}

// NewFileTokenStore returns a store in dir, creating it (mode 0700) if
// needed.
func NewFileTokenStore(dir string) (*FileTokenStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("oauth: token store: %w", err)
	}
	return &FileTokenStore{dir: dir}, nil
}

// path returns the file of key: its base64url encoding, so that any key
// ("acme/x", "../x") is a safe file name.
func (s *FileTokenStore) path(key string) string {
	return filepath.Join(s.dir, "token-"+base64.RawURLEncoding.EncodeToString([]byte(key))+".json")
}

// fileToken is the file format.
type fileToken struct {
	Key   string        `json:"key"`
	Token *oauth2.Token `json:"token"`
}

// LoadToken reads the token saved under key, or returns an error matching
// driver.ErrNotFound.
func (s *FileTokenStore) LoadToken(ctx context.Context, key string) (*oauth2.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(key)
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: token store: %w", err)
	}
	var f fileToken
	if err := json.Unmarshal(b, &f); err != nil || f.Token == nil {
		return nil, fmt.Errorf("oauth: token store: %s is corrupt", filepath.Base(s.path(key)))
	}
	return f.Token, nil
}

// SaveToken writes tok under key atomically and durably.
func (s *FileTokenStore) SaveToken(ctx context.Context, key string, tok *oauth2.Token) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if tok == nil {
		return errors.New("oauth: SaveToken of a nil token")
	}
	b, err := json.MarshalIndent(fileToken{Key: key, Token: tok}, "", "  ")
	if err != nil {
		return fmt.Errorf("oauth: token store: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := writeFileAtomic(s.path(key), b); err != nil {
		return fmt.Errorf("oauth: token store: %w", err)
	}
	return nil
}

// writeFileAtomic writes b to name through a synced temporary file renamed
// over it, then syncs the directory so the rename survives a crash.
func writeFileAtomic(name string, b []byte) (err error) {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, ".tmp-token-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(b); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), name); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return nil // the file is in place; only the directory sync failed
	}
	defer d.Close()
	d.Sync()
	return nil
}
