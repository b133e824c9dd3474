#!/usr/bin/env bash
# GoToSocial (Mastodon client API) on loopback for the connectors/mastodon integration test.
#
#   gotosocial.sh install   build GoToSocial v0.17.3 from the Go module proxy (cached; ~10 min cold on
#                           2 cores, seconds when warm)
#   gotosocial.sh start     start it on 127.0.0.1:$CMKIT_GTS_PORT (default 18080) with SQLite, create two
#                           confirmed local accounts (the brand and another user), obtain an OAuth token
#                           for each by scripting the sign-in and authorize pages (GoToSocial has no
#                           password grant), and write $CMKIT_SERVERS_HOME/gotosocial/env
#   gotosocial.sh stop      stop what start started (idempotent)
#
# Facts behind the recipe: the proxy refuses version lists for GoToSocial, so `go install` fails and
# `go mod download -json` + `go build` in a copy works; the checksum database has no entry for it
# (GONOSUMDB); releases after v0.17 are not on the proxy. GTS_WAZERO_COMPILATION_CACHE keeps the
# ffmpeg WebAssembly compilation between starts (else 15-35 s per start).
set -euo pipefail

VERSION=v0.17.3
MODULE=github.com/superseriousbusiness/gotosocial
HOME_DIR=${CMKIT_SERVERS_HOME:-$HOME/.cache/cmkit-servers}/gotosocial
BIN=$HOME_DIR/gotosocial-$VERSION
SRC=$HOME_DIR/src-$VERSION
DATA=$HOME_DIR/data
PORT=${CMKIT_GTS_PORT:-18080}
BASE=http://127.0.0.1:$PORT
PASSWORD='Correct-Horse-Battery-9'
BRAND=brand
OTHER=fan

run() { echo "+ $*" >&2; "$@"; }

install() {
  if [ -x "$BIN" ] && [ -d "$SRC/web/template" ]; then
    echo "gotosocial $VERSION already installed at $BIN"
    return
  fi
  mkdir -p "$HOME_DIR"
  export GOMODCACHE=$HOME_DIR/gomodcache GOFLAGS=-mod=mod GONOSUMDB=$MODULE
  run go mod download -json "$MODULE@$VERSION" >/dev/null
  rm -rf "$SRC.tmp"
  run cp -r "$GOMODCACHE/$MODULE@$VERSION" "$SRC.tmp"
  chmod -R u+w "$SRC.tmp"
  rm -rf "$SRC.tmp/vendor" # the module zip holds only vendor/modules.txt
  (cd "$SRC.tmp" && run go build -trimpath -o "$BIN.tmp" ./cmd/gotosocial)
  rm -rf "$SRC"
  mv "$SRC.tmp" "$SRC"
  mv "$BIN.tmp" "$BIN"
  echo "gotosocial $VERSION installed at $BIN"
}


# token EMAIL: prints an access token for the account, by scripting the browser flow with a cookie jar:
# POST /api/v1/apps -> GET /oauth/authorize -> POST /auth/sign_in -> GET+POST /oauth/authorize -> POST /oauth/token.
token() {
  local email=$1 jar app cid csec loc code redir='urn:ietf:wg:oauth:2.0:oob' scopes='read write'
  jar=$(mktemp)
  app=$(curl -fsS -X POST "$BASE/api/v1/apps" -H 'Content-Type: application/json' \
    -d "$(jq -nc --arg r "$redir" --arg s "$scopes" '{client_name:"cmkit-ci", redirect_uris:$r, scopes:$s}')")
  cid=$(jq -r .client_id <<<"$app"); csec=$(jq -r .client_secret <<<"$app")
  curl -fsS -o /dev/null -c "$jar" -b "$jar" -G "$BASE/oauth/authorize" --data-urlencode "client_id=$cid" \
    --data-urlencode "redirect_uri=$redir" --data-urlencode response_type=code --data-urlencode "scope=$scopes"
  curl -fsS -o /dev/null -c "$jar" -b "$jar" -X POST "$BASE/auth/sign_in" --data-urlencode "username=$email" --data-urlencode "password=$PASSWORD"
  curl -fsS -o /dev/null -c "$jar" -b "$jar" "$BASE/oauth/authorize"
  loc=$(curl -sS -o /dev/null -c "$jar" -b "$jar" -X POST "$BASE/oauth/authorize" -w '%{redirect_url}')
  rm -f "$jar"
  code=$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$loc")
  [ -n "$code" ] || { echo "no authorization code for $email (redirect: $loc)" >&2; return 1; }
  curl -fsS -X POST "$BASE/oauth/token" --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
    --data-urlencode "client_id=$cid" --data-urlencode "client_secret=$csec" --data-urlencode "redirect_uri=$redir" | jq -r .access_token
}

start() {
  [ -x "$BIN" ] || { echo "gotosocial is not installed: run $0 install" >&2; exit 1; }
  stop >/dev/null
  rm -rf "$DATA"
  mkdir -p "$DATA/storage" "$HOME_DIR/wasm-cache"
  cat >"$DATA/config.yaml" <<YAML
host: "localhost:$PORT"
protocol: "http"
bind-address: "127.0.0.1"
port: $PORT
db-type: "sqlite"
db-address: "$DATA/sqlite.db"
storage-backend: "local"
storage-local-base-path: "$DATA/storage"
web-template-base-dir: "$SRC/web/template/"
web-asset-base-dir: "$SRC/web/assets/"
letsencrypt-enabled: false
accounts-registration-open: false
instance-expose-public-timeline: true
log-level: "info"
log-db-queries: false
metrics-enabled: false
trusted-proxies: ["127.0.0.1/32"]
cache:
  memory-target: "100MiB"
YAML
  export GTS_WAZERO_COMPILATION_CACHE=$HOME_DIR/wasm-cache
  local cfg=(--config-path "$DATA/config.yaml")
  # The admin CLI works on the SQLite database before the server starts. Its first run migrates
  # the schema (~30 s on 2 cores): the database with both accounts is kept as a template.
  local template=$HOME_DIR/accounts-$VERSION-$PORT.db
  if [ -f "$template" ]; then
    run cp "$template" "$DATA/sqlite.db"
  else
    for user in $BRAND $OTHER; do
      echo "+ $BIN ${cfg[*]} admin account create --username $user --email $user@example.org --password ***" >&2
      "$BIN" "${cfg[@]}" admin account create --username "$user" --email "$user@example.org" --password "$PASSWORD" >>"$DATA/admin.log" 2>&1 ||
        { tail -20 "$DATA/admin.log" >&2; exit 1; }
      echo "+ $BIN ${cfg[*]} admin account confirm --username $user" >&2
      "$BIN" "${cfg[@]}" admin account confirm --username "$user" >>"$DATA/admin.log" 2>&1 ||
        { tail -20 "$DATA/admin.log" >&2; exit 1; }
    done
    run cp "$DATA/sqlite.db" "$template.tmp"
    mv "$template.tmp" "$template"
  fi
  echo "+ $BIN ${cfg[*]} server start &" >&2
  nohup "$BIN" "${cfg[@]}" server start >"$DATA/server.log" 2>&1 &
  echo $! >"$DATA/pid"
  for i in $(seq 1 240); do
    if curl -fsS "$BASE/api/v1/instance" >/dev/null 2>&1; then
      echo "gotosocial is up on $BASE after ~$((i / 4)) s (pid $(cat "$DATA/pid"))"
      break
    fi
    if ! kill -0 "$(cat "$DATA/pid")" 2>/dev/null; then
      echo "gotosocial exited:" >&2; tail -30 "$DATA/server.log" >&2; exit 1
    fi
    sleep 0.25
  done
  curl -fsS "$BASE/api/v1/instance" >/dev/null || { echo "gotosocial did not start:" >&2; tail -30 "$DATA/server.log" >&2; exit 1; }
  local brand_token other_token
  echo "+ token $BRAND@example.org; token $OTHER@example.org (register an app, sign in, authorize, exchange the code)" >&2
  brand_token=$(token "$BRAND@example.org")
  other_token=$(token "$OTHER@example.org")
  cat >"$HOME_DIR/env" <<ENV
export CMKIT_GTS_URL=$BASE
export CMKIT_GTS_TOKEN=$brand_token
export CMKIT_GTS_HANDLE=$BRAND
export CMKIT_GTS_EMAIL=$BRAND@example.org
export CMKIT_GTS_PASSWORD='$PASSWORD'
export CMKIT_GTS_OTHER_TOKEN=$other_token
export CMKIT_GTS_OTHER_HANDLE=$OTHER
ENV
  echo "wrote $HOME_DIR/env (accounts @$BRAND and @$OTHER)"
}

stop() {
  local pid
  pid=$(cat "$DATA/pid" 2>/dev/null) || { echo "gotosocial is not running"; return 0; }
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "gotosocial (pid $pid) still running after 10 s: killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$DATA/pid"
  echo "gotosocial stopped"
}

case "${1:-}" in
install) install ;;
start) start ;;
stop) stop ;;
*) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
