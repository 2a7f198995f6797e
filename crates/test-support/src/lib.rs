//! What the studio, CLI and end-to-end sync tests share (a dev-dependency only, never
//! published): the real local SES peer ([`ses_peer`]), a seeded fault-injecting proxy
//! ([`fault_proxy`]), an in-process contract fake of Postmark's Templates API
//! ([`postmark_fake`]), a real local SMTP server ([`smtp_sink`]: aiosmtpd), sample projects published by a fixed author ([`project`]), and the
//! documented normalisations of the differential tests ([`normalise`]).

pub mod editor;
pub mod fault_proxy;
pub mod normalise;
pub mod postmark_fake;
pub mod project;
pub mod ses_peer;
pub mod smtp_sink;

pub use fault_proxy::{FaultProxy, FaultStats, Faults, Rng};
pub use postmark_fake::PostmarkContractFake;
pub use project::{
    add_postmark_target, add_target, fixed_author, fixed_time, sample_copy, save_and_publish,
    set_target,
};
pub use ses_peer::{SesPeer, http};
pub use smtp_sink::{Received, SmtpSink, set_smtp};

use std::net::TcpListener;
use std::path::{Path, PathBuf};

/// The repository root (where node_modules lives).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}
