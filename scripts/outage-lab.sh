#!/usr/bin/env bash
# The outage lab: real nginx on 127.0.0.1 in front of a real upstream, one real fault per
# scenario, then hindsight on the logs nginx wrote, checked against the recorded fault times.
#
#   upstream-down   the upstream is killed (SIGKILL) and started again later: 502s and
#                   "connect() failed (111: Connection refused)"; default 1-minute buckets
#   slow-upstream   the upstream answers in 0.6-2.5 s, nginx gives up after 1 s: slow
#                   requests and 504s with "upstream timed out"; 10 s buckets
#   nginx-down      nginx itself is stopped (SIGQUIT) and started again: the access log goes
#                   silent, nginx's error log records the stop and the start; 10 s buckets
#   reload          `nginx -s reload` twice during normal traffic: no incident; 10 s buckets
#
# The scenarios run in parallel, each with its own nginx, upstream, clients and ports. Every
# process the lab starts is stopped by its PID when the lab exits, also when it fails.
# See the README's "Outage lab" section.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LABDIR="$ROOT/scripts/lab"
BIN="$ROOT/target/release/hindsight"
OUT="$ROOT/target/outage-lab"
PORT_BASE=${LAB_PORT_BASE:-18400}
SAVE=""
FAIL_AT=""
QUICK=0
ALL_SCENARIOS=(upstream-down slow-upstream nginx-down reload)
SCENARIOS=()

usage() {
    cat <<'EOF'
Usage: scripts/outage-lab.sh [OPTIONS] [SCENARIO...]

Runs the outage lab: real nginx and a real upstream on 127.0.0.1, one fault per scenario,
hindsight on nginx's logs, each incident checked against the recorded fault times.
Scenarios: upstream-down slow-upstream nginx-down reload (default: all, in parallel).

Options:
  --quick            only the scenarios with 10 s buckets (about 3 minutes)
  --bin PATH         the hindsight binary (default: target/release/hindsight)
  --out DIR          where the logs, reports and truth go (default: target/outage-lab)
  --save-samples DIR also write each scenario's logs (gzip) and truth there, as
                     DIR/lab-SCENARIO.{access.log.gz,error.log.gz,truth.json}
  --port-base N      first port; scenario i uses N+10i (nginx) and N+10i+1 (upstream)
                     (default: $LAB_PORT_BASE or 18400)
  --fail-at SECONDS  fail on purpose after this many seconds (tests the clean-up)
  -h, --help         this help
EOF
}

while (($#)); do
    case $1 in
        --quick) QUICK=1 ;;
        --bin) BIN=$(realpath "$2"); shift ;;
        --out) OUT=$2; shift ;;
        --save-samples) SAVE=$(realpath "$2"); shift ;;
        --port-base) PORT_BASE=$2; shift ;;
        --fail-at) FAIL_AT=$2; shift ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "outage-lab: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) SCENARIOS+=("$1") ;;
    esac
    shift
done
if ((${#SCENARIOS[@]} == 0)); then
    if ((QUICK)); then
        SCENARIOS=(slow-upstream nginx-down reload)
    else
        SCENARIOS=("${ALL_SCENARIOS[@]}")
    fi
fi
for s in "${SCENARIOS[@]}"; do
    [[ " ${ALL_SCENARIOS[*]} " == *" $s "* ]] || { echo "outage-lab: unknown scenario $s" >&2; exit 2; }
done

log() { printf '%s outage-lab: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- what the lab needs -------------------------------------------------------------------

need_packages=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need_packages+=(nginx)
command -v python3 >/dev/null 2>&1 || need_packages+=(python3)
if ((${#need_packages[@]})); then
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        die "needs ${need_packages[*]} (Debian: apt-get install ${need_packages[*]})"
    fi
    log "installing ${need_packages[*]} from Debian"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# The interpreter itself, not a version manager's shim: restarts must be quick.
PY=$(python3 -c 'import sys; print(sys.executable)')
[[ -x $BIN ]] || die "no hindsight binary at $BIN (cargo build --release)"

# --- processes: every one is registered, and stopped by its PID ----------------------------

rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
REGISTRY="$OUT/pids"
: >"$REGISTRY"

register() { echo "$1" >>"$REGISTRY"; }

alive() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $state != Z* ]]
}

# stop PID [SIGNAL]: the signal (TERM by default), up to 5 s to exit, then KILL; an nginx
# master's workers are its children and go with it.
stop_pid() {
    local pid=$1 sig=${2:-TERM} children i
    alive "$pid" || return 0
    children=$(pgrep -P "$pid" 2>/dev/null || true)
    kill -"$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    for c in $children; do
        if alive "$c"; then kill -KILL "$c" 2>/dev/null || true; fi
    done
    wait "$pid" 2>/dev/null || true
}

now() { date +%s; }
utc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# Sleeps until the unix time $1, a second at a time, so a signal is handled promptly.
sleep_until() {
    while (($(now) < $1)); do sleep 1; done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
    local i
    for ((i = 0; i < 100; i++)); do
        port_open "$1" && return 0
        sleep 0.05
    done
    return 1
}

# --- one scenario -------------------------------------------------------------------------

# Runs in its own subshell: its own directory, ports, nginx, upstream and clients.
scenario() {
    local name=$1 index=$2
    local dir="$OUT/$name"
    local port=$((PORT_BASE + 10 * index)) up_port=$((PORT_BASE + 10 * index + 1))
    # Not local: the EXIT trap runs after this function has returned.
    nginx_pid="" up_pid="" load_pid=""
    mkdir -p "$dir/logs" "$dir/tmp"
    chmod 755 "$dir" "$dir/logs" "$dir/tmp"

    # shellcheck disable=SC2317  # called by the trap
    cleanup_scenario() {
        local pid
        for pid in $load_pid $up_pid $nginx_pid; do
            stop_pid "$pid"
        done
    }
    trap cleanup_scenario EXIT
    trap 'exit 143' TERM INT HUP

    # Bucket and thresholds: one scenario with every default, the others scaled to 10 s.
    local rate=20 bucket=10 args=(--bucket 10s --min-duration 20s --recovery 50s --alert-for 20s)
    if [[ $name == upstream-down ]]; then
        rate=10 bucket=60 args=()
    fi

    port_open "$port" && die "$name: port $port is in use (--port-base)"
    port_open "$up_port" && die "$name: port $up_port is in use (--port-base)"

    cat >"$dir/nginx.conf" <<EOF
# outage lab, scenario $name: nginx on 127.0.0.1:$port in front of 127.0.0.1:$up_port
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log notice;
events { worker_connections 512; }
http {
    log_format lab '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status '
                   '\$body_bytes_sent "\$http_referer" "\$http_user_agent" '
                   '\$request_time \$upstream_response_time';
    access_log $dir/logs/access.log lab;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    upstream app { server 127.0.0.1:$up_port; }
    server {
        listen 127.0.0.1:$port;
        server_name lab;
        location = /health { default_type text/plain; return 200 "ok\n"; }
        location / {
            proxy_pass http://app;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_connect_timeout 1s;
            proxy_read_timeout 1s;
        }
    }
}
EOF
    start_nginx() {
        "$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -g 'daemon off;' \
            >>"$dir/nginx.out" 2>&1 &
        nginx_pid=$!
        register "$nginx_pid"
        wait_port "$port" || die "$name: nginx did not start (see $dir/logs/error.log)"
    }
    start_upstream() {
        "$PY" "$LABDIR/upstream.py" --port "$up_port" --control "$dir/control" --seed "$index" \
            >>"$dir/upstream.out" 2>&1 &
        up_pid=$!
        register "$up_pid"
        wait_port "$up_port" || die "$name: the upstream did not start (see $dir/upstream.out)"
    }

    "$NGINX" -t -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" >>"$dir/nginx.out" 2>&1 ||
        die "$name: nginx -t failed (see $dir/nginx.out)"
    # nginx -t writes its verdict to the error log too; the lab's log starts with the real start.
    : >"$dir/logs/error.log"
    start_upstream
    start_nginx

    # Schedule: baseline, fault, then at least the recovery window of healthy traffic.
    local t0 fault_start fault_end stop_at
    t0=$(now)
    if ((bucket == 60)); then
        # End the 130 s fault at second 50 of a minute, after at least 50 s of baseline; then
        # run into the fifth minute after the fault's, so that five healthy buckets (the
        # default recovery window) confirm the resolution: 270 s.
        fault_end=$((t0 + 180))
        fault_end=$((fault_end + (50 - fault_end % 60 + 60) % 60))
        fault_start=$((fault_end - 130))
        stop_at=$((fault_end + 270))
    else
        fault_start=$((t0 + 60))
        fault_end=$((fault_start + 40))
        stop_at=$((fault_end + 75))
    fi
    local seconds=$((stop_at - t0))
    "$PY" "$LABDIR/load.py" --port "$port" --rate "$rate" --seconds "$seconds" --seed "$((index + 1))" \
        >>"$dir/load.out" 2>&1 &
    load_pid=$!
    register "$load_pid"
    log "$name: nginx :$port (pid $nginx_pid), upstream :$up_port (pid $up_pid), $rate req/s for $seconds s"

    local what
    case $name in
        upstream-down)
            what="upstream killed (SIGKILL), started again"
            sleep_until "$fault_start"
            fault_start=$(now)
            stop_pid "$up_pid" KILL 2>/dev/null # no "Killed" job notice
            sleep_until "$fault_end"
            start_upstream
            fault_end=$(now)
            ;;
        slow-upstream)
            what="upstream answers in 0.6-2.5 s (proxy_read_timeout 1s)"
            sleep_until "$fault_start"
            fault_start=$(now)
            echo slow >"$dir/control"
            sleep_until "$fault_end"
            rm -f "$dir/control"
            fault_end=$(now)
            ;;
        nginx-down)
            what="nginx stopped (SIGQUIT), started again"
            sleep_until "$fault_start"
            fault_start=$(now)
            stop_pid "$nginx_pid" QUIT
            sleep_until "$fault_end"
            start_nginx
            fault_end=$(now)
            ;;
        reload)
            what="nginx -s reload twice, no fault"
            sleep_until "$fault_start"
            fault_start=$(now)
            "$NGINX" -p "$dir/" -c "$dir/nginx.conf" -s reload 2>>"$dir/nginx.out"
            sleep_until "$fault_end"
            "$NGINX" -p "$dir/" -c "$dir/nginx.conf" -s reload 2>>"$dir/nginx.out"
            fault_end=$(now)
            ;;
    esac
    log "$name: $what from $(utc "$fault_start") to $(utc "$fault_end")"

    wait "$load_pid" || die "$name: the load generator failed (see $dir/load.out)"
    load_pid=""
    # Stop nginx the way a service manager does (graceful), so its logs are complete.
    stop_pid "$nginx_pid" QUIT
    nginx_pid=""
    stop_pid "$up_pid"
    up_pid=""

    local incidents="[]"
    case $name in
        upstream-down | slow-upstream | nginx-down)
            incidents="[{\"onset\": \"$(utc "$fault_start")\", \"resolved\": \"$(utc "$fault_end")\", \"onset_unix\": $fault_start, \"resolved_unix\": $fault_end}]"
            ;;
    esac
    cat >"$dir/truth.json" <<EOF
{
  "scenario": "$name",
  "generator": "scripts/outage-lab.sh: real nginx ($("$NGINX" -v 2>&1 | sed 's/^nginx version: //')) and a real upstream on 127.0.0.1",
  "fault": "$what",
  "fault_start": "$(utc "$fault_start")",
  "fault_end": "$(utc "$fault_end")",
  "first_utc": "$(utc "$t0")",
  "rate_per_s": $rate,
  "lines": $(wc -l <"$dir/logs/access.log"),
  "hindsight_args": $(printf '%s\n' "${args[@]}" | "$PY" -c 'import json,sys; print(json.dumps(sys.stdin.read().split()))'),
  "incidents": $incidents
}
EOF
    "$BIN" report --format json --tz UTC "${args[@]}" "$dir/logs/access.log" "$dir/logs/error.log" \
        >"$dir/report.json"
    "$BIN" report --tz UTC "${args[@]}" "$dir/logs/access.log" "$dir/logs/error.log" >"$dir/report.md"
    if [[ -n $SAVE ]]; then
        gzip -9n <"$dir/logs/access.log" >"$SAVE/lab-$name.access.log.gz"
        gzip -9n <"$dir/logs/error.log" >"$SAVE/lab-$name.error.log.gz"
        cp "$dir/truth.json" "$SAVE/lab-$name.truth.json"
    fi
    "$PY" "$LABDIR/check.py" "$dir/truth.json" "$dir/report.json" >"$dir/check.out" 2>&1
}

# --- the lab ------------------------------------------------------------------------------

SCENARIO_PIDS=()
SCENARIO_NAMES=()

cleanup() {
    local status=$? pid
    trap - EXIT INT TERM HUP
    for pid in "${SCENARIO_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${SCENARIO_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    # Anything a scenario started and did not stop (it was killed, or failed oddly).
    while read -r pid; do
        [[ -n $pid ]] && stop_pid "$pid"
    done <"$REGISTRY"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

started=$(now)
log "scenarios: ${SCENARIOS[*]}; logs and reports in $OUT"
for i in "${!ALL_SCENARIOS[@]}"; do
    name=${ALL_SCENARIOS[$i]}
    [[ " ${SCENARIOS[*]} " == *" $name "* ]] || continue
    scenario "$name" "$i" &
    SCENARIO_PIDS+=($!)
    SCENARIO_NAMES+=("$name")
done

if [[ -n $FAIL_AT ]]; then
    sleep "$FAIL_AT"
    die "failing on purpose after $FAIL_AT s (--fail-at)"
fi

failed=0
for i in "${!SCENARIO_PIDS[@]}"; do
    name=${SCENARIO_NAMES[$i]}
    if ! wait "${SCENARIO_PIDS[$i]}"; then
        failed=1
        log "$name: FAILED"
    fi
    [[ -f $OUT/$name/check.out ]] && cat "$OUT/$name/check.out"
done
SCENARIO_PIDS=()
log "done in $(($(now) - started)) s"
if ((failed)); then
    die "some scenarios failed; logs, reports and truth are in $OUT"
fi
log "all scenarios passed"
