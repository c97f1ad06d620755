//! One integration-test binary; each module tests the real `hindsight` binary or the library
//! from the outside.

// Helpers: temp dirs, running the binary, generating logs.
mod util;

// Command line, inputs and exit codes: missing files, directories, empty input, stdin.
mod cli;
// The detector against the generator's ground truth, over many scenarios and seeds.
mod detection;
// Same report whatever the threads and chunk sizes; garbage lines are counted, not lost.
mod invariants;
// Logs truncated or appended to while they are read.
mod changing;
// Regression tests named after the bugs they pin down.
mod regressions;
// Every log a server has: formats, compression, rotation, event logs, one timeline.
mod sources;
// The corpus files in a supported format, and their format.
mod corpus;
// Root-cause evidence: signatures, changes before onset and recovery.
mod evidence;
// The JSON report against its schema (docs/report.schema.json).
mod schema;
// Rendered outputs: snapshots, and Markdown tables that hold for hostile input.
mod rendering;
// Real access-log lines written by others (excerpts in tests/data).
mod real_logs;
// The bundled sample logs and their ground truth.
mod samples;
// report --clickhouse and ingest against real ClickHouse servers (skipped without them).
mod clickhouse;
// Bad input: binary, huge, unreadable, damaged, lying timestamps, too many distinct values.
mod bad_input;
// Hostile log text through every output format.
mod security;
// Properties over generated inputs: chunking, threads, merge, line counts (proptest).
mod properties;
// The checks of the fuzz targets (fuzz/checks.rs), and the inputs they once failed on.
#[path = "../fuzz/checks.rs"]
mod fuzz_checks;
mod fuzz_regressions;
