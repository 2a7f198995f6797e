//! Diagnostics live in the protocol crate (they cross IPC to the UI unchanged).

pub use letterpress_protocol::diagnostic::*;
