//! Synthetic nginx access logs with known incidents.
