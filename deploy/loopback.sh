#!/usr/bin/env bash
# The deployment topology as plain processes on loopback: three silos and the API as an Orleans client
# (Api__Cluster=Client), all on one PostgreSQL, each on its own free ports, each logging JSON.
#
#   deploy/loopback.sh start [CONNECTION]   start it (CONNECTION: Npgsql string; default: scripts/postgres.sh's server)
#   deploy/loopback.sh check                 probe it: health, dashboard, a REST call, /metrics, JSON logs
#   deploy/loopback.sh stop                  stop it cleanly (SIGTERM, each process must exit 0 and leave gracefully)
#   deploy/loopback.sh run [CONNECTION]      start, check, stop (what ./test.sh runs)
#
# It runs the Release build (dotnet build -c Release first). State, logs and pids: .artifacts/loopback/.
# The settings it passes are the ones deploy/README.md documents (the deploy files test reads this file too).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

state=".artifacts/loopback"
silo_dll="src/Silo/bin/Release/net10.0/TenantBilling.Silo.dll"
api_dll="src/Api/bin/Release/net10.0/TenantBilling.Api.dll"
operator_key="loopback-operator-key-0123456789"
silos=3

log() { printf 'loopback.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# A port nothing listens on, from a random start (bash's /dev/tcp: a refused connect means free), below
# Linux's ephemeral range (32768 and up), so no process's outgoing connection can take it before it binds.
taken_ports=" "
free_port() {
    local port
    while true; do
        port=$(( 20000 + RANDOM % 12000 ))
        [[ "$taken_ports" == *" $port "* ]] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            taken_ports+="$port "
            echo "$port"
            return
        fi
    done
}

http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" || true; }

wait_for() { # url, what, [seconds]
    local deadline=$(( SECONDS + ${3:-120} ))
    until [[ "$(http_status "$1")" == 200 ]]; do
        (( SECONDS < deadline )) || die "$2 did not answer 200 at $1 in time (logs: $state/*.log)"
        sleep 1
    done
}

start() {
    [[ -f "$silo_dll" && -f "$api_dll" ]] || die "build first: dotnet build TenantBilling.sln -c Release"
    [[ ! -f "$state/pids" ]] || die "already started ($state/pids); run: deploy/loopback.sh stop"
    local connection="${1:-}"
    if [[ -z "$connection" ]]; then
        connection="$(scripts/postgres.sh status 2>/dev/null)" || connection="$(scripts/postgres.sh start)"
    fi

    mkdir -p "$state"
    rm -f "$state"/*.log "$state"/*.port
    local run_id="loopback-$(date +%s)-$RANDOM"
    local common=(
        "ConnectionStrings__Orleans=$connection"
        "Orleans__ClusterId=$run_id"
        "Orleans__ServiceId=$run_id"
        "Logging__Console__FormatterName=json"
        "Auth__OperatorKeys__0=$operator_key"
        "Stripe__EncryptionKey=$(head -c 32 /dev/urandom | base64)"
    )

    : > "$state/pids"
    for i in $(seq 1 "$silos"); do
        local silo_port gateway_port management_port
        silo_port=$(free_port); gateway_port=$(free_port); management_port=$(free_port)
        echo "$management_port" > "$state/silo$i.port"
        env "${common[@]}" \
            DOTNET_ENVIRONMENT=Production \
            Orleans__SiloPort="$silo_port" \
            Orleans__GatewayPort="$gateway_port" \
            Orleans__AdvertisedIPAddress=127.0.0.1 \
            Management__Url="http://127.0.0.1:$management_port" \
            dotnet "$silo_dll" > "$state/silo$i.log" 2>&1 &
        echo "silo$i $!" >> "$state/pids"
        log "silo$i: pid $!, silo port $silo_port, gateway $gateway_port, management http://127.0.0.1:$management_port"
    done

    for i in $(seq 1 "$silos"); do
        wait_for "http://127.0.0.1:$(cat "$state/silo$i.port")/health/startup" "silo$i"
    done

    local api_port management_port
    api_port=$(free_port); management_port=$(free_port)
    echo "$api_port" > "$state/api.port"
    echo "$management_port" > "$state/api-management.port"
    env "${common[@]}" \
        ASPNETCORE_ENVIRONMENT=Production \
        Api__Cluster=Client \
        Urls="http://127.0.0.1:$api_port" \
        Management__Url="http://127.0.0.1:$management_port" \
        dotnet "$api_dll" > "$state/api.log" 2>&1 &
    echo "api $!" >> "$state/pids"
    log "api: pid $!, http://127.0.0.1:$api_port, management http://127.0.0.1:$management_port"
    wait_for "http://127.0.0.1:$management_port/health/ready" "the API"
}

check() {
    [[ -f "$state/pids" ]] || die "not started"
    local api="http://127.0.0.1:$(cat "$state/api.port")" management="http://127.0.0.1:$(cat "$state/api-management.port")"
    for i in $(seq 1 "$silos"); do
        local silo="http://127.0.0.1:$(cat "$state/silo$i.port")"
        wait_for "$silo/health/ready" "silo$i readiness" 60
        [[ "$(http_status "$silo/health/live")" == 200 ]] || die "silo$i: /health/live"
        grep -q '^orleans_catalog_activations' <<< "$(curl -s --max-time 10 "$silo/metrics")" || die "silo$i: /metrics has no Orleans meter"
    done

    # The API as a client of the three silos: a REST call and the dashboard seeing all of them.
    local account="loopback-$RANDOM"
    [[ "$(http_status -X POST "$api/v1/accounts" -H "Authorization: Bearer $operator_key" -H 'Content-Type: application/json' -d "{\"accountId\":\"$account\",\"name\":\"Loopback\"}")" == 201 ]] || die "POST /v1/accounts did not create the account"
    [[ "$(http_status "$api/v1/accounts/$account" -H "Authorization: Bearer $operator_key")" == 200 ]] || die "GET /v1/accounts/$account"
    [[ "$(http_status "$management/dashboard/DashboardCounters")" == 401 ]] || die "the dashboard answered an anonymous caller"
    [[ "$(http_status "$api/dashboard/DashboardCounters" -u "operator:$operator_key")" == 404 ]] || die "the dashboard is reachable on the public port"
    local deadline=$(( SECONDS + 60 ))
    until grep -q "\"totalActiveHostCount\":$silos" <<< "$(curl -s --max-time 10 -u "operator:$operator_key" "$management/dashboard/DashboardCounters")"; do
        (( SECONDS < deadline )) || die "the dashboard does not show $silos active silos"
        sleep 2
    done
    [[ "$(http_status "$api/metrics")" == 404 ]] || die "/metrics is reachable on the public port"
    grep -q '^http_server_request_duration_seconds' <<< "$(curl -s --max-time 10 "$management/metrics")" || die "the API's /metrics has no HTTP server metrics"

    # Every process logs one JSON object per line.
    for file in "$state"/*.log; do
        python3 - "$file" <<'PY' || die "$file: not JSON lines"
import json, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
assert lines, "no log lines"
for l in lines:
    json.loads(l)
PY
    done
    log "check passed: $silos silos ready, API answering as their client, dashboard and /metrics on the management port only, JSON logs"
}

stop() {
    [[ -f "$state/pids" ]] || { log "not running"; return 0; }
    local failed=0
    # The API first (it is the silos' client), then the silos one by one, as a rolling stop would.
    for name in api $(seq -f 'silo%g' "$silos" -1 1); do
        local pid
        pid="$(awk -v n="$name" '$1 == n { print $2 }' "$state/pids")"
        [[ -n "$pid" ]] || continue
        kill -TERM "$pid" 2>/dev/null || { log "$name (pid $pid) was not running"; failed=1; continue; }
        local deadline=$(( SECONDS + 60 ))
        while kill -0 "$pid" 2>/dev/null; do
            if (( SECONDS >= deadline )); then
                log "$name (pid $pid) did not stop within 60 s; killing it"
                kill -KILL "$pid" 2>/dev/null || true
                failed=1
                break
            fi
            sleep 0.5
        done
        wait "$pid" 2>/dev/null; local status=$?
        # Started by another shell (start, then stop from a new one): no exit status to read, the log tells.
        if [[ $status -ne 0 && $status -ne 127 ]]; then
            log "$name exited with status $status"; failed=1
        fi
        if grep -q 'non-graceful' "$state/$name.log"; then
            log "$name did not shut down gracefully"; failed=1
        fi
    done
    rm -f "$state/pids"
    (( failed == 0 )) || die "stop: not every process stopped cleanly (logs: $state/*.log)"
    log "stopped cleanly"
}

case "${1:-}" in
    start) start "${2:-}" ;;
    check) check ;;
    stop) stop ;;
    run)
        trap 'stop || true' EXIT
        start "${2:-}"
        check
        trap - EXIT
        stop
        ;;
    *) sed -n '2,11p' "$0" >&2; exit 2 ;;
esac
