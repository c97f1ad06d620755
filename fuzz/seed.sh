#!/usr/bin/env bash
# Writes the fuzzers' seed corpora into fuzz/corpus/<target>/ (not committed): small pieces of
# the bundled sample logs and, when it is there, of the shared real-log corpus beside the
# repository (research data that must not be copied into the repository).
#   fuzz/seed.sh [CORPUS_DIR]     default: ../shared/corpus relative to the repository
set -eu
cd "$(dirname "$0")"
repo=..
shared=${1:-$repo/../shared/corpus}
files=$(ls $repo/sample-logs/*.log $repo/sample-logs/*.syslog $repo/tests/data/*.log 2>/dev/null)
if [ -d "$shared" ]; then
    files="$files $(find "$shared" -type f ! -name '*.csv' ! -name '*.md' ! -path '*LICENSES*' | sort)"
fi
for t in parse_line detect chunks timestamps pipeline; do mkdir -p corpus/$t; done
n=0
for f in $files; do
    n=$((n + 1))
    # Decompressed text when the file is compressed.
    text() { case "$f" in *.gz) zcat -f "$f" ;; *.zst) zstd -dc "$f" 2>/dev/null || true ;; *) cat "$f" ;; esac; }
    text | head -c 3000 > corpus/detect/$n
    # The pipeline: a few hundred lines, the first byte picks the zone.
    { printf '\x00'; text | head -n 300 | head -c 60000; } > corpus/pipeline/$n
    { printf '\x40\x00'; text | head -c 2000; } > corpus/chunks/$n
    # One line per seed for the parsers, a few lines of each file.
    i=0
    while IFS= read -r line && [ $i -lt 5 ]; do
        i=$((i + 1))
        { printf '\x01'; printf '%s' "$line"; } > corpus/parse_line/$n-$i
        printf '%s' "${line:0:40}" > corpus/timestamps/$n-$i
    done < <(text | head -n 5 | head -c 4000)
done
# Stamps the parsers read, written out.
printf '28/Nov/2026:13:55:36 +0100' > corpus/timestamps/clf
printf '2026-11-28T13:55:36.123456789+01:00' > corpus/timestamps/iso
printf '2026-03-29 02:30:00,120 ERROR x' > corpus/timestamps/dst
echo "seeded $(find corpus -type f | wc -l) files from $n logs"
