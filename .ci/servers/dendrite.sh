#!/usr/bin/env bash
# Dendrite (Matrix homeserver written in Go) on loopback for the Matrix connector's integration test.
#
#   .ci/servers/dendrite.sh install   build Dendrite v0.15.2 once (cached; a warm run takes seconds)
#   .ci/servers/dendrite.sh start     start it on 127.0.0.1 (SQLite, federation off), create the users
#                                     brand and other and a room both joined, write the env file
#   .ci/servers/dendrite.sh stop      stop what start started (idempotent)
#
# State lives under ${CMKIT_SERVERS_HOME:-$HOME/.cache/cmkit-servers}/dendrite. The env file
# $CMKIT_SERVERS_HOME/dendrite/env exports CMKIT_MATRIX_URL, CMKIT_MATRIX_USER, CMKIT_MATRIX_PASSWORD,
# CMKIT_MATRIX_OTHER_USER, CMKIT_MATRIX_OTHER_PASSWORD and CMKIT_MATRIX_ROOM.
set -euo pipefail

VERSION=v0.15.2
MODULE=github.com/element-hq/dendrite
HOME_DIR=${CMKIT_SERVERS_HOME:-$HOME/.cache/cmkit-servers}/dendrite
BIN=$HOME_DIR/bin
DATA=$HOME_DIR/data
PORT=${CMKIT_DENDRITE_PORT:-8008}
URL=http://127.0.0.1:$PORT
PASSWORD=Correct-Horse-Battery-9

run() { echo "+ $*" >&2; "$@"; }

install() {
  if [ -x "$BIN/dendrite" ] && [ "$(cat "$BIN/VERSION" 2>/dev/null)" = "$VERSION" ]; then
    echo "dendrite $VERSION already built in $BIN"
    return
  fi
  mkdir -p "$HOME_DIR"
  # The module proxy refuses version lists for this module, so `go install mod@version` fails:
  # download the exact version, copy it to a writable tree and build it as the main module.
  # Run outside any Go module (the project's go.mod must not change).
  cd "$HOME_DIR"
  export GOMODCACHE=$HOME_DIR/gomod GOFLAGS=-mod=mod GOWORK=off
  run go mod download -json "$MODULE@$VERSION" >/dev/null
  rm -rf "$HOME_DIR/src"
  run cp -r "$GOMODCACHE/$MODULE@$VERSION" "$HOME_DIR/src"
  chmod -R u+w "$HOME_DIR/src"
  mkdir -p "$BIN"
  (cd "$HOME_DIR/src" && run go build -trimpath -o "$BIN/" ./cmd/dendrite ./cmd/create-account ./cmd/generate-keys ./cmd/generate-config)
  rm -rf "$HOME_DIR/src"
  echo "$VERSION" > "$BIN/VERSION"
  echo "dendrite $VERSION built in $BIN"
}

api() { # api METHOD PATH TOKEN [JSON]
  local body='{}'
  [ $# -ge 4 ] && body=$4
  curl -fsS -X "$1" "$URL$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' -d "$body"
}

login() {
  curl -fsS -X POST "$URL/_matrix/client/v3/login" -H 'Content-Type: application/json' \
    -d "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"$1\"},\"password\":\"$PASSWORD\"}" |
    jq -r .access_token
}

start() {
  [ -x "$BIN/dendrite" ] || { echo "dendrite is not installed: run $0 install" >&2; exit 1; }
  stop >/dev/null
  rm -rf "$DATA"; mkdir -p "$DATA"
  cd "$DATA"
  run "$BIN/generate-keys" --private-key matrix_key.pem >/dev/null
  # -ci: no key perspectives, registration shared secret, in-memory JetStream, SQLite files in -dir.
  run "$BIN/generate-config" -ci -dir "$DATA" -server localhost > dendrite.yaml
  sed -i -e 's/^  disable_federation: false/  disable_federation: true/' \
    -e "s#private_key: matrix_key.pem#private_key: $DATA/matrix_key.pem#" \
    -e 's/level: trace/level: info/' dendrite.yaml
  grep -q 'disable_federation: true' dendrite.yaml
  echo "+ $BIN/dendrite -config dendrite.yaml -http-bind-address 127.0.0.1:$PORT (background)" >&2
  nohup "$BIN/dendrite" -config dendrite.yaml -really-enable-open-registration \
    -http-bind-address "127.0.0.1:$PORT" -https-bind-address "127.0.0.1:$((PORT + 440))" > dendrite.log 2>&1 &
  echo $! > dendrite.pid
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$URL/_matrix/client/versions" 2>/dev/null && break
    kill -0 "$(cat dendrite.pid)" 2>/dev/null || break
    sleep 0.2
  done
  curl -fsS -o /dev/null "$URL/_matrix/client/versions" || { echo "dendrite did not start" >&2; tail -30 dendrite.log >&2; exit 1; }
  echo "dendrite up on $URL, pid $(cat dendrite.pid)"
  for u in brand other; do
    run "$BIN/create-account" -config dendrite.yaml -url "$URL" -username "$u" -password "$PASSWORD" >> accounts.log 2>&1
  done
  local brand other room
  brand=$(login brand); other=$(login other)
  room=$(api POST /_matrix/client/v3/createRoom "$brand" \
    '{"name":"cmkit integration","room_alias_name":"cmkit","preset":"public_chat","invite":["@other:localhost"]}' | jq -r .room_id)
  api POST "/_matrix/client/v3/join/$(jq -rn --arg r "$room" '$r|@uri')" "$other" >/dev/null
  # The tokens above are only for setup: log them out so the test starts from passwords.
  api POST /_matrix/client/v3/logout "$brand" >/dev/null
  api POST /_matrix/client/v3/logout "$other" >/dev/null
  echo "room $room (#cmkit:localhost) joined by @brand:localhost and @other:localhost"
  cat > "$HOME_DIR/env" <<ENV
export CMKIT_MATRIX_URL=$URL
export CMKIT_MATRIX_USER=brand
export CMKIT_MATRIX_PASSWORD=$PASSWORD
export CMKIT_MATRIX_OTHER_USER=other
export CMKIT_MATRIX_OTHER_PASSWORD=$PASSWORD
export CMKIT_MATRIX_ROOM='$room'
export CMKIT_MATRIX_ROOM_ALIAS='#cmkit:localhost'
ENV
  echo "wrote $HOME_DIR/env"
}

stop() {
  local pid
  pid=$(cat "$DATA/dendrite.pid" 2>/dev/null) || { echo "dendrite not running"; return 0; }
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    if ! kill -0 "$pid" 2>/dev/null; then rm -f "$DATA/dendrite.pid"; echo "dendrite (pid $pid) stopped"; return 0; fi
    sleep 0.25
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$DATA/dendrite.pid"
  echo "dendrite (pid $pid) killed"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
