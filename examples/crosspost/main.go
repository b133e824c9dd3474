// Command crosspost publishes one post to every configured account: it opens
// each account from a connection URL, validates the post against every
// network's limits first (so nothing is published when one network would
// refuse it, unless -partial is given), then publishes to each and prints
// the result. One network failing never stops the others.
//
// With no configuration it runs on in-memory accounts that emulate the
// limits of X, Bluesky, Mastodon, LinkedIn and Instagram, so it works on a
// fresh machine:
//
//	go run ./examples/crosspost -text "Nos galettes des rois arrivent demain !"
//
// To target real accounts, list them in a JSON file:
//
//	[
//	  {"url": "mastodon://mastodon.social/brand", "token_env": "MASTODON_TOKEN"},
//	  {"url": "bluesky://brand.bsky.social", "username": "brand.bsky.social", "password_env": "BLUESKY_APP_PASSWORD"}
//	]
//
// and run it with -config accounts.json. Secrets are read from the
// environment variables the file names, never from the file or the URL.
// The registered networks and what their URLs select:
//
//	mastodon://instance/handle          token_env: an OAuth2 access token
//	bluesky://handle                    username + password_env: an app password
//	matrix://homeserver/%23room:server  username + password_env, or token_env ("#" is written %23)
//	discord://CHANNEL_ID                password_env: the bot token
//	slack://CHANNEL_ID                  token_env: a bot token (xoxb-...)
//	telegram://CHAT_ID                  password_env: the bot token
//	mem://handle?profile=x              in memory, no secret
//
// (See each connector's package documentation for its options.)
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	goimage "image"
	"image/color"
	_ "image/jpeg" // DecodeConfig of JPEG files
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors"
	// Each connector registers its network name for connection URLs.
	_ "github.com/cmkit/cmkit/connectors/bluesky"
	_ "github.com/cmkit/cmkit/connectors/discord"
	_ "github.com/cmkit/cmkit/connectors/mastodon"
	_ "github.com/cmkit/cmkit/connectors/matrix"
	_ "github.com/cmkit/cmkit/connectors/memconnector"
	_ "github.com/cmkit/cmkit/connectors/slack"
	_ "github.com/cmkit/cmkit/connectors/telegram"
)

// AccountConfig is one entry of the configuration file.
type AccountConfig struct {
	// URL is the connection URL (see connectors.OpenURL).
	URL string `json:"url"`
	// Username is the login for networks that use one (Bluesky, Matrix).
	Username string `json:"username,omitempty"`
	// TokenEnv and PasswordEnv name environment variables holding an
	// OAuth2 access token or a password (an app password, a bot token).
	TokenEnv    string `json:"token_env,omitempty"`
	PasswordEnv string `json:"password_env,omitempty"`
}

// demoAccounts are used when no configuration file is given.
var demoAccounts = []AccountConfig{
	{URL: "mem://brand?profile=x"},
	{URL: "mem://brand?profile=bluesky"},
	{URL: "mem://brand?profile=mastodon"},
	{URL: "mem://brand?profile=linkedin"},
	{URL: "mem://brand?profile=instagram"},
}

func main() {
	text := flag.String("text", "Nos galettes des rois arrivent demain dans toutes nos boutiques de Lyon ! 👑 #épiphanie https://maison-brioche.fr/galettes", "text of the post")
	config := flag.String("config", "", "JSON file listing the accounts (default: in-memory demo accounts)")
	partial := flag.Bool("partial", false, "publish to the accounts that accept the post even if others refuse it")
	imagePath := flag.String("image", "", "PNG or JPEG image to attach (default: a generated picture)")
	alt := flag.String("alt", "Une galette des rois dorée, vue de dessus", "alt text of the image")
	noImage := flag.Bool("no-image", false, "publish text only")
	flag.Parse()

	post := &connectors.Post{Text: *text}
	if !*noImage {
		m, err := image(*imagePath, *alt)
		if err != nil {
			fmt.Fprintln(os.Stderr, "crosspost:", err)
			os.Exit(2)
		}
		post.Media = []connectors.Media{m}
	}

	accounts := demoAccounts
	if *config != "" {
		var err error
		if accounts, err = loadConfig(*config); err != nil {
			fmt.Fprintln(os.Stderr, "crosspost:", err)
			os.Exit(2)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, accounts, post, *partial); err != nil {
		fmt.Fprintln(os.Stderr, "crosspost:", err)
		os.Exit(1)
	}
}

// image reads the image at path, or draws a golden disc when path is empty.
func image(path, alt string) (connectors.Media, error) {
	m := connectors.Media{Kind: connectors.MediaImage, AltText: alt}
	if path == "" {
		var buf bytes.Buffer
		img := goimage.NewRGBA(goimage.Rect(0, 0, 96, 96))
		for y := range 96 {
			for x := range 96 {
				dx, dy := x-48, y-48
				c := color.RGBA{250, 246, 238, 255}
				if dx*dx+dy*dy < 44*44 {
					c = color.RGBA{214, 158, 62, 255}
				}
				img.Set(x, y, c)
			}
		}
		if err := png.Encode(&buf, img); err != nil {
			return m, err
		}
		m.MIMEType, m.Filename, m.Data = "image/png", "galette.png", buf.Bytes()
		m.Width, m.Height, m.Size = 96, 96, int64(buf.Len())
		return m, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	m.MIMEType = http.DetectContentType(b)
	if m.MIMEType != "image/png" && m.MIMEType != "image/jpeg" {
		return m, fmt.Errorf("%s: %s is not a PNG or JPEG image", path, m.MIMEType)
	}
	if cfg, _, err := goimage.DecodeConfig(bytes.NewReader(b)); err == nil {
		m.Width, m.Height = cfg.Width, cfg.Height
	}
	m.Filename, m.Data, m.Size = filepath.Base(path), b, int64(len(b))
	return m, nil
}

func loadConfig(path string) ([]AccountConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var accounts []AccountConfig
	if err := json.Unmarshal(b, &accounts); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(accounts) == 0 {
		return nil, fmt.Errorf("%s: no accounts", path)
	}
	return accounts, nil
}

// open opens one configured account, reading its secrets from the
// environment.
func open(ctx context.Context, ac AccountConfig) (*connectors.Account, error) {
	cfg := connectors.Config{Username: ac.Username}
	if ac.TokenEnv != "" {
		tok := os.Getenv(ac.TokenEnv)
		if tok == "" {
			return nil, fmt.Errorf("environment variable %s is empty", ac.TokenEnv)
		}
		cfg.Tokens = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})
	}
	if ac.PasswordEnv != "" {
		if cfg.Password = os.Getenv(ac.PasswordEnv); cfg.Password == "" {
			return nil, fmt.Errorf("environment variable %s is empty", ac.PasswordEnv)
		}
	}
	return connectors.OpenURL(ctx, ac.URL, cfg, nil)
}

// run opens every account, validates post for all of them, then publishes.
// It returns an error when no account could publish.
func run(ctx context.Context, w io.Writer, accounts []AccountConfig, post *connectors.Post, partial bool) error {
	type target struct {
		name string
		acct *connectors.Account
		err  error // why it is skipped
	}
	targets := make([]target, 0, len(accounts))
	refused := 0
	for _, ac := range accounts {
		t := target{name: ac.URL}
		t.acct, t.err = open(ctx, ac)
		if t.err == nil {
			d := t.acct.Description()
			t.name = d.DisplayName + " @" + d.Handle
			if d.Handle == "" {
				t.name = d.DisplayName + " " + ac.URL
			}
			if err := t.acct.Validate(post); err != nil {
				t.err = err
				refused++
			}
		}
		targets = append(targets, t)
	}
	defer func() {
		for _, t := range targets {
			if t.acct != nil {
				_ = t.acct.Close()
			}
		}
	}()

	fmt.Fprintf(w, "Checking %q against %d accounts\n", abbreviate(post.Text, 60), len(targets))
	for _, t := range targets {
		if t.err == nil {
			fmt.Fprintf(w, "  ok       %s\n", t.name)
			continue
		}
		fmt.Fprintf(w, "  refused  %s\n", t.name)
		for _, line := range reasons(t.err) {
			fmt.Fprintf(w, "           - %s\n", line)
		}
	}
	if refused > 0 && !partial {
		return fmt.Errorf("%d of %d accounts refuse this post: shorten or adapt it, or run with -partial", refused, len(targets))
	}

	fmt.Fprintln(w, "Publishing")
	published := 0
	for _, t := range targets {
		if t.err != nil {
			fmt.Fprintf(w, "  skipped  %s\n", t.name)
			continue
		}
		res, err := t.acct.Publish(ctx, post, nil)
		switch {
		case err != nil:
			fmt.Fprintf(w, "  failed   %s: %s (%s)\n", t.name, err, advice(err))
		case res.Status == connectors.Pending:
			published++
			fmt.Fprintf(w, "  pending  %s: the network is processing the post\n", t.name)
		default:
			published++
			fmt.Fprintf(w, "  posted   %s: %s %s\n", t.name, res.ID, res.URL)
		}
	}
	if published == 0 {
		return errors.New("nothing was published")
	}
	return nil
}

// reasons lists the validation failures in err, one per line.
func reasons(err error) []string {
	var out []string
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}

// advice tells a community manager what to do about a publish error.
func advice(err error) string {
	switch connectors.Code(err) {
	case connectors.Unauthenticated:
		return "reconnect the account"
	case connectors.PermissionDenied:
		return "the account lacks a permission"
	case connectors.RateLimited, connectors.QuotaExceeded:
		return "try again later"
	case connectors.Indeterminate:
		return "check the account before posting again: it may have been published"
	case connectors.InvalidContent:
		return "the network refused the content"
	}
	return "see the error"
}

func abbreviate(s string, n int) string {
	r := []rune(strings.ReplaceAll(s, "\n", " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
