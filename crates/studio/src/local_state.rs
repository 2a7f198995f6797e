//! What the app remembers on this computer (not in the project): recent projects and the
//! window size. SQLite, versioned migrations, WAL with synchronous=FULL.

use crate::StudioError;
pub use letterpress_protocol::RecentProject;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};

/// Schema changes, in order; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    // 1: projects opened, most recent first.
    "CREATE TABLE recent_projects (
        path TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        opened_at INTEGER NOT NULL
    );",
    // 2: small key/value settings (window size...).
    "CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
];

fn remote_images_key(root: &Path) -> String {
    format!("remote-images:{}", root.display())
}

/// The app's local database.
pub struct LocalState {
    conn: Connection,
}

fn db_error(path: &Path) -> impl FnOnce(rusqlite::Error) -> StudioError + '_ {
    move |e| StudioError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e),
    }
}

impl LocalState {
    /// Opens (creating when needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<LocalState, StudioError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(crate::io_error(dir))?;
        }
        let conn = crate::sqlite::open_migrated(path, MIGRATIONS).map_err(|e| StudioError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(e),
        })?;
        Ok(LocalState { conn })
    }

    /// Remembers that `root` (named `name`) was opened at `now`.
    pub fn record_opened(&self, root: &Path, name: &str, now: i64) -> Result<(), StudioError> {
        self.conn
            .execute(
                "INSERT INTO recent_projects (path, name, opened_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(path) DO UPDATE SET name = excluded.name, opened_at = excluded.opened_at",
                params![root.display().to_string(), name, now],
            )
            .map_err(db_error(root))?;
        Ok(())
    }

    /// Recently opened projects that still exist, most recent first.
    pub fn recent(&self, limit: usize) -> Result<Vec<RecentProject>, StudioError> {
        let here = PathBuf::from("recent_projects");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT path, name, opened_at FROM recent_projects ORDER BY opened_at DESC, path",
            )
            .map_err(db_error(&here))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RecentProject {
                    path: r.get(0)?,
                    name: r.get(1)?,
                    opened_at: r.get(2)?,
                })
            })
            .map_err(db_error(&here))?;
        let mut out = Vec::new();
        for row in rows {
            let project = row.map_err(db_error(&here))?;
            if Path::new(&project.path)
                .join(letterpress_engine::PROJECT_FILE)
                .is_file()
            {
                out.push(project);
            }
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }

    /// A setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StudioError> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_error(Path::new(key)))
    }

    /// Stores a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StudioError> {
        self.conn
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(db_error(Path::new(key)))?;
        Ok(())
    }

    /// Whether the user lets the app load remote images in the preview of the project at
    /// `root` (off unless turned on).
    pub fn remote_images_allowed(&self, root: &Path) -> Result<bool, StudioError> {
        Ok(self.setting(&remote_images_key(root))?.as_deref() == Some("on"))
    }

    /// Turns loading remote images in the preview of the project at `root` on or off.
    pub fn allow_remote_images(&self, root: &Path, allowed: bool) -> Result<(), StudioError> {
        self.set_setting(&remote_images_key(root), if allowed { "on" } else { "off" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_projects_survive_reopening_and_skip_vanished_folders() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("state/letterpress.sqlite");
        let project = dir.path().join("p");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join("letterpress.toml"), "").unwrap();
        {
            let state = LocalState::open(&db).unwrap();
            state.record_opened(&project, "P", 10).unwrap();
            state
                .record_opened(&dir.path().join("gone"), "Gone", 20)
                .unwrap();
            state.record_opened(&project, "P renamed", 30).unwrap();
            state.set_setting("window", "1200x800").unwrap();
        }
        let state = LocalState::open(&db).unwrap();
        let recent = state.recent(10).unwrap();
        assert_eq!(recent.len(), 1);
        assert_eq!(recent[0].name, "P renamed");
        assert_eq!(recent[0].opened_at, 30);
        assert_eq!(
            state.setting("window").unwrap().as_deref(),
            Some("1200x800")
        );
        assert_eq!(state.setting("nope").unwrap(), None);
        let version: i64 = state
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
    }

    #[test]
    fn remote_images_are_off_until_allowed_per_project_and_the_choice_persists() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("letterpress.sqlite");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        {
            let state = LocalState::open(&db).unwrap();
            assert!(!state.remote_images_allowed(&a).unwrap());
            state.allow_remote_images(&a, true).unwrap();
        }
        let state = LocalState::open(&db).unwrap();
        assert!(state.remote_images_allowed(&a).unwrap());
        assert!(!state.remote_images_allowed(&b).unwrap(), "per project");
        state.allow_remote_images(&a, false).unwrap();
        assert!(!state.remote_images_allowed(&a).unwrap());
    }
}
