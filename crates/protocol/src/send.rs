//! Test sends (issue 18): what the "Send test…" dialog and `letterpress send-test` ask and
//! answer, and the sender's stats (`letterpress stats`, the Stats screen). Never a secret.

use serde::{Deserialize, Serialize};

/// Where a test send goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SendTransport {
    /// The SMTP server of `[send] smtp`.
    Smtp,
    /// A sync target's provider send API (SES v2 SendEmail with the raw MIME, Postmark
    /// `/email`).
    Target {
        /// The target's name (`ses-staging`).
        name: String,
    },
}

/// What the dialog needs to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSendSetup {
    /// `[send] from`; `None`: sending is not configured.
    pub from: Option<String>,
    /// `[send] allow`.
    pub allow: Vec<String>,
    /// `[send] smtp` as a URL without secrets (`smtp://me@mail.example.com:587`).
    pub smtp: Option<String>,
    /// Sync targets that can send (name, provider).
    pub targets: Vec<(String, String)>,
    /// The last recipient used on this computer.
    pub last_to: Option<String>,
}

/// A test message that was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSendReport {
    /// The recipient.
    pub to: String,
    /// The subject sent, token included (`[test 7f3a] Welcome, Anna`).
    pub subject: String,
    /// The token (`7f3a`).
    pub token: String,
    /// Size of the MIME message as sent, in bytes.
    pub encoded_bytes: u64,
    /// The server's final reply (`250 OK`) or the provider's message id.
    pub reply: String,
    /// Where it went (`smtp://127.0.0.1:2525`, `ses-staging (ses)`).
    pub via: String,
    /// Time from connecting to the accepted reply, in milliseconds.
    pub millis: u64,
}

/// Marks the start of an SMTP transcript inside an error message (the UI shows what
/// follows as the transcript).
pub const TRANSCRIPT_MARK: &str = "\n\nSMTP transcript:\n";

/// Splits an error message into its sentence and its SMTP transcript, if it has one.
pub fn split_transcript(message: &str) -> (&str, Option<&str>) {
    match message.split_once(TRANSCRIPT_MARK) {
        Some((m, t)) => (m, Some(t)),
        None => (message, None),
    }
}

/// A size in bytes as people read it (`23.4 KB`, 1 KB = 1000 bytes as mail clients count).
pub fn format_size(bytes: u64) -> String {
    if bytes < 1000 {
        format!("{bytes} B")
    } else if bytes < 1_000_000 {
        format!("{:.1} KB", bytes as f64 / 1000.0)
    } else {
        format!("{:.2} MB", bytes as f64 / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcripts_split_off_and_sizes_read_well() {
        let m = format!("the server refused{TRANSCRIPT_MARK}C: MAIL FROM\nS: 550 no");
        assert_eq!(
            split_transcript(&m),
            ("the server refused", Some("C: MAIL FROM\nS: 550 no"))
        );
        assert_eq!(split_transcript("plain"), ("plain", None));
        assert_eq!(format_size(999), "999 B");
        assert_eq!(format_size(23_412), "23.4 KB");
        let t = serde_json::to_string(&SendTransport::Target { name: "x".into() }).unwrap();
        assert_eq!(t, r#"{"kind":"target","name":"x"}"#);
    }
}

/// What the sender did, per template × variant × locale and per day: `letterpress stats`
/// and the app's Stats view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxStats {
    /// One row per template × variant × locale that has messages.
    pub rows: Vec<StatsRow>,
    /// Per UTC day: how many messages were sent, failed and retried that day.
    pub days: Vec<DayStats>,
}

/// The messages of one template × variant × locale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsRow {
    pub template: String,
    /// The A/B variant the message was assigned (`None`: the template itself).
    pub variant: Option<String>,
    pub locale: String,
    /// Delivered (held in doubt included: see `in_doubt`).
    pub sent: u64,
    /// Given up on, or refused for good.
    pub failed: u64,
    /// Retries scheduled (one per refusal for now, over all its messages).
    pub retried: u64,
    /// Sent, but the sender stopped while the server answered.
    pub in_doubt: u64,
    /// Not yet sent or given up (queued, waiting for its time or a retry).
    pub waiting: u64,
}

/// One UTC day of one template × variant × locale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayStats {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub template: String,
    pub variant: Option<String>,
    pub locale: String,
    /// Messages that reached `sent` that day.
    pub sent: u64,
    /// Messages that reached `failed` that day.
    pub failed: u64,
    /// Retries scheduled that day.
    pub retried: u64,
}
