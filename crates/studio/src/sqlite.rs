//! The one way Letterpress opens a SQLite database of its own (the app's local state, a
//! checkout's sync state): WAL with `synchronous=FULL` (a committed write survives a crash
//! or power loss), a busy timeout for a second process, foreign keys on, and migrations run
//! in order, each in its own transaction, counted by `PRAGMA user_version`.

use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

/// Why a database could not be opened.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpenError {
    /// SQLite refused (a damaged file, a full disk, permissions...).
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// The file has migrations this build does not know: a newer Letterpress made it.
    #[error("made by a newer Letterpress (schema {found}, this one knows {known})")]
    Newer {
        /// Migrations the file records.
        found: usize,
        /// Migrations this build has.
        known: usize,
    },
}

/// How long a write waits for another process holding the database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (creating) the database at `path` and runs the `migrations` it has not run yet.
/// Migrations are append-only: never edit or reorder one that has shipped.
pub(crate) fn open_migrated(path: &Path, migrations: &[&str]) -> Result<Connection, OpenError> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let found = usize::try_from(version).unwrap_or(usize::MAX);
    if found > migrations.len() {
        return Err(OpenError::Newer {
            found,
            known: migrations.len(),
        });
    }
    for (i, sql) in migrations.iter().enumerate().skip(found) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &[&str] = &["CREATE TABLE a (x INTEGER);", "CREATE TABLE b (y INTEGER);"];

    #[test]
    fn migrations_run_once_in_order_and_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let conn = open_migrated(&path, &TWO[..1]).unwrap();
        conn.execute("INSERT INTO a VALUES (1)", []).unwrap();
        drop(conn);
        // The second migration runs; the first is not run again (its row survives).
        let conn = open_migrated(&path, TWO).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 2);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM a", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(conn);
        match open_migrated(&path, &TWO[..1]) {
            Err(OpenError::Newer { found: 2, known: 1 }) => {}
            other => panic!(
                "expected a newer-schema refusal, got {:?}",
                other.map(|_| ())
            ),
        }
    }
}
