//! Sync state and audit log: `<project>/.letterpress/sync.sqlite` (git-ignored), versioned
//! migrations, WAL with synchronous=FULL so what was recorded survives a crash.
//!
//! `synced` holds, per target and remote name, the hash of the content we last wrote (or saw
//! equal to what we publish): the baseline that tells drift from our own writes. `calls` is
//! the audit log: a row is written (intent, with the content hash) before every remote write
//! and completed (outcome) after it, in the same transaction as the `synced` change. A row
//! left without outcome is an interrupted call: the next apply counts its hash as ours.

use super::SyncError;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;
use std::path::Path;

/// Folder of per-checkout state inside a project (git-ignored).
pub const STATE_DIR: &str = ".letterpress";
/// The sync database inside [`STATE_DIR`].
pub const STATE_FILE: &str = "sync.sqlite";

const MIGRATIONS: &[&str] = &[
    // 1: last synced content per remote template; runs; the audit log of remote writes.
    "CREATE TABLE synced (
        target TEXT NOT NULL,
        remote_name TEXT NOT NULL,
        template TEXT NOT NULL,
        locale TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        version TEXT NOT NULL,
        synced_at INTEGER NOT NULL,
        PRIMARY KEY (target, remote_name)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        target TEXT NOT NULL,
        tag TEXT NOT NULL,
        version TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        outcome TEXT,
        resumed_by INTEGER
    );
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run INTEGER NOT NULL REFERENCES runs(id),
        target TEXT NOT NULL,
        remote_name TEXT NOT NULL,
        operation TEXT NOT NULL,
        content_hash TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        outcome TEXT,
        detail TEXT
    );
    CREATE INDEX calls_open ON calls (target, outcome);",
];

/// A remote template as last synced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedRecord {
    /// Template id.
    pub template: String,
    /// Locale.
    pub locale: String,
    /// Hash of the content last written or seen equal.
    pub content_hash: String,
}

/// One audit-log row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// The apply run.
    pub run: i64,
    /// Remote template.
    pub remote_name: String,
    /// `create`, `update` or `delete`.
    pub operation: String,
    /// Hash of the content sent (create/update).
    pub content_hash: Option<String>,
    /// `created`, `updated`, `deleted`, `already-gone`, `failed`, `interrupted`; `None` while
    /// the call is in flight (or its process died).
    pub outcome: Option<String>,
    /// Error text of a failed call.
    pub detail: Option<String>,
}

/// One apply run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    /// Id.
    pub id: i64,
    /// Publish tag applied.
    pub tag: String,
    /// `completed`, `failed`, `interrupted`; `None` while running (or killed).
    pub outcome: Option<String>,
    /// The run that completed this one's work after it was interrupted.
    pub resumed_by: Option<i64>,
}

/// The sync database of a project.
pub struct SyncState {
    conn: Connection,
}

fn db(e: rusqlite::Error) -> SyncError {
    SyncError::State(e.to_string())
}

impl SyncState {
    /// Opens `<root>/.letterpress/sync.sqlite`, creating it and migrating as needed.
    pub fn open(root: &Path) -> Result<SyncState, SyncError> {
        let dir = root.join(STATE_DIR);
        std::fs::create_dir_all(&dir)
            .map_err(|e| SyncError::State(format!("{}: {e}", dir.display())))?;
        let conn = crate::sqlite::open_migrated(&dir.join(STATE_FILE), MIGRATIONS)
            .map_err(|e| SyncError::State(format!("{STATE_FILE}: {e}")))?;
        Ok(SyncState { conn })
    }

    /// What was last synced to `target`, by remote name.
    pub fn synced(&self, target: &str) -> Result<HashMap<String, SyncedRecord>, SyncError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT remote_name, template, locale, content_hash FROM synced WHERE target = ?1",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([target], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    SyncedRecord {
                        template: r.get(1)?,
                        locale: r.get(2)?,
                        content_hash: r.get(3)?,
                    },
                ))
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// Content hashes of writes to `target` that may or may not have reached the remote:
    /// no outcome (their process died), `interrupted`, or `failed` (a timeout can hide a write
    /// the provider carried out), since the name's last successful write. The remote may hold
    /// any of them, and they are ours, not drift.
    pub fn unfinished_writes(
        &self,
        target: &str,
    ) -> Result<HashMap<String, Vec<String>>, SyncError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT remote_name, content_hash FROM calls AS c
                 WHERE target = ?1 AND content_hash IS NOT NULL
                   AND (outcome IS NULL OR outcome IN ('failed', 'interrupted'))
                   AND id > COALESCE((SELECT MAX(id) FROM calls AS d
                       WHERE d.target = c.target AND d.remote_name = c.remote_name
                         AND d.outcome IS NOT NULL
                         AND d.outcome NOT IN ('failed', 'interrupted')), 0)",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([target], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db)?;
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for row in rows {
            let (name, hash) = row.map_err(db)?;
            out.entry(name).or_default().push(hash);
        }
        Ok(out)
    }

    /// Starts an apply run; returns its id and the earlier runs of `target` that never
    /// finished (killed), which this run resumes.
    pub fn begin_run(
        &self,
        target: &str,
        tag: &str,
        version: &str,
        now: i64,
    ) -> Result<(i64, Vec<i64>), SyncError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM runs WHERE target = ?1 AND finished_at IS NULL ORDER BY id")
            .map_err(db)?;
        let open: Vec<i64> = stmt
            .query_map([target], |r| r.get(0))
            .map_err(db)?
            .collect::<Result<_, _>>()
            .map_err(db)?;
        self.conn
            .execute(
                "INSERT INTO runs (target, tag, version, started_at) VALUES (?1, ?2, ?3, ?4)",
                params![target, tag, version, now],
            )
            .map_err(db)?;
        Ok((self.conn.last_insert_rowid(), open))
    }

    /// Records the intent of a remote write before it is made.
    pub fn intent(
        &self,
        run: i64,
        target: &str,
        remote_name: &str,
        operation: &str,
        content_hash: Option<&str>,
        now: i64,
    ) -> Result<i64, SyncError> {
        self.conn
            .execute(
                "INSERT INTO calls (run, target, remote_name, operation, content_hash, started_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![run, target, remote_name, operation, content_hash, now],
            )
            .map_err(db)?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records a call's outcome and, in the same transaction, the new synced state:
    /// `Some(record)` stores it, `None` forgets the name (deleted).
    pub fn complete(
        &mut self,
        call: i64,
        target: &str,
        remote_name: &str,
        outcome: &str,
        synced: Option<(&SyncedRecord, &str)>,
        now: i64,
    ) -> Result<(), SyncError> {
        let tx = self.conn.transaction().map_err(db)?;
        tx.execute(
            "UPDATE calls SET outcome = ?1, finished_at = ?2 WHERE id = ?3",
            params![outcome, now, call],
        )
        .map_err(db)?;
        write_synced(&tx, target, remote_name, synced, now)?;
        tx.commit().map_err(db)
    }

    /// Records a failed call (the synced state is left as it was).
    pub fn failed(&self, call: i64, detail: &str, now: i64) -> Result<(), SyncError> {
        self.conn
            .execute(
                "UPDATE calls SET outcome = 'failed', detail = ?1, finished_at = ?2 WHERE id = ?3",
                params![detail, now, call],
            )
            .map_err(db)?;
        Ok(())
    }

    /// Records the synced state of a name without a remote call (the remote already holds
    /// what we publish, or is gone).
    pub fn record(
        &mut self,
        target: &str,
        remote_name: &str,
        synced: Option<(&SyncedRecord, &str)>,
        now: i64,
    ) -> Result<(), SyncError> {
        let tx = self.conn.transaction().map_err(db)?;
        write_synced(&tx, target, remote_name, synced, now)?;
        tx.commit().map_err(db)
    }

    /// Ends a run. When it completed, the interrupted runs it resumed and their calls left
    /// without outcome are closed as `interrupted`, pointing at this run.
    pub fn finish_run(
        &mut self,
        run: i64,
        outcome: &str,
        resumed: &[i64],
        now: i64,
    ) -> Result<(), SyncError> {
        let tx = self.conn.transaction().map_err(db)?;
        tx.execute(
            "UPDATE runs SET outcome = ?1, finished_at = ?2 WHERE id = ?3",
            params![outcome, now, run],
        )
        .map_err(db)?;
        if outcome == "completed" {
            for old in resumed {
                tx.execute(
                    "UPDATE runs SET outcome = 'interrupted', finished_at = ?1, resumed_by = ?2
                     WHERE id = ?3 AND finished_at IS NULL",
                    params![now, run, old],
                )
                .map_err(db)?;
                tx.execute(
                    "UPDATE calls SET outcome = 'interrupted', finished_at = ?1,
                     detail = 'process ended before the outcome was recorded; resumed by run ' || ?2
                     WHERE run = ?3 AND outcome IS NULL",
                    params![now, run, old],
                )
                .map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }

    /// The audit log of `target`, oldest first.
    pub fn audit(&self, target: &str) -> Result<Vec<AuditEntry>, SyncError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, run, remote_name, operation, content_hash, outcome, detail
                 FROM calls WHERE target = ?1 ORDER BY id",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([target], |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    run: r.get(1)?,
                    remote_name: r.get(2)?,
                    operation: r.get(3)?,
                    content_hash: r.get(4)?,
                    outcome: r.get(5)?,
                    detail: r.get(6)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// The runs of `target`, oldest first.
    pub fn runs(&self, target: &str) -> Result<Vec<RunRecord>, SyncError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, tag, outcome, resumed_by FROM runs WHERE target = ?1 ORDER BY id")
            .map_err(db)?;
        let rows = stmt
            .query_map([target], |r| {
                Ok(RunRecord {
                    id: r.get(0)?,
                    tag: r.get(1)?,
                    outcome: r.get(2)?,
                    resumed_by: r.get(3)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    /// The synced hash of one name (tests, diagnostics).
    pub fn synced_hash(
        &self,
        target: &str,
        remote_name: &str,
    ) -> Result<Option<String>, SyncError> {
        self.conn
            .query_row(
                "SELECT content_hash FROM synced WHERE target = ?1 AND remote_name = ?2",
                [target, remote_name],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
    }
}

fn write_synced(
    tx: &rusqlite::Transaction<'_>,
    target: &str,
    remote_name: &str,
    synced: Option<(&SyncedRecord, &str)>,
    now: i64,
) -> Result<(), SyncError> {
    match synced {
        Some((record, version)) => tx
            .execute(
                "INSERT INTO synced (target, remote_name, template, locale, content_hash, version, synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(target, remote_name) DO UPDATE SET template = excluded.template,
                   locale = excluded.locale, content_hash = excluded.content_hash,
                   version = excluded.version, synced_at = excluded.synced_at",
                params![
                    target,
                    remote_name,
                    record.template,
                    record.locale,
                    record.content_hash,
                    version,
                    now
                ],
            )
            .map_err(db)?,
        None => tx
            .execute(
                "DELETE FROM synced WHERE target = ?1 AND remote_name = ?2",
                [target, remote_name],
            )
            .map_err(db)?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_without_outcome_are_unfinished_until_a_run_resumes_them() {
        let dir = tempfile::tempdir().unwrap();
        let state = SyncState::open(dir.path()).unwrap();
        let (run, open) = state
            .begin_run("t", "published/staging/1", "abc", 1)
            .unwrap();
        assert!(open.is_empty());
        state
            .intent(run, "t", "p-a-en", "create", Some("h1"), 2)
            .unwrap();
        drop(state);
        // The process "died" here; a new one opens the same file.
        let mut state = SyncState::open(dir.path()).unwrap();
        assert_eq!(state.unfinished_writes("t").unwrap()["p-a-en"], ["h1"]);
        let (run2, open) = state
            .begin_run("t", "published/staging/1", "abc", 3)
            .unwrap();
        assert_eq!(open, [run]);
        let record = SyncedRecord {
            template: "a".into(),
            locale: "en".into(),
            content_hash: "h1".into(),
        };
        state
            .record("t", "p-a-en", Some((&record, "abc")), 4)
            .unwrap();
        state.finish_run(run2, "completed", &open, 5).unwrap();
        // Still uncertain: nothing succeeded for that name since.
        assert_eq!(state.unfinished_writes("t").unwrap()["p-a-en"], ["h1"]);
        let (run3, _) = state
            .begin_run("t", "published/staging/2", "def", 6)
            .unwrap();
        let failed = state
            .intent(run3, "t", "p-a-en", "update", Some("h2"), 7)
            .unwrap();
        state.failed(failed, "timed out", 8).unwrap();
        let mut uncertain = state.unfinished_writes("t").unwrap()["p-a-en"].clone();
        uncertain.sort();
        assert_eq!(uncertain, ["h1", "h2"]);
        let ok = state
            .intent(run3, "t", "p-a-en", "update", Some("h2"), 9)
            .unwrap();
        let record2 = SyncedRecord {
            content_hash: "h2".into(),
            ..record.clone()
        };
        state
            .complete(ok, "t", "p-a-en", "updated", Some((&record2, "def")), 10)
            .unwrap();
        assert!(state.unfinished_writes("t").unwrap().is_empty());
        let audit = state.audit("t").unwrap();
        assert_eq!(audit[0].outcome.as_deref(), Some("interrupted"));
        let runs = state.runs("t").unwrap();
        assert_eq!(runs[0].resumed_by, Some(run2));
        assert_eq!(
            state.synced_hash("t", "p-a-en").unwrap().as_deref(),
            Some("h2")
        );
        let mode: String = state
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
