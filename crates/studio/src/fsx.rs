//! File writes that never leave a torn file: temp file in the same directory, fsync,
//! rename over the target, fsync the directory. For whole trees written into a private
//! staging directory (builds, exports): plain writes, then one [`sync_tree`] before the
//! staging directory is renamed into place.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".letterpress-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Flushes a directory's entries (renames, creations) to disk.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Makes everything under `dir` durable: file contents and directory entries.
///
/// On Linux this is one `syncfs` of the file system holding `dir`: the kernel writes all
/// the files back together, where an fsync per file waits for a journal commit each (about
/// 0.4 ms per file on the development machine, 3 s for a build's 8,000 files). Elsewhere
/// every file and directory is synced in turn.
pub fn sync_tree(dir: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let root = std::fs::File::open(dir)?;
        rustix::fs::syncfs(&root).map_err(std::io::Error::from)
    }
    #[cfg(not(target_os = "linux"))]
    {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                sync_tree(&entry.path())?;
            } else {
                // Windows flushes only handles opened for writing.
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(entry.path())?
                    .sync_all()?;
            }
        }
        sync_dir(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.txt"]);
    }

    #[test]
    fn sync_tree_covers_a_nested_tree_and_reports_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("welcome/en");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(nested.join("default.html"), "<p>hi</p>").unwrap();
        sync_tree(dir.path()).unwrap();
        let err = sync_tree(&dir.path().join("missing")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }
}
