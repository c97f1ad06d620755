#!/usr/bin/env bash
# Throw-away ClickHouse servers for the ClickHouse tests: two servers on 127.0.0.1, each with
# its own config and data folder under $HINDSIGHT_CH_DIR (default target/clickhouse), and a
# `hindsight` cluster of two shards (one per server) for Distributed tables.
#
#   scripts/clickhouse.sh start   installs clickhouse-server from Debian if missing, starts
#                                 both servers, waits until they answer, prints the URLs
#   scripts/clickhouse.sh stop    stops the servers this script started (by their PIDs)
#   scripts/clickhouse.sh status  shows whether they run
#
# Ports: HTTP 18123 and 18124, native TCP 19000 and 19001 (override with HINDSIGHT_CH_PORT0,
# the first HTTP port; the others follow from it).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${HINDSIGHT_CH_DIR:-$PWD/target/clickhouse}
HTTP0=${HINDSIGHT_CH_PORT0:-18123}
ports() { # shard -> "http tcp"
    echo "$((HTTP0 + $1)) $((HTTP0 + 877 + $1))"
}

server_bin() {
    command -v clickhouse-server || command -v clickhouse || true
}

install() {
    if [ -n "$(server_bin)" ]; then
        return
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "clickhouse.sh: clickhouse-server is not installed and apt-get is not available" >&2
        exit 1
    fi
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "clickhouse.sh: installing clickhouse-server from the distribution" >&2
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clickhouse-server clickhouse-client >&2
}

write_config() { # shard
    local n=$1 d="$DIR/s$1" http tcp
    read -r http tcp < <(ports "$n")
    local tcp0 tcp1
    tcp0=$(ports 0 | cut -d' ' -f2)
    tcp1=$(ports 1 | cut -d' ' -f2)
    mkdir -p "$d/data/" "$d/tmp/" "$d/user_files/" "$d/log"
    cat > "$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$d/log/server.log</log>
        <errorlog>$d/log/server.err.log</errorlog>
        <size>10M</size>
        <count>2</count>
    </logger>
    <http_port>$http</http_port>
    <tcp_port>$tcp</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <max_connections>64</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>16</max_concurrent_queries>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>
    <path>$d/data/</path>
    <tmp_path>$d/tmp/</tmp_path>
    <user_files_path>$d/user_files/</user_files_path>
    <users_config>$d/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <remote_servers>
        <hindsight>
            <shard><replica><host>127.0.0.1</host><port>$tcp0</port></replica></shard>
            <shard><replica><host>127.0.0.1</host><port>$tcp1</port></replica></shard>
        </hindsight>
    </remote_servers>
</yandex>
XML
    cat > "$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>2000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <hindsight>
            <password>hindsight-secret</password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </hindsight>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

answers() { # shard
    local http
    http=$(ports "$1" | cut -d' ' -f1)
    [ "$(curl -s --max-time 2 "http://127.0.0.1:$http/ping" 2>/dev/null)" = "Ok." ]
}

start() {
    install
    local bin
    bin=$(server_bin)
    for n in 0 1; do
        local d="$DIR/s$n"
        if [ -f "$d/pid" ] && kill -0 "$(cat "$d/pid")" 2>/dev/null; then
            echo "clickhouse.sh: shard $n already runs (pid $(cat "$d/pid"))" >&2
            continue
        fi
        rm -rf "$d"
        write_config "$n"
        if [ "$(basename "$bin")" = clickhouse ]; then
            "$bin" server --config-file="$d/config.xml" > "$d/log/stdout.log" 2>&1 &
        else
            "$bin" --config-file="$d/config.xml" > "$d/log/stdout.log" 2>&1 &
        fi
        echo $! > "$d/pid"
    done
    for n in 0 1; do
        local tries=0
        until answers "$n"; do
            tries=$((tries + 1))
            if [ $tries -gt 120 ] || ! kill -0 "$(cat "$DIR/s$n/pid")" 2>/dev/null; then
                echo "clickhouse.sh: shard $n did not start; see $DIR/s$n/log/" >&2
                tail -5 "$DIR/s$n/log/server.err.log" "$DIR/s$n/log/stdout.log" >&2 2>/dev/null || true
                stop
                exit 1
            fi
            sleep 0.5
        done
    done
    for n in 0 1; do
        echo "http://127.0.0.1:$(ports "$n" | cut -d' ' -f1)"
    done
}

stop() {
    for n in 0 1; do
        local f="$DIR/s$n/pid"
        [ -f "$f" ] || continue
        local pid
        pid=$(cat "$f")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for _ in $(seq 1 60); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.5
            done
            if kill -0 "$pid" 2>/dev/null; then
                kill -9 "$pid" 2>/dev/null || true
            fi
        fi
        rm -f "$f"
    done
}

status() {
    for n in 0 1; do
        local f="$DIR/s$n/pid"
        if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && answers "$n"; then
            echo "shard $n: runs (pid $(cat "$f")), http://127.0.0.1:$(ports "$n" | cut -d' ' -f1)"
        else
            echo "shard $n: not running"
        fi
    done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *)
        echo "usage: scripts/clickhouse.sh start|stop|status" >&2
        exit 2
        ;;
esac
