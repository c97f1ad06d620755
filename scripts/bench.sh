#!/usr/bin/env bash
# Throughput and peak memory of hindsight on generated logs, next to `wc -l`, ripgrep, awk
# (and lnav and GoAccess when installed), measured with hyperfine in the same run. Prints
# Markdown tables of medians, ratios and peak RSS.
#
#   scripts/bench.sh                  # 1 GiB nginx log, the other log families, gzip, 1 MB
#   SIZES="1GiB 10GiB" scripts/bench.sh
#   RUNS=10 BENCH_DIR=/tmp/hb scripts/bench.sh
#
# Logs are generated once into $BENCH_DIR (default target/bench) and reused. Needs about
# 2.5 GiB of disk per GiB in SIZES. Runs are warm-cache: the first run of each command is a
# warm-up.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-1GiB}
RUNS=${RUNS:-5}
DIR=${BENCH_DIR:-target/bench}
FAMILY_SIZE=${FAMILY_SIZE:-256MiB}
mkdir -p "$DIR"

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench: installing $2 from Debian" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    fi
    command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is needed ($2)" >&2; exit 1; }
}
need hyperfine hyperfine
need rg ripgrep
need python3 python3

cargo build --release --quiet --examples --bin hindsight
HS=target/release/hindsight
GEN=target/release/examples/loggen

gen() { # gen NAME SIZE [loggen args...]
    local out="$DIR/$1" size=$2
    shift 2
    [ -s "$out" ] || "$GEN" --scenario spike --seed 7 --rate 3500 --size "$size" "$@" -o "$out"
}

# Peak RSS in MiB of one run of a shell command.
rss() {
    /usr/bin/time -f '%M' -o "$DIR/rss.txt" bash -c "$1" >/dev/null 2>&1 || true
    awk '{printf "%.0f", $1 / 1024}' "$DIR/rss.txt"
}

# table TITLE BASELINE_INDEX BYTES NAME=CMD... : hyperfine the commands, print a Markdown table.
table() {
    local title=$1 base=$2 bytes=$3
    shift 3
    local names=() cmds=() args=()
    for nc in "$@"; do
        names+=("${nc%%=*}")
        cmds+=("${nc#*=}")
        args+=(--command-name "${nc%%=*}" "${nc#*=}")
    done
    hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$DIR/run.json" "${args[@]}" >/dev/null
    local rsses=()
    for c in "${cmds[@]}"; do rsses+=("$(rss "$c")"); done
    python3 - "$DIR/run.json" "$base" "$bytes" "$title" "${rsses[@]}" <<'PY'
import json, statistics, sys
runs = json.load(open(sys.argv[1]))["results"]
base, size, title, rss = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5:]
med = [statistics.median(r["times"]) for r in runs]
print(f"\n### {title}\n")
print(f"| command | median | throughput | ratio to `{runs[base]['command']}` | peak RSS |")
print("|---|---:|---:|---:|---:|")
for r, m, mem in zip(runs, med, rss):
    shown = f"{m:.3f} s" if m >= 0.1 else f"{m * 1e3:.1f} ms"
    speed = f"{size / m / 1e9:.2f} GB/s" if m > 0 else "-"
    ratio = f"{m / med[base]:.2f}" if med[base] > 0 else "-"
    print(f"| `{r['command']}` | {shown} | {speed} | {ratio} | {mem} MiB |")
PY
}

echo "# hindsight benchmarks: $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r)"
echo
echo "hyperfine medians of $RUNS warm runs; ratio < 1 is faster than the baseline."

for size in $SIZES; do
    gen "access-$size.log" "$size"
    f="$DIR/access-$size.log"
    bytes=$(stat -c %s "$f")
    cmds=(
        "wc -l=wc -l $f"
        "rg -c=rg -c '\" 50[0-9] ' $f"
        "awk 5xx per minute=awk '\$9 ~ /^5/ { split(\$4, t, \":\"); n[t[1] t[2] t[3]]++ } END { print length(n) }' $f"
        "hindsight=$HS report --format json $f"
        "hindsight --threads 1=$HS report --format json --threads 1 $f"
    )
    if command -v lnav >/dev/null 2>&1; then
        cmds+=("lnav=lnav -n -c ';SELECT count(*) FROM access_log WHERE sc_status >= 500' $f")
    fi
    if command -v goaccess >/dev/null 2>&1; then
        cmds+=("goaccess=goaccess $f --log-format=COMBINED -o /dev/null")
    fi
    table "nginx access log, $size ($(printf "%'d" "$bytes") bytes)" 1 "$bytes" "${cmds[@]}"
done

# The other log families, same requests.
for shape in access syslog jsonl nginx-error; do
    gen "$shape-$FAMILY_SIZE.log" "$FAMILY_SIZE" --as "$shape"
done
fams=()
for shape in access syslog jsonl nginx-error; do
    fams+=("hindsight $shape=$HS report --format json $DIR/$shape-$FAMILY_SIZE.log")
done
table "log families, the same requests written $FAMILY_SIZE-worth as access log (throughput counts each file's own bytes)" 0 \
    "$(stat -c %s "$DIR/access-$FAMILY_SIZE.log")" "${fams[@]}"
for shape in syslog jsonl nginx-error; do
    echo "- $shape file: $(stat -c %s "$DIR/$shape-$FAMILY_SIZE.log") bytes"
done

# gzip: one file, and four files at once (decompressed in parallel).
g="$DIR/access-$FAMILY_SIZE.log"
[ -s "$g.gz" ] || gzip -k -c "$g" >"$g.gz"
for k in 1 2 3 4; do [ -e "$DIR/part$k.log.gz" ] || cp "$g.gz" "$DIR/part$k.log.gz"; done
table "gzip, one file ($FAMILY_SIZE decompressed)" 0 "$(stat -c %s "$g")" \
    "zcat | wc -l=zcat $g.gz | wc -l" \
    "hindsight=$HS report --format json $g.gz"
parts="$DIR/part1.log.gz $DIR/part2.log.gz $DIR/part3.log.gz $DIR/part4.log.gz"
table "gzip, four files ($FAMILY_SIZE decompressed each)" 0 "$((4 * $(stat -c %s "$g")))" \
    "zcat | wc -l=zcat $parts | wc -l" \
    "hindsight=$HS report --format json $parts"

# A small file: start-up cost (ratios to rg, which also starts a process and reads the file).
gen "access-1MB.log" 1MB
table "a 1 MB file (whole process)" 0 "$(stat -c %s "$DIR/access-1MB.log")" \
    "rg -c=rg -c '\" 50[0-9] ' $DIR/access-1MB.log" \
    "hindsight=$HS report --format json $DIR/access-1MB.log" \
    "hindsight markdown=$HS report $DIR/access-1MB.log"
