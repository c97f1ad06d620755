//! Log formats: one file per format family, each turning one line of bytes into a record.
//!
//! Parsers borrow from the input (zero-copy) and never allocate; a line they cannot read
//! yields `None` and is counted as skipped by the caller.

pub mod access;

pub use access::Access;
