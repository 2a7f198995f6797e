//! `letterpress init|status|history|diff|save|publish|published|restore|remote|push|pull|merge|unlock`:
//! versions of the project, through the studio's history API (the app uses the same one).
//!
//! Exit codes as elsewhere: 0 done, 1 a pull stopped on conflicts (findings for a person to
//! resolve), 2 anything refused or failed (the message says why, with a stable code).

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use letterpress_studio::history::{
    Author, ChangeKind, ChangedFile, DiffTarget, History, HistoryQuery, PullOutcome,
    RenderedDiffRequest, RowKind, STALE_LOCK_AGE, SourceDiff, VersionInfo, When,
};
use letterpress_studio::{Project, history};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// Output format of the history commands.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Output {
    /// For people.
    Human,
    /// For scripts.
    Json,
}

/// The history subcommands (flattened into the main command list).
#[derive(Subcommand)]
pub enum HistoryCommand {
    /// Start a version history for this project (a git repository with a .gitignore).
    Init,
    /// What changed since the last version, per template.
    Status {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Human)]
        format: Output,
    },
    /// Versions, newest first: of the project, or of one template (with its layouts/partials).
    History {
        /// Template id.
        template: Option<String>,
        /// Versions per page.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Continue after this cursor (printed at the end of a page).
        #[arg(long)]
        cursor: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Human)]
        format: Output,
    },
    /// Differences between two versions, or a version and the working copy.
    Diff {
        /// Old side: an id, tag, HEAD, HEAD~N, or `working`.
        from: String,
        /// New side (default: `working`, the files on disk).
        #[arg(default_value = history::WORKING)]
        to: String,
        /// Only this template's files.
        #[arg(long, short)]
        template: Option<String>,
        /// Render the template on both sides and show the changed text (needs --template).
        #[arg(long)]
        rendered: bool,
        /// Locale of the rendered diff (default: the project's default locale).
        #[arg(long, short)]
        locale: Option<String>,
        /// Fixture of the rendered diff (default: `default`).
        #[arg(long)]
        fixture: Option<String>,
        /// A/B variant of the rendered diff (default: the template itself).
        #[arg(long)]
        variant: Option<String>,
        /// Write the highlighted before.html and after.html into this folder.
        #[arg(long, value_name = "DIR")]
        html: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Human)]
        format: Output,
    },
    /// Save a version of the changed files (all, or the given paths).
    Save {
        /// What changed and why.
        #[arg(long, short)]
        message: String,
        /// Project-relative paths to save (default: every changed file).
        paths: Vec<String>,
        /// Author as `Name <email>` (default: git's user.name and user.email).
        #[arg(long)]
        author: Option<String>,
    },
    /// Mark a version as published in an environment (an annotated tag with release notes).
    Publish {
        /// Environment (`staging`, `production`...).
        environment: String,
        /// Release notes.
        #[arg(long, short)]
        message: String,
        /// The version to publish (default: the last one; refused with unsaved changes).
        #[arg(long)]
        rev: Option<String>,
        /// Publisher as `Name <email>` (default: git's user.name and user.email).
        #[arg(long)]
        author: Option<String>,
    },
    /// Which version is live where; with an environment, its publish history.
    Published {
        /// Environment.
        environment: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Human)]
        format: Output,
    },
    /// Put a template's files back as they were in a version (a new change; save to keep it).
    Restore {
        /// Template id.
        template: String,
        /// The version.
        rev: String,
        /// Overwrite the template's unsaved changes.
        #[arg(long)]
        discard_changes: bool,
    },
    /// Remote repositories (list, or add).
    Remote {
        #[command(subcommand)]
        action: Option<RemoteCommand>,
    },
    /// Send the branch and the publish tags to a remote.
    Push {
        /// Remote (default: the only one, or `origin`).
        remote: Option<String>,
    },
    /// Bring in a remote's versions (fast-forward or merge; exit 1 on conflicts).
    Pull {
        /// Remote (default: the only one, or `origin`).
        remote: Option<String>,
        /// Author of a merge version as `Name <email>`.
        #[arg(long)]
        author: Option<String>,
    },
    /// A merge stopped on conflicts: `--abort` puts the files back as before the pull.
    Merge {
        /// Abandon the merge.
        #[arg(long, required = true)]
        abort: bool,
    },
    /// Remove git's index.lock when a crashed program left it behind.
    Unlock {
        /// Only when the lock is at least this old, in seconds.
        #[arg(long, default_value_t = STALE_LOCK_AGE.as_secs())]
        older_than: u64,
    },
}

/// `remote` actions.
#[derive(Subcommand)]
pub enum RemoteCommand {
    /// Add a remote (ssh URLs use the SSH agent, https URLs git's credential helper).
    Add {
        /// Its name.
        name: String,
        /// Its URL.
        url: String,
    },
    /// List remotes.
    List,
}

fn parse_author(text: Option<&str>) -> Result<Option<Author>> {
    let Some(text) = text else { return Ok(None) };
    let (name, rest) = text
        .split_once('<')
        .with_context(|| format!("--author `{text}` is not `Name <email>`"))?;
    let email = rest
        .strip_suffix('>')
        .with_context(|| format!("--author `{text}` is not `Name <email>`"))?;
    // The same rule as the app's author form.
    Ok(Some(Author::new(name, email)?))
}

fn now() -> When {
    When::utc(SystemTime::now())
}

/// Runs a history subcommand.
pub fn run(project: Option<&Path>, command: HistoryCommand) -> Result<ExitCode> {
    let root = crate::project_root(project)?;
    if let HistoryCommand::Init = command {
        if History::open(&root).is_ok() {
            return Err(history::HistoryError::AlreadyARepository(root).into());
        }
        let history = History::init(&root)?;
        println!(
            "started a version history in {} (save the first version with `letterpress save -m MESSAGE`)",
            history.root().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let history = History::open(&root)?;
    match command {
        // The repository opened: it exists already.
        HistoryCommand::Init => {
            Err(history::HistoryError::AlreadyARepository(history.root().to_owned()).into())
        }
        HistoryCommand::Status { format } => status(&history, format),
        HistoryCommand::History {
            template,
            limit,
            cursor,
            format,
        } => {
            let paths = match &template {
                Some(t) => History::template_paths(&Project::open(&root)?, t),
                None => Vec::new(),
            };
            let page = history.history(&HistoryQuery {
                paths,
                cursor,
                limit,
            })?;
            match format {
                Output::Json => println!("{}", serde_json::to_string_pretty(&page)?),
                Output::Human => {
                    for v in &page.versions {
                        print_version(v);
                    }
                    if let Some(c) = &page.next_cursor {
                        println!("(more: --cursor {c})");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Diff {
            from,
            to,
            template,
            rendered,
            locale,
            fixture,
            variant,
            html,
            format,
        } => {
            let (from, to) = (DiffTarget::parse(&from), DiffTarget::parse(&to));
            if rendered || html.is_some() {
                let template = template.context("--rendered needs --template")?;
                let diff = history.diff_rendered(&RenderedDiffRequest {
                    from,
                    to,
                    template,
                    locale,
                    fixture,
                    variant,
                })?;
                if let Some(dir) = &html {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                    for (name, side) in [("before.html", &diff.before), ("after.html", &diff.after)]
                    {
                        let path = dir.join(name);
                        letterpress_studio::fsx::write_atomic(&path, side.html.as_bytes())
                            .with_context(|| format!("writing {}", path.display()))?;
                    }
                }
                match format {
                    Output::Json => println!("{}", serde_json::to_string_pretty(&diff)?),
                    Output::Human => {
                        for c in &diff.changes {
                            let part = serde_json::to_value(c.part)?;
                            let part = part.as_str().unwrap_or_default();
                            match (c.removed.is_empty(), c.inserted.is_empty()) {
                                (false, false) => {
                                    println!("{part}: - {}\n{part}: + {}", c.removed, c.inserted)
                                }
                                (false, true) => println!("{part}: - {}", c.removed),
                                _ => println!("{part}: + {}", c.inserted),
                            }
                        }
                        if diff.changes.is_empty() {
                            println!("no visible text changes");
                        }
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let prefix = template.map(|t| format!("templates/{t}/"));
            let diff = history.diff_sources(&from, &to, prefix.as_deref())?;
            match format {
                Output::Json => println!("{}", serde_json::to_string_pretty(&diff)?),
                Output::Human => print_source_diff(&diff),
            }
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Save {
            message,
            paths,
            author,
        } => {
            let author = history.author(parse_author(author.as_deref())?.as_ref())?;
            let saved = history.save(&message, &paths, &author, now())?;
            println!(
                "saved version {} ({} file(s)){}",
                saved.version.short_id,
                saved.files.len(),
                if saved.concluded_merge {
                    ", concluding the merge"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Publish {
            environment,
            message,
            rev,
            author,
        } => {
            let author = history.author(parse_author(author.as_deref())?.as_ref())?;
            let published =
                history.publish(&environment, rev.as_deref(), &message, &author, now())?;
            println!(
                "published version {} to {} as {}",
                published.version.short_id, published.environment, published.tag
            );
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Published {
            environment,
            format,
        } => {
            let list = match &environment {
                Some(env) => history.publish_history(env)?,
                None => history.published()?,
            };
            match format {
                Output::Json => println!("{}", serde_json::to_string_pretty(&list)?),
                Output::Human => {
                    for p in &list {
                        println!(
                            "{:<12} #{:<3} {}  {}  by {} <{}>\n    {}",
                            p.environment,
                            p.number,
                            p.version.short_id,
                            p.version.summary,
                            p.publisher,
                            p.publisher_email,
                            p.notes.replace('\n', "\n    ")
                        );
                    }
                    if list.is_empty() {
                        println!("nothing published yet");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Restore {
            template,
            rev,
            discard_changes,
        } => {
            let restored = history.restore_template(&template, &rev, discard_changes)?;
            for p in &restored.written {
                println!("restored {p}");
            }
            for p in &restored.removed {
                println!("removed  {p}");
            }
            println!(
                "template `{template}` is as in {rev}; save a version to keep it (`letterpress save -m ...`)"
            );
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Remote { action } => {
            match action {
                Some(RemoteCommand::Add { name, url }) => {
                    let r = history.add_remote(&name, &url)?;
                    println!("added remote {} {}", r.name, r.url);
                }
                Some(RemoteCommand::List) | None => {
                    for r in history.remotes()? {
                        println!("{:<12} {}", r.name, r.url);
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Push { remote } => {
            let pushed = history.push(remote.as_deref())?;
            for tag in &pushed.tag_conflicts {
                eprintln!("warning: {tag} is a different version on the remote; not sent");
            }
            println!(
                "pushed {} and {} publish tag(s) to {}",
                pushed.branch,
                pushed.tags.len(),
                pushed.remote
            );
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Pull { remote, author } => {
            let author = history.author(parse_author(author.as_deref())?.as_ref())?;
            let report = history.pull(remote.as_deref(), &author, now())?;
            for tag in &report.tag_conflicts {
                eprintln!(
                    "warning: {tag} is a different version on the remote; the local one is kept"
                );
            }
            match report.outcome {
                PullOutcome::UpToDate => println!("already up to date"),
                PullOutcome::FastForward { to } => {
                    println!("updated to version {} {}", to.short_id, to.summary)
                }
                PullOutcome::Merged { merge } => {
                    println!("merged: saved version {} {}", merge.short_id, merge.summary)
                }
                PullOutcome::Conflicts { paths } => {
                    eprintln!(
                        "conflicts (both sides are kept in the files, between <<<<<<< and >>>>>>>):"
                    );
                    for p in &paths {
                        eprintln!("  {p}");
                    }
                    eprintln!(
                        "resolve them, then `letterpress save -m MESSAGE`; or `letterpress merge --abort`"
                    );
                    return Ok(ExitCode::from(1));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Merge { abort } => {
            debug_assert!(abort);
            let touched = history.abort_merge()?;
            println!(
                "merge aborted; {} file(s) back as in the last version",
                touched.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        HistoryCommand::Unlock { older_than } => {
            match history.clear_stale_lock(SystemTime::now(), Duration::from_secs(older_than))? {
                Some(cleared) => println!(
                    "removed {} (left {}s ago)",
                    cleared.path, cleared.age_seconds
                ),
                None => println!("the repository is not locked"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn kind_label(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "new",
        ChangeKind::Modified => "modified",
        ChangeKind::Deleted => "deleted",
        ChangeKind::Renamed => "renamed",
        ChangeKind::Conflicted => "CONFLICT",
    }
}

fn file_line(f: &ChangedFile) -> String {
    match &f.old_path {
        Some(old) => format!("{:<9} {old} -> {}", kind_label(f.kind), f.path),
        None => format!("{:<9} {}", kind_label(f.kind), f.path),
    }
}

fn status(history: &History, format: Output) -> Result<ExitCode> {
    let status = history.status()?;
    if format == Output::Json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(ExitCode::SUCCESS);
    }
    match (&status.branch, &status.head) {
        (Some(b), Some(h)) => println!("on {b}, last version {} {}", h.short_id, h.summary),
        (Some(b), None) => println!("on {b}, no version saved yet"),
        (None, Some(h)) => println!("at version {} without a branch (detached HEAD)", h.short_id),
        (None, None) => {}
    }
    if status.merging {
        println!("merging: resolve the conflicts, then save (or `letterpress merge --abort`)");
    }
    if status.files.is_empty() {
        println!("no changes since the last version");
    }
    for group in &status.groups {
        match &group.template {
            Some(t) => println!("template {t}:"),
            None => println!("project:"),
        }
        for f in &group.files {
            println!("  {}", file_line(f));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_version(v: &VersionInfo) {
    let published: Vec<String> = v
        .published
        .iter()
        .map(|p| format!("{} #{}", p.environment, p.number))
        .collect();
    let tags = if published.is_empty() {
        String::new()
    } else {
        format!("  [{}]", published.join(", "))
    };
    println!(
        "{}  {}  {} <{}>  {}{tags}",
        v.short_id,
        format_time(v.time, v.offset_minutes),
        v.author,
        v.email,
        v.summary
    );
}

/// `YYYY-MM-DD HH:MM +HHMM`: the time in the author's offset, and that offset.
fn format_time(seconds: i64, offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.abs();
    format!(
        "{} {sign}{:02}{:02}",
        letterpress_protocol::format_local_time(seconds, offset_minutes),
        off / 60,
        off % 60
    )
}

fn print_source_diff(diff: &SourceDiff) {
    if diff.files.is_empty() {
        println!("no differences");
    }
    for file in &diff.files {
        println!("{}", file_line(&file.file));
        if file.binary {
            println!("  (binary or too large to compare)");
        }
        for hunk in &file.hunks {
            println!("@@");
            for row in &hunk.rows {
                let text = |line: &Option<history::DiffLine>| {
                    line.as_ref()
                        .map(|l| {
                            l.segments
                                .iter()
                                .map(|s| s.text.as_str())
                                .collect::<String>()
                        })
                        .unwrap_or_default()
                };
                let number = |line: &Option<history::DiffLine>| {
                    line.as_ref()
                        .map(|l| l.number.to_string())
                        .unwrap_or_default()
                };
                match row.kind {
                    RowKind::Equal => {
                        println!(
                            "{:>5} {:>5}   {}",
                            number(&row.left),
                            number(&row.right),
                            text(&row.left)
                        )
                    }
                    RowKind::Removed => {
                        println!("{:>5} {:>5} - {}", number(&row.left), "", text(&row.left))
                    }
                    RowKind::Added => {
                        println!("{:>5} {:>5} + {}", "", number(&row.right), text(&row.right))
                    }
                    RowKind::Changed => {
                        println!("{:>5} {:>5} - {}", number(&row.left), "", text(&row.left));
                        println!("{:>5} {:>5} + {}", "", number(&row.right), text(&row.right));
                    }
                }
            }
        }
    }
}

/// The stable code of a history failure, printed as `error[code]: ...`.
pub fn error_code(e: &anyhow::Error) -> Option<letterpress_protocol::IpcCode> {
    e.downcast_ref::<history::HistoryError>().map(|h| h.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_formatted_in_the_authors_offset() {
        assert_eq!(format_time(1_767_225_600, 60), "2026-01-01 01:00 +0100");
        assert_eq!(format_time(0, -90), "1969-12-31 22:30 -0130");
    }

    #[test]
    fn authors_parse_from_name_and_email() {
        assert_eq!(
            parse_author(Some("Ada Designer <ada@example.com>")).unwrap(),
            Some(Author {
                name: "Ada Designer".into(),
                email: "ada@example.com".into()
            })
        );
        assert!(parse_author(Some("Ada")).is_err());
        assert!(parse_author(Some(" <ada@example.com>")).is_err());
    }
}
