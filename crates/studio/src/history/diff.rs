//! Source diffs: which files differ between two sides (versions or the working copy), and
//! each text file as side-by-side rows with inline word changes (`similar`).

use super::{ChangeKind, ChangedFile, History, HistoryError, WORKING, template_of};
use git2::{Delta, DiffFindOptions, DiffOptions, Tree};
use letterpress_protocol::{DiffHunk, DiffLine, DiffRow, DiffSide, FileDiff, RowKind, Segment};
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};
use std::path::Path;

/// Files larger than this are listed as changed without rows.
const MAX_DIFF_BYTES: usize = 1024 * 1024;

/// Unchanged lines kept around each change.
const CONTEXT_LINES: usize = 3;

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffTarget {
    /// A saved version (anything [`History::resolve`] accepts).
    Version(String),
    /// The files on disk now.
    Working,
}

impl DiffTarget {
    /// `working` → [`DiffTarget::Working`], anything else a version.
    pub fn parse(revision: &str) -> DiffTarget {
        if revision == WORKING {
            DiffTarget::Working
        } else {
            DiffTarget::Version(revision.to_owned())
        }
    }
}

/// A resolved side: its label and, for a version, its tree.
pub(crate) struct Side<'r> {
    pub(crate) label: DiffSide,
    pub(crate) tree: Option<Tree<'r>>,
    pub(crate) working: bool,
}

impl History {
    pub(crate) fn side(&self, target: &DiffTarget) -> Result<Side<'_>, HistoryError> {
        match target {
            DiffTarget::Working => Ok(Side {
                label: DiffSide::Working,
                tree: None,
                working: true,
            }),
            DiffTarget::Version(rev) => {
                let commit = self.resolve(rev)?;
                let short_id = commit
                    .as_object()
                    .short_id()?
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                Ok(Side {
                    label: DiffSide::Version {
                        id: commit.id().to_string(),
                        short_id,
                    },
                    tree: Some(commit.tree()?),
                    working: false,
                })
            }
        }
    }

    /// The source diff between `from` and `to` (either may be the working copy), limited to
    /// paths under `prefix` when given (e.g. `templates/welcome/`).
    pub fn diff_sources(
        &self,
        from: &DiffTarget,
        to: &DiffTarget,
        prefix: Option<&str>,
    ) -> Result<super::SourceDiff, HistoryError> {
        let left = self.side(from)?;
        let right = self.side(to)?;
        let mut options = DiffOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_typechange(true);
        if let Some(p) = prefix {
            options.pathspec(p);
        }
        // libgit2 compares a tree with the working copy in one direction only: compute
        // old→working and swap sides when the working copy is on the left.
        let (mut diff, swapped) = match (&left.working, &right.working) {
            (false, false) => (
                self.repo.diff_tree_to_tree(
                    left.tree.as_ref(),
                    right.tree.as_ref(),
                    Some(&mut options),
                )?,
                false,
            ),
            (false, true) => (
                self.repo
                    .diff_tree_to_workdir_with_index(left.tree.as_ref(), Some(&mut options))?,
                false,
            ),
            (true, false) => (
                self.repo
                    .diff_tree_to_workdir_with_index(right.tree.as_ref(), Some(&mut options))?,
                true,
            ),
            (true, true) => {
                return Ok(super::SourceDiff {
                    from: left.label,
                    to: right.label,
                    files: Vec::new(),
                });
            }
        };
        let mut find = DiffFindOptions::new();
        find.renames(true).for_untracked(true);
        diff.find_similar(Some(&mut find))?;
        let mut files = Vec::new();
        for mut file in changed_files_of(&diff) {
            let (mut old_path, mut new_path) = (
                file.old_path.clone().unwrap_or_else(|| file.path.clone()),
                file.path.clone(),
            );
            if swapped {
                std::mem::swap(&mut old_path, &mut new_path);
                file = swap_change(file);
            }
            let old = match file.kind {
                ChangeKind::Added => None,
                _ => self.content(&left, &old_path)?,
            };
            let new = match file.kind {
                ChangeKind::Deleted => None,
                _ => self.content(&right, &new_path)?,
            };
            files.push(file_diff(file, old.as_deref(), new.as_deref()));
        }
        files.sort_by(|a, b| a.file.path.cmp(&b.file.path));
        Ok(super::SourceDiff {
            from: left.label,
            to: right.label,
            files,
        })
    }

    /// The bytes of `path` on a side (`None` when absent).
    pub(crate) fn content(
        &self,
        side: &Side<'_>,
        path: &str,
    ) -> Result<Option<Vec<u8>>, HistoryError> {
        if side.working {
            // Through the confined reader: a symlink in the working copy (git stores them)
            // never shows a file from outside the project.
            return Ok(crate::disk::read_confined(
                &self.root,
                path,
                letterpress_engine::Limits::default().source_bytes as u64,
            )?);
        }
        let Some(tree) = &side.tree else {
            return Ok(None);
        };
        match tree.get_path(Path::new(path)) {
            Ok(entry) => match self.repo.find_blob(entry.id()) {
                Ok(blob) => Ok(Some(blob.content().to_vec())),
                Err(_) => Ok(None),
            },
            Err(_) => Ok(None),
        }
    }
}

/// Changed files of a git diff, in diff order.
pub(crate) fn changed_files_of(diff: &git2::Diff<'_>) -> Vec<ChangedFile> {
    let mut files = Vec::new();
    for delta in diff.deltas() {
        let new_path = delta
            .new_file()
            .path()
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        let old_path = delta
            .old_file()
            .path()
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        let (kind, path, old) = match delta.status() {
            Delta::Added | Delta::Untracked => (ChangeKind::Added, new_path, None),
            Delta::Deleted => (ChangeKind::Deleted, old_path, None),
            Delta::Modified | Delta::Typechange => (ChangeKind::Modified, new_path, None),
            Delta::Renamed => (ChangeKind::Renamed, new_path, old_path),
            Delta::Copied => (ChangeKind::Added, new_path, None),
            Delta::Conflicted => (ChangeKind::Conflicted, new_path.or(old_path), None),
            Delta::Unmodified | Delta::Ignored | Delta::Unreadable => continue,
        };
        let Some(path) = path else { continue };
        files.push(ChangedFile {
            template: template_of(&path),
            path,
            old_path: old,
            kind,
        });
    }
    files
}

/// The same change seen from the other side.
fn swap_change(file: ChangedFile) -> ChangedFile {
    match file.kind {
        ChangeKind::Added => ChangedFile {
            kind: ChangeKind::Deleted,
            ..file
        },
        ChangeKind::Deleted => ChangedFile {
            kind: ChangeKind::Added,
            ..file
        },
        ChangeKind::Renamed => {
            let old = file.old_path.clone().unwrap_or_else(|| file.path.clone());
            ChangedFile {
                template: template_of(&old),
                old_path: Some(file.path),
                path: old,
                kind: ChangeKind::Renamed,
            }
        }
        _ => file,
    }
}

/// Side-by-side rows for one file (`None`: absent on that side).
pub fn file_diff(file: ChangedFile, old: Option<&[u8]>, new: Option<&[u8]>) -> FileDiff {
    let as_text = |b: Option<&[u8]>| -> Option<Option<String>> {
        match b {
            None => Some(Some(String::new())),
            Some(b) if b.len() > MAX_DIFF_BYTES || b.contains(&0) => None,
            Some(b) => std::str::from_utf8(b).ok().map(|s| Some(s.to_owned())),
        }
    };
    let (Some(Some(old)), Some(Some(new))) = (as_text(old), as_text(new)) else {
        return FileDiff {
            file,
            binary: true,
            hunks: Vec::new(),
        };
    };
    FileDiff {
        file,
        binary: false,
        hunks: text_hunks(&old, &new),
    }
}

/// Hunks of side-by-side rows between two texts.
pub fn text_hunks(old: &str, new: &str) -> Vec<DiffHunk> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_lines(old, new);
    let old_lines: Vec<&str> = diff.old_slices().to_vec();
    let new_lines: Vec<&str> = diff.new_slices().to_vec();
    let line = |lines: &[&str], i: usize, segments: Option<Vec<Segment>>| DiffLine {
        number: u32::try_from(i + 1).unwrap_or(u32::MAX),
        segments: segments.unwrap_or_else(|| {
            vec![Segment {
                text: strip_eol(lines.get(i).copied().unwrap_or_default()).to_owned(),
                emphasized: false,
            }]
        }),
    };
    let mut hunks = Vec::new();
    for group in diff.grouped_ops(CONTEXT_LINES) {
        let mut rows = Vec::new();
        for op in group {
            match op {
                DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => {
                    for k in 0..len {
                        rows.push(DiffRow {
                            kind: RowKind::Equal,
                            left: Some(line(&old_lines, old_index + k, None)),
                            right: Some(line(&new_lines, new_index + k, None)),
                        });
                    }
                }
                DiffOp::Delete {
                    old_index, old_len, ..
                } => {
                    for k in 0..old_len {
                        rows.push(DiffRow {
                            kind: RowKind::Removed,
                            left: Some(line(&old_lines, old_index + k, None)),
                            right: None,
                        });
                    }
                }
                DiffOp::Insert {
                    new_index, new_len, ..
                } => {
                    for k in 0..new_len {
                        rows.push(DiffRow {
                            kind: RowKind::Added,
                            left: None,
                            right: Some(line(&new_lines, new_index + k, None)),
                        });
                    }
                }
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    for k in 0..old_len.max(new_len) {
                        let (l, r) = (old_index + k, new_index + k);
                        if k < old_len && k < new_len {
                            let (ls, rs) =
                                inline_segments(strip_eol(old_lines[l]), strip_eol(new_lines[r]));
                            rows.push(DiffRow {
                                kind: RowKind::Changed,
                                left: Some(line(&old_lines, l, Some(ls))),
                                right: Some(line(&new_lines, r, Some(rs))),
                            });
                        } else if k < old_len {
                            rows.push(DiffRow {
                                kind: RowKind::Removed,
                                left: Some(line(&old_lines, l, None)),
                                right: None,
                            });
                        } else {
                            rows.push(DiffRow {
                                kind: RowKind::Added,
                                left: None,
                                right: Some(line(&new_lines, r, None)),
                            });
                        }
                    }
                }
            }
        }
        hunks.push(DiffHunk { rows });
    }
    hunks
}

fn strip_eol(line: &str) -> &str {
    line.strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(line)
}

/// Word-level segments of a changed line pair: what differs is emphasised.
fn inline_segments(old: &str, new: &str) -> (Vec<Segment>, Vec<Segment>) {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_words(old, new);
    let mut left: Vec<Segment> = Vec::new();
    let mut right: Vec<Segment> = Vec::new();
    let push = |out: &mut Vec<Segment>, text: &str, emphasized: bool| match out.last_mut() {
        Some(last) if last.emphasized == emphasized => last.text.push_str(text),
        _ => out.push(Segment {
            text: text.to_owned(),
            emphasized,
        }),
    };
    for change in diff.iter_all_changes() {
        let text = change.value();
        match change.tag() {
            ChangeTag::Equal => {
                push(&mut left, text, false);
                push(&mut right, text, false);
            }
            ChangeTag::Delete => push(&mut left, text, true),
            ChangeTag::Insert => push(&mut right, text, true),
        }
    }
    (left, right)
}
