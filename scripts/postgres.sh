#!/usr/bin/env bash
# Throwaway PostgreSQL server for tests and local runs.
#
#   scripts/postgres.sh start   start a server on 127.0.0.1 (free port), print its connection string
#   scripts/postgres.sh stop    stop it and delete its data
#   scripts/postgres.sh status  print the connection string if the server runs, fail otherwise
#
# Only the connection string goes to stdout, so `CS=$(scripts/postgres.sh start)` works; progress goes
# to stderr. The string is also written to .pgdata/connection-string. Data lives in .pgdata/ (gitignored)
# unless the `postgres` account cannot reach the repository (a checkout under /root, say), in which case
# it lives in a private directory under /tmp that .pgdata/datadir points to.
# Everything is throwaway: fsync is off and loopback connections are trusted.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state_dir="$repo_root/.pgdata"
connection_file="$state_dir/connection-string"
datadir_file="$state_dir/datadir"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

is_root() { [[ "$(id -u)" == 0 ]]; }

bin_dir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/pg_isready" ]]; then
        printf '%s\n' "$dir"
    fi
}

ensure_binaries() {
    if [[ -n "$(bin_dir)" ]]; then
        return
    fi
    is_root || die "PostgreSQL server binaries are missing under /usr/lib/postgresql/*/bin; install Debian's 'postgresql' package (as root: apt-get install postgresql)."
    log "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
    [[ -n "$(bin_dir)" ]] || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
}

# Runs a PostgreSQL binary as the account that owns the cluster: the server refuses to run as root.
as_owner() {
    if is_root; then
        # From / so that the postgres account does not trip over a working directory it cannot enter.
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

current_datadir() {
    [[ -f "$datadir_file" ]] && cat "$datadir_file"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

prepare_datadir() {
    mkdir -p "$state_dir"
    local dir="$state_dir/cluster"
    if is_root; then
        id postgres >/dev/null 2>&1 || die "the 'postgres' account is missing (it comes with Debian's postgresql-common package)"
        mkdir -p "$dir"
        chown postgres:postgres "$dir"
        chmod 700 "$dir"
        if ! runuser -u postgres -- test -w "$dir"; then
            rmdir "$dir"
            dir="$(mktemp -d /tmp/tenantbilling-pg.XXXXXX)"
            chown postgres:postgres "$dir"
            log "the postgres account cannot reach $state_dir; using $dir"
        fi
    else
        mkdir -p "$dir"
        chmod 700 "$dir"
    fi
    printf '%s\n' "$dir" >"$datadir_file"
    printf '%s\n' "$dir"
}

server_running() {
    local dir
    dir="$(current_datadir)" || return 1
    [[ -n "$dir" && -f "$dir/data/PG_VERSION" ]] || return 1
    as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

start() {
    ensure_binaries
    if server_running && [[ -f "$connection_file" ]]; then
        log "already running"
        cat "$connection_file"
        return
    fi
    stop_quietly

    local bin dir
    bin="$(bin_dir)"
    dir="$(prepare_datadir)"
    log "initdb in $dir/data ($bin)"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    as_owner mkdir -p "$dir/socket"

    local attempt port=""
    for attempt in $(seq 1 20); do
        local candidate=$((20000 + RANDOM % 12000))   # below the ephemeral range (32768+)
        port_in_use "$candidate" && continue
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $candidate -k $dir/socket -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null; then
            port="$candidate"
            break
        fi
        log "port $candidate failed (attempt $attempt), trying another"
    done
    [[ -n "$port" ]] || { tail -n 20 "$dir/server.log" >&2 || true; die "could not start the server"; }

    local waited=0
    until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
        ((waited++ < 60)) || die "server on port $port does not answer"
        sleep 0.5
    done

    local connection="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    printf '%s\n' "$connection" >"$connection_file"
    log "ready on 127.0.0.1:$port"
    printf '%s\n' "$connection"
}

stop_quietly() {
    local dir
    dir="$(current_datadir)" || true
    if [[ -n "${dir:-}" && -f "$dir/data/PG_VERSION" && -n "$(bin_dir)" ]]; then
        as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    if [[ -n "${dir:-}" ]]; then
        rm -rf -- "$dir"
    fi
    rm -rf -- "$state_dir"
}

stop() {
    stop_quietly
    log "stopped"
}

status() {
    server_running && [[ -f "$connection_file" ]] || die "not running"
    cat "$connection_file"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: $0 start|stop|status" ;;
esac
