//! What the app remembers on this computer (not in the project): recent projects and the
//! window size. SQLite, versioned migrations, WAL with synchronous=FULL.

use crate::StudioError;
pub use letterpress_protocol::RecentProject;
use letterpress_protocol::{EDITOR_FONT_SIZES, Preferences};
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

/// Setting keys of the author versions are saved as.
pub const AUTHOR_NAME: &str = "author-name";
/// See [`AUTHOR_NAME`].
pub const AUTHOR_EMAIL: &str = "author-email";
/// Setting key of the code editor's font size.
pub const EDITOR_FONT_SIZE: &str = "editor-font-size";

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

    /// Removes a setting (a later read answers `None`).
    pub fn remove_setting(&self, key: &str) -> Result<(), StudioError> {
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])
            .map_err(db_error(Path::new(key)))?;
        Ok(())
    }

    /// The user's preferences (unset ones at their defaults).
    pub fn preferences(&self) -> Result<Preferences, StudioError> {
        let size = self
            .setting(EDITOR_FONT_SIZE)?
            .and_then(|s| s.parse().ok())
            .filter(|s| EDITOR_FONT_SIZES.contains(s))
            .unwrap_or(EDITOR_FONT_SIZES[0]);
        Ok(Preferences {
            author_name: self.setting(AUTHOR_NAME)?.unwrap_or_default(),
            author_email: self.setting(AUTHOR_EMAIL)?.unwrap_or_default(),
            editor_font_size: size,
        })
    }

    /// Stores `p` and answers the preferences as stored. The author is both a name and a
    /// valid email, or neither (then versions use git's configuration); the font size is one
    /// of [`EDITOR_FONT_SIZES`]. Nothing is stored when either is refused.
    pub fn set_preferences(&self, p: &Preferences) -> Result<Preferences, StudioError> {
        if !EDITOR_FONT_SIZES.contains(&p.editor_font_size) {
            return Err(StudioError::Refused(format!(
                "the editor font size must be one of {EDITOR_FONT_SIZES:?} px, not {}",
                p.editor_font_size
            )));
        }
        let (name, email) = (p.author_name.trim(), p.author_email.trim());
        let author = if name.is_empty() && email.is_empty() {
            None
        } else {
            Some(
                crate::history::Author::new(name, email)
                    .map_err(|e| StudioError::Refused(e.to_string()))?,
            )
        };
        match author {
            Some(a) => {
                self.set_setting(AUTHOR_NAME, &a.name)?;
                self.set_setting(AUTHOR_EMAIL, &a.email)?;
            }
            None => {
                self.remove_setting(AUTHOR_NAME)?;
                self.remove_setting(AUTHOR_EMAIL)?;
            }
        }
        self.set_setting(EDITOR_FONT_SIZE, &p.editor_font_size.to_string())?;
        self.preferences()
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
    fn preferences_are_stored_validated_and_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("letterpress.sqlite");
        let state = LocalState::open(&db).unwrap();
        let defaults = state.preferences().unwrap();
        assert_eq!(
            defaults,
            Preferences {
                author_name: String::new(),
                author_email: String::new(),
                editor_font_size: 13,
            }
        );
        let mine = Preferences {
            author_name: " Ada Designer ".into(),
            author_email: "ada@example.com".into(),
            editor_font_size: 16,
        };
        let stored = state.set_preferences(&mine).unwrap();
        assert_eq!(stored.author_name, "Ada Designer");
        drop(state);
        let state = LocalState::open(&db).unwrap();
        assert_eq!(state.preferences().unwrap(), stored, "kept across starts");

        // Refusals store nothing.
        for bad in [
            Preferences {
                author_email: "not an email".into(),
                ..stored.clone()
            },
            Preferences {
                author_email: String::new(),
                ..stored.clone()
            },
            Preferences {
                editor_font_size: 99,
                ..stored.clone()
            },
        ] {
            assert!(state.set_preferences(&bad).is_err(), "{bad:?}");
            assert_eq!(state.preferences().unwrap(), stored);
        }
        // Neither name nor email: the author is cleared (git's configuration applies).
        let cleared = state
            .set_preferences(&Preferences {
                author_name: String::new(),
                author_email: String::new(),
                editor_font_size: 13,
            })
            .unwrap();
        assert_eq!(cleared, defaults);
        assert_eq!(state.setting(AUTHOR_NAME).unwrap(), None);
    }

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
