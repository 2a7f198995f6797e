//! The sender's outbox: `<project>/.letterpress/outbox.sqlite` (git-ignored), one row per
//! message, WAL with `synchronous=FULL`, migrations counted by `PRAGMA user_version`.
//!
//! A message moves `queued → rendered → sending → committing → sent`, or to `retry` (with
//! the time of the next attempt) or `failed` (with the last error). Every move is one
//! committed transaction, so after a crash the outbox says where each message was:
//!
//! - `sending`: the connection died before the end of the data, so the server does not
//!   have the message (RFC 5321 4.1.1.4): it goes back to `rendered` and is sent again;
//! - `committing`: the end of the data was (about to be) written and no reply was
//!   recorded: the server may have it. It is **in doubt**: kept as sent-unconfirmed, never
//!   sent again silently (`resend_in_doubt` requeues it on request).
//!
//! `sending` and `committing` are written without an fsync (WAL, `synchronous=NORMAL` for
//! those commits): they survive the process being killed — the kernel holds the write —
//! and the gap between the record and the final `.` stays a few microseconds. Every other
//! move (enqueue, render, sent, retry, failed) is fsynced, which also makes the two before
//! it durable. After a power cut (not a crash) between `committing` and `sent`, the message
//! reads `rendered` and is sent again: the one case of a possible duplicate.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The outbox inside the project's state folder.
pub const OUTBOX_FILE: &str = "outbox.sqlite";

const MIGRATIONS: &[&str] = &[
    // 1: messages and their state; events for the stats over time.
    "CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        line INTEGER NOT NULL,
        template TEXT NOT NULL,
        locale TEXT NOT NULL,
        variant TEXT,
        recipient TEXT NOT NULL,
        data TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('queued', 'rendered', 'sending', 'committing', 'sent', 'retry', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        subject TEXT,
        message BLOB,
        reply TEXT,
        in_doubt INTEGER NOT NULL DEFAULT 0,
        queued_at INTEGER NOT NULL,
        sent_at INTEGER
    );
    CREATE INDEX messages_pending ON messages (state, due_at, next_attempt_at);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        message INTEGER NOT NULL REFERENCES messages(id),
        at INTEGER NOT NULL,
        state TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX events_message ON events (message);",
];

/// Why the outbox failed.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// SQLite refused (a damaged file, a full disk, another process holding it too long).
    #[error("outbox {}: {source}", path.display())]
    Sqlite {
        /// The outbox file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The file could not be opened.
    #[error("outbox {}: {message}", path.display())]
    Open {
        /// The outbox file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// A message's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageState {
    /// Accepted from the input, not rendered yet.
    Queued,
    /// Rendered: the MIME bytes are stored.
    Rendered,
    /// Being sent; the end of the data has not been written.
    Sending,
    /// The end of the data is being written; no reply recorded yet.
    Committing,
    /// The server accepted it (or, `in_doubt`, it may have).
    Sent,
    /// Failed for now; tried again at `next_attempt_at`.
    Retry,
    /// Failed for good (render error, invalid address, refused, attempts exhausted).
    Failed,
}

impl MessageState {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Queued => "queued",
            MessageState::Rendered => "rendered",
            MessageState::Sending => "sending",
            MessageState::Committing => "committing",
            MessageState::Sent => "sent",
            MessageState::Retry => "retry",
            MessageState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> MessageState {
        match s {
            "queued" => MessageState::Queued,
            "rendered" => MessageState::Rendered,
            "sending" => MessageState::Sending,
            "committing" => MessageState::Committing,
            "sent" => MessageState::Sent,
            "retry" => MessageState::Retry,
            _ => MessageState::Failed,
        }
    }
}

/// A message to add.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Idempotency key (unique in the outbox).
    pub key: String,
    /// Where it came from (file name or `-`) and its line.
    pub source: String,
    /// Its line in the source (1-based).
    pub line: usize,
    /// Template id.
    pub template: String,
    /// The A/B variant it was assigned (`None`: the template has none).
    pub variant: Option<String>,
    /// Locale tag.
    pub locale: String,
    /// The recipient.
    pub recipient: String,
    /// The data, as JSON text.
    pub data: String,
    /// When it may be sent (Unix seconds; 0: now).
    pub due_at: i64,
    /// A rejection found while reading the line: stored as failed at once.
    pub rejected: Option<String>,
}

/// A render of a stored message: `(row id, Ok((subject, MIME bytes)) | Err(why))`.
pub type RenderResult = (i64, Result<(String, Vec<u8>), String>);

/// A message as stored.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// Row id.
    pub id: i64,
    /// Idempotency key.
    pub key: String,
    /// Source and line.
    pub source: String,
    /// Line.
    pub line: usize,
    /// Template id.
    pub template: String,
    /// The A/B variant (`None`: the template has none).
    pub variant: Option<String>,
    /// Locale.
    pub locale: String,
    /// Recipient.
    pub recipient: String,
    /// JSON data.
    pub data: String,
    /// State.
    pub state: MessageState,
    /// Attempts made.
    pub attempts: u32,
    /// The MIME bytes once rendered.
    pub message: Option<Vec<u8>>,
    /// Subject once rendered.
    pub subject: Option<String>,
}

/// Counts for `letterpress outbox`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OutboxCounts {
    /// Per state name.
    pub states: Vec<(String, u64)>,
    /// Sent but unconfirmed (the process stopped while the server answered).
    pub in_doubt: u64,
    /// Per template × locale × state.
    pub by_template: Vec<TemplateCount>,
    /// The next time something is due, when something waits.
    pub next_due: Option<i64>,
    /// The latest failures (key, source:line, error).
    pub failures: Vec<Failure>,
}

/// One row of the per-template counts.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateCount {
    /// Template id.
    pub template: String,
    /// Locale.
    pub locale: String,
    /// State.
    pub state: String,
    /// How many.
    pub count: u64,
}

pub use letterpress_protocol::send::{DayStats, OutboxStats, StatsRow};

/// A failed message, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// Idempotency key.
    pub key: String,
    /// `file:line`.
    pub at: String,
    /// The last error.
    pub error: String,
    /// Attempts made.
    pub attempts: u32,
}

/// What recovery found after a previous run stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Recovered {
    /// Interrupted before the end of the data: sent again.
    pub requeued: u64,
    /// Interrupted while the server answered: kept as sent, in doubt.
    pub in_doubt: u64,
}

/// The open outbox.
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
    /// `synchronous=NORMAL` is on (between `mark_sending` and the next fsynced move).
    unsynced: bool,
}

const COLUMNS: &str = "id, key, source, line, template, locale, recipient, data, state, attempts, \
                       message, subject, variant";

fn row_message(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMessage> {
    Ok(StoredMessage {
        id: r.get(0)?,
        key: r.get(1)?,
        source: r.get(2)?,
        line: usize::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
        template: r.get(4)?,
        locale: r.get(5)?,
        recipient: r.get(6)?,
        data: r.get(7)?,
        state: MessageState::parse(&r.get::<_, String>(8)?),
        attempts: u32::try_from(r.get::<_, i64>(9)?).unwrap_or(u32::MAX),
        message: r.get(10)?,
        subject: r.get(11)?,
        variant: r.get(12)?,
    })
}

/// Turns a SQLite error into the outbox's, naming the file (for code that holds a
/// transaction, so cannot borrow the outbox itself).
fn sqlite_error(path: PathBuf) -> impl Fn(rusqlite::Error) -> OutboxError {
    move |source| OutboxError::Sqlite {
        path: path.clone(),
        source,
    }
}

impl Outbox {
    /// Opens (creating) the outbox at `path`.
    pub fn open(path: &Path) -> Result<Outbox, OutboxError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| OutboxError::Open {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
        }
        let conn =
            crate::sqlite::open_migrated(path, MIGRATIONS).map_err(|e| OutboxError::Open {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
        Ok(Outbox {
            conn,
            path: path.to_owned(),
            unsynced: false,
        })
    }

    /// The outbox of the project at `root`.
    pub fn path_in(root: &Path) -> PathBuf {
        root.join(crate::sync::STATE_DIR).join(OUTBOX_FILE)
    }

    fn err(&self) -> impl FnOnce(rusqlite::Error) -> OutboxError + '_ {
        move |source| OutboxError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Adds messages in one transaction; a key already in the outbox is skipped (that is
    /// what makes feeding the same file twice safe). Returns how many were new.
    pub fn enqueue(&mut self, messages: &[NewMessage], now: i64) -> Result<usize, OutboxError> {
        let err = sqlite_error(self.path.clone());
        self.synchronous(true)?;
        let tx = self.conn.transaction().map_err(&err)?;
        let mut added = 0;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO messages (key, source, line, template, locale, recipient, data,
                        due_at, state, last_error, queued_at, variant)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                     ON CONFLICT(key) DO NOTHING",
                )
                .map_err(&err)?;
            let mut event = tx
                .prepare("INSERT INTO events (message, at, state, detail) VALUES (?1, ?2, ?3, ?4)")
                .map_err(&err)?;
            for m in messages {
                let state = if m.rejected.is_some() {
                    MessageState::Failed
                } else {
                    MessageState::Queued
                };
                let n = insert
                    .execute(params![
                        m.key,
                        m.source,
                        i64::try_from(m.line).unwrap_or(i64::MAX),
                        m.template,
                        m.locale,
                        m.recipient,
                        m.data,
                        m.due_at,
                        state.as_str(),
                        m.rejected,
                        now,
                        m.variant
                    ])
                    .map_err(&err)?;
                if n > 0 {
                    added += 1;
                    event
                        .execute(params![
                            tx.last_insert_rowid(),
                            now,
                            state.as_str(),
                            m.rejected
                        ])
                        .map_err(&err)?;
                }
            }
        }
        tx.commit().map_err(&err)?;
        Ok(added)
    }

    /// Brings messages a stopped run left behind to a state a run can continue from.
    pub fn recover(&mut self, resend_in_doubt: bool, now: i64) -> Result<Recovered, OutboxError> {
        let err = sqlite_error(self.path.clone());
        self.synchronous(true)?;
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "INSERT INTO events (message, at, state, detail)
             SELECT id, ?1, 'rendered', 'interrupted before the end of the data: sent again'
             FROM messages WHERE state = 'sending'",
            params![now],
        )
        .map_err(&err)?;
        let requeued = tx
            .execute(
                "UPDATE messages SET state = 'rendered' WHERE state = 'sending'",
                [],
            )
            .map_err(&err)?;
        let in_doubt = if resend_in_doubt {
            tx.execute(
                "INSERT INTO events (message, at, state, detail)
                 SELECT id, ?1, 'rendered', 'in doubt, sent again on request'
                 FROM messages WHERE state = 'committing' OR (state = 'sent' AND in_doubt = 1)",
                params![now],
            )
            .map_err(&err)?;
            tx.execute(
                "UPDATE messages SET state = 'rendered', in_doubt = 0
                 WHERE state = 'committing' OR (state = 'sent' AND in_doubt = 1)",
                [],
            )
            .map_err(&err)?;
            0
        } else {
            tx.execute(
                "INSERT INTO events (message, at, state, detail)
                 SELECT id, ?1, 'sent', 'in doubt: stopped while the server answered'
                 FROM messages WHERE state = 'committing'",
                params![now],
            )
            .map_err(&err)?;
            tx.execute(
                "UPDATE messages SET state = 'sent', in_doubt = 1, sent_at = ?1, message = NULL,
                    reply = 'in doubt: the sender stopped while the server answered'
                 WHERE state = 'committing'",
                params![now],
            )
            .map_err(&err)?
        };
        tx.commit().map_err(&err)?;
        Ok(Recovered {
            requeued: requeued as u64,
            in_doubt: in_doubt as u64,
        })
    }

    /// Up to `limit` messages due at `now`, oldest due first.
    pub fn due(&self, now: i64, limit: usize) -> Result<Vec<StoredMessage>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM messages
                 WHERE state IN ('queued', 'rendered', 'retry') AND due_at <= ?1
                   AND next_attempt_at <= ?1
                 ORDER BY due_at, id LIMIT ?2"
            ))
            .map_err(self.err())?;
        let rows = stmt
            .query_map(
                params![now, i64::try_from(limit).unwrap_or(i64::MAX)],
                row_message,
            )
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// When the next waiting message is due (`None`: nothing waits).
    pub fn next_due(&self) -> Result<Option<i64>, OutboxError> {
        self.conn
            .query_row(
                "SELECT MIN(MAX(due_at, next_attempt_at)) FROM messages
                 WHERE state IN ('queued', 'rendered', 'retry')",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .map_err(self.err())
    }

    /// Records renders in one transaction: `Ok((subject, bytes))` → rendered, `Err(e)` →
    /// failed with the engine's diagnostic.
    pub fn record_renders(
        &mut self,
        renders: &[RenderResult],
        now: i64,
    ) -> Result<(), OutboxError> {
        let err = sqlite_error(self.path.clone());
        self.synchronous(true)?;
        let tx = self.conn.transaction().map_err(&err)?;
        {
            let mut ok = tx
                .prepare(
                    "UPDATE messages SET state = 'rendered', subject = ?2, message = ?3
                     WHERE id = ?1",
                )
                .map_err(&err)?;
            let mut failed = tx
                .prepare("UPDATE messages SET state = 'failed', last_error = ?2 WHERE id = ?1")
                .map_err(&err)?;
            let mut event = tx
                .prepare("INSERT INTO events (message, at, state, detail) VALUES (?1, ?2, ?3, ?4)")
                .map_err(&err)?;
            for (id, render) in renders {
                match render {
                    Ok((subject, bytes)) => {
                        ok.execute(params![id, subject, bytes]).map_err(&err)?;
                    }
                    Err(e) => {
                        failed.execute(params![id, e]).map_err(&err)?;
                        event.execute(params![id, now, "failed", e]).map_err(&err)?;
                    }
                }
            }
        }
        tx.commit().map_err(&err)
    }

    /// Switches commits between fsynced (`FULL`) and not (`NORMAL`: a commit survives the
    /// process being killed, the kernel holding the WAL write, and the next fsynced commit
    /// makes it durable). Every move but `sending` and `committing` is fsynced.
    fn synchronous(&mut self, full: bool) -> Result<(), OutboxError> {
        if self.unsynced != full {
            return Ok(());
        }
        self.conn
            .pragma_update(None, "synchronous", if full { "FULL" } else { "NORMAL" })
            .map_err(self.err())?;
        self.unsynced = !full;
        Ok(())
    }

    /// `sending`: an attempt starts (before the first byte goes out). Not fsynced: losing
    /// it to a power cut loses only the attempt count.
    pub fn mark_sending(&mut self, id: i64) -> Result<(), OutboxError> {
        self.synchronous(false)?;
        self.conn
            .prepare_cached(
                "UPDATE messages SET state = 'sending', attempts = attempts + 1 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![id]))
            .map_err(self.err())?;
        Ok(())
    }

    /// `committing`: the end of the data goes out next. Not fsynced, and nothing else is
    /// done here, so the gap before the final `.` is one prepared statement (see the module
    /// note).
    pub fn mark_committing(&mut self, id: i64) -> Result<(), OutboxError> {
        self.synchronous(false)?;
        self.conn
            .prepare_cached("UPDATE messages SET state = 'committing' WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id]))
            .map_err(self.err())?;
        Ok(())
    }

    /// `sent`, with the server's reply; the stored bytes are dropped.
    pub fn mark_sent(&mut self, id: i64, reply: &str, now: i64) -> Result<(), OutboxError> {
        let err = sqlite_error(self.path.clone());
        self.synchronous(true)?;
        let tx = self.conn.transaction().map_err(&err)?;
        tx.prepare_cached(
            "UPDATE messages SET state = 'sent', reply = ?2, sent_at = ?3, message = NULL,
                last_error = NULL WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![id, reply, now]))
        .map_err(&err)?;
        tx.prepare_cached(
            "INSERT INTO events (message, at, state, detail) VALUES (?1, ?2, 'sent', ?3)",
        )
        .and_then(|mut s| s.execute(params![id, now, reply]))
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }

    /// `retry` at `at`, or `failed` when `at` is `None`; `in_doubt` marks a send whose
    /// outcome is unknown (kept as sent, unconfirmed).
    pub fn mark_failed(
        &mut self,
        id: i64,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<(), OutboxError> {
        let err = sqlite_error(self.path.clone());
        let state = if retry_at.is_some() {
            MessageState::Retry
        } else {
            MessageState::Failed
        };
        self.synchronous(true)?;
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "UPDATE messages SET state = ?2, last_error = ?3, next_attempt_at = ?4 WHERE id = ?1",
            params![id, state.as_str(), error, retry_at.unwrap_or(0)],
        )
        .map_err(&err)?;
        tx.execute(
            "INSERT INTO events (message, at, state, detail) VALUES (?1, ?2, ?3, ?4)",
            params![id, now, state.as_str(), error],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }

    /// A send whose outcome is unknown (no reply after the end of the data): sent,
    /// unconfirmed — never sent again without `resend_in_doubt`.
    pub fn mark_in_doubt(&mut self, id: i64, error: &str, now: i64) -> Result<(), OutboxError> {
        let err = sqlite_error(self.path.clone());
        self.synchronous(true)?;
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "UPDATE messages SET state = 'sent', in_doubt = 1, sent_at = ?3, message = NULL,
                last_error = ?2, reply = 'in doubt: no reply after the end of the data'
             WHERE id = ?1",
            params![id, error, now],
        )
        .map_err(&err)?;
        tx.execute(
            "INSERT INTO events (message, at, state, detail) VALUES (?1, ?2, 'sent', ?3)",
            params![id, now, format!("in doubt: {error}")],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }

    /// One message by key.
    pub fn get(&self, key: &str) -> Result<Option<StoredMessage>, OutboxError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM messages WHERE key = ?1"),
                params![key],
                row_message,
            )
            .optional()
            .map_err(self.err())
    }

    /// A message's last error.
    pub fn last_error(&self, key: &str) -> Result<Option<String>, OutboxError> {
        self.conn
            .query_row(
                "SELECT last_error FROM messages WHERE key = ?1",
                params![key],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(self.err())
    }

    /// Sent / failed / retried per template × variant × locale, overall and per UTC day
    /// (lines that could not be read belong to no template and are left out).
    pub fn stats(&self) -> Result<OutboxStats, OutboxError> {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let mut out = OutboxStats::default();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT template, variant, locale,
                   SUM(state = 'sent'), SUM(state = 'failed'), SUM(in_doubt = 1),
                   SUM(state NOT IN ('sent', 'failed')),
                   (SELECT COUNT(*) FROM events e JOIN messages r ON r.id = e.message
                     WHERE e.state = 'retry' AND r.template = m.template
                       AND r.variant IS m.variant AND r.locale = m.locale)
                 FROM messages m WHERE template != ''
                 GROUP BY template, variant, locale ORDER BY template, variant, locale",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StatsRow {
                    template: r.get(0)?,
                    variant: r.get(1)?,
                    locale: r.get(2)?,
                    sent: count(r.get(3)?),
                    failed: count(r.get(4)?),
                    in_doubt: count(r.get(5)?),
                    waiting: count(r.get(6)?),
                    retried: count(r.get(7)?),
                })
            })
            .map_err(self.err())?;
        for row in rows {
            out.rows.push(row.map_err(self.err())?);
        }
        // A message resent after being in doubt reaches `sent` twice: counted once a day.
        let mut stmt = self
            .conn
            .prepare(
                "SELECT date(e.at, 'unixepoch'), m.template, m.variant, m.locale,
                   COUNT(DISTINCT CASE WHEN e.state = 'sent' THEN e.message END),
                   COUNT(DISTINCT CASE WHEN e.state = 'failed' THEN e.message END),
                   SUM(e.state = 'retry')
                 FROM events e JOIN messages m ON m.id = e.message
                 WHERE m.template != '' AND e.state IN ('sent', 'failed', 'retry')
                 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
            )
            .map_err(self.err())?;
        let days = stmt
            .query_map([], |r| {
                Ok(DayStats {
                    day: r.get(0)?,
                    template: r.get(1)?,
                    variant: r.get(2)?,
                    locale: r.get(3)?,
                    sent: count(r.get(4)?),
                    failed: count(r.get(5)?),
                    retried: count(r.get(6)?),
                })
            })
            .map_err(self.err())?;
        for day in days {
            out.days.push(day.map_err(self.err())?);
        }
        Ok(out)
    }

    /// Counts per state, template and locale; the latest failures.
    pub fn counts(&self) -> Result<OutboxCounts, OutboxError> {
        let mut out = OutboxCounts::default();
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT state, COUNT(*) FROM messages GROUP BY state
                     ORDER BY CASE state WHEN 'queued' THEN 0 WHEN 'rendered' THEN 1
                       WHEN 'retry' THEN 2 WHEN 'sending' THEN 3 WHEN 'committing' THEN 4
                       WHEN 'sent' THEN 5 ELSE 6 END",
                )
                .map_err(self.err())?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .map_err(self.err())?;
            for row in rows {
                let (state, n) = row.map_err(self.err())?;
                out.states.push((state, u64::try_from(n).unwrap_or(0)));
            }
        }
        out.in_doubt = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM messages WHERE in_doubt = 1",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(self.err())?;
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT template, locale, state, COUNT(*) FROM messages
                     GROUP BY template, locale, state ORDER BY template, locale, state",
                )
                .map_err(self.err())?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(TemplateCount {
                        template: r.get(0)?,
                        locale: r.get(1)?,
                        state: r.get(2)?,
                        count: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    })
                })
                .map_err(self.err())?;
            for row in rows {
                out.by_template.push(row.map_err(self.err())?);
            }
        }
        out.next_due = self.next_due()?;
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT key, source, line, COALESCE(last_error, ''), attempts FROM messages
                     WHERE state IN ('failed', 'retry') ORDER BY id DESC LIMIT 20",
                )
                .map_err(self.err())?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(Failure {
                        key: r.get(0)?,
                        at: format!("{}:{}", r.get::<_, String>(1)?, r.get::<_, i64>(2)?),
                        error: r.get(3)?,
                        attempts: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                    })
                })
                .map_err(self.err())?;
            for row in rows {
                out.failures.push(row.map_err(self.err())?);
            }
        }
        Ok(out)
    }
}
