//! Remotes: add/list, push (the branch and every publish tag), pull (fast-forward, a merge
//! version when both sides changed different files, or git's merge state with both sides kept
//! when they changed the same lines), and aborting such a merge.
//!
//! A pull only touches files that are clean: when an incoming change would land on a file
//! with unsaved changes, nothing is done and the files are listed ([`HistoryError::WouldOverwrite`]).
//! Credentials come from the SSH agent (ssh URLs) or git's credential helpers (https), never
//! from this program's own storage.

use super::{Author, ChangedFile, History, HistoryError, When, io_error};
use crate::fsx;
use git2::{
    AutotagOption, Cred, CredentialType, ErrorClass, ErrorCode, FetchOptions, PushOptions,
    RemoteCallbacks, RepositoryState, Tree, build::CheckoutBuilder,
};
use letterpress_protocol::{PullOutcome, PullReport, PushOutcome, RemoteInfo};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Credentials for one network operation; gives up after a few refusals instead of looping.
fn callbacks<'a>(config: &'a git2::Config, attempts: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(move |url, username, allowed| {
        attempts.set(attempts.get() + 1);
        if attempts.get() > 3 {
            return Err(git2::Error::new(
                ErrorCode::Auth,
                ErrorClass::Net,
                "credentials refused",
            ));
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            return Cred::ssh_key_from_agent(username.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            return Cred::credential_helper(config, url, username);
        }
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(username.unwrap_or("git"));
        }
        Cred::default()
    });
    callbacks
}

/// A URL carrying a password (`https://user:secret@host/...`) would store the secret in the
/// repository's config in plain text.
fn url_has_password(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

impl History {
    /// The configured remotes, sorted by name.
    pub fn remotes(&self) -> Result<Vec<RemoteInfo>, HistoryError> {
        let mut out = Vec::new();
        for name in self.repo.remotes()?.iter().filter_map(|n| n.ok().flatten()) {
            let remote = self.repo.find_remote(name)?;
            out.push(RemoteInfo {
                name: name.to_owned(),
                url: String::from_utf8_lossy(remote.url_bytes()).into_owned(),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Adds a remote. URLs with a password in them are refused (use the SSH agent or a
    /// credential helper).
    pub fn add_remote(&self, name: &str, url: &str) -> Result<RemoteInfo, HistoryError> {
        if !git2::Remote::is_valid_name(name) {
            return Err(HistoryError::InvalidName(format!(
                "`{name}` is not a remote name"
            )));
        }
        if url_has_password(url) {
            return Err(HistoryError::InvalidName(
                "the URL contains a password; it would be stored in plain text. Use an ssh URL \
                 (SSH agent) or an https URL without the password (git credential helper)"
                    .into(),
            ));
        }
        if self.repo.find_remote(name).is_ok() {
            return Err(HistoryError::InvalidName(format!(
                "a remote `{name}` already exists"
            )));
        }
        self.repo.remote(name, url)?;
        Ok(RemoteInfo {
            name: name.to_owned(),
            url: url.to_owned(),
        })
    }

    /// `name`, or the only remote, or `origin`.
    fn remote_name(&self, name: Option<&str>) -> Result<String, HistoryError> {
        if let Some(n) = name {
            return match self.repo.find_remote(n) {
                Ok(_) => Ok(n.to_owned()),
                Err(_) => Err(HistoryError::UnknownRemote(n.to_owned())),
            };
        }
        let remotes = self.remotes()?;
        match remotes.as_slice() {
            [only] => Ok(only.name.clone()),
            many if many.iter().any(|r| r.name == "origin") => Ok("origin".into()),
            _ => Err(HistoryError::NoRemote),
        }
    }

    fn current_branch(&self) -> Result<String, HistoryError> {
        match self.branch_name()? {
            Some(b) => Ok(b),
            None => {
                let short = self
                    .head_commit()?
                    .map(|c| c.id().to_string()[..7].to_owned())
                    .unwrap_or_default();
                Err(HistoryError::DetachedHead(short))
            }
        }
    }

    fn network_error(&self, url: &str, e: git2::Error) -> HistoryError {
        if e.code() == ErrorCode::Auth || e.class() == ErrorClass::Ssh {
            HistoryError::Authentication(url.to_owned())
        } else if e.code() == ErrorCode::NotFastForward {
            HistoryError::PushRejected(e.message().to_owned())
        } else {
            e.into()
        }
    }

    /// Sends the current branch and every publish tag to a remote.
    pub fn push(&self, remote: Option<&str>) -> Result<PushOutcome, HistoryError> {
        let name = self.remote_name(remote)?;
        let branch = self.current_branch()?;
        if self.head_commit()?.is_none() {
            return Err(HistoryError::NoVersions);
        }
        let mut remote = self.repo.find_remote(&name)?;
        let url = String::from_utf8_lossy(remote.url_bytes()).into_owned();
        let local_tags: Vec<String> = self
            .repo
            .tag_names(Some("published/*"))?
            .iter()
            .filter_map(|n| n.ok().flatten())
            .map(str::to_owned)
            .collect();
        let config = self.repo.config()?;
        let attempts = Cell::new(0);
        // Tags the remote already has are not sent again; one it has for another version is a
        // collision (libgit2 cannot even compare tags as a fast-forward): reported, not sent.
        let remote_refs: HashMap<String, git2::Oid> = {
            let connection = remote
                .connect_auth(
                    git2::Direction::Push,
                    Some(callbacks(&config, &attempts)),
                    None,
                )
                .map_err(|e| self.network_error(&url, e))?;
            connection
                .list()?
                .iter()
                .map(|head| (head.name().to_owned(), head.oid()))
                .collect()
        };
        let mut tags = Vec::new();
        let mut tag_conflicts = Vec::new();
        for tag in local_tags {
            let local = self.repo.refname_to_id(&format!("refs/tags/{tag}"))?;
            match remote_refs.get(&format!("refs/tags/{tag}")) {
                None => tags.push(tag),
                Some(theirs) if *theirs == local => {}
                Some(_) => tag_conflicts.push(tag),
            }
        }
        let mut refspecs = vec![format!("refs/heads/{branch}:refs/heads/{branch}")];
        refspecs.extend(tags.iter().map(|t| format!("refs/tags/{t}:refs/tags/{t}")));
        let rejected: RefCell<Vec<String>> = RefCell::new(Vec::new());
        {
            let mut callbacks = callbacks(&config, &attempts);
            callbacks.push_update_reference(|reference, status| {
                if let Some(msg) = status {
                    rejected.borrow_mut().push(format!("{reference}: {msg}"));
                }
                Ok(())
            });
            let mut options = PushOptions::new();
            options.remote_callbacks(callbacks);
            remote
                .push(&refspecs, Some(&mut options))
                .map_err(|e| self.network_error(&url, e))?;
        }
        let rejected = rejected.into_inner();
        if !rejected.is_empty() {
            return Err(HistoryError::PushRejected(rejected.join("; ")));
        }
        Ok(PushOutcome {
            remote: name,
            branch,
            tags,
            tag_conflicts,
        })
    }

    /// Fetches the current branch (and publish tags) from a remote and brings it in:
    /// fast-forward, a merge version by `author` at `when` when both sides changed different
    /// files, or the merge state with conflicts kept in the files. Publish tags are fetched
    /// aside and only added where no local tag of that name exists: a local publish record is
    /// never replaced (collisions are reported).
    pub fn pull(
        &self,
        remote: Option<&str>,
        author: &Author,
        when: When,
    ) -> Result<PullReport, HistoryError> {
        let name = self.remote_name(remote)?;
        let outcome = self.pull_versions(&name, author, when)?;
        let tag_conflicts = self.take_remote_tags(&name)?;
        Ok(PullReport {
            outcome,
            tag_conflicts,
        })
    }

    /// Adds the remote's publish tags (fetched under `refs/letterpress/<remote>/`) that do not
    /// exist locally; returns the names that exist locally for another object.
    fn take_remote_tags(&self, remote: &str) -> Result<Vec<String>, HistoryError> {
        let prefix = format!("refs/letterpress/{remote}/");
        let mut conflicts = Vec::new();
        let fetched: Vec<(String, git2::Oid)> = self
            .repo
            .references_glob(&format!("{prefix}published/*"))?
            .filter_map(Result::ok)
            .filter_map(|r| {
                let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
                r.target().map(|t| (name, t))
            })
            .collect();
        for (name, target) in fetched {
            let Some(tag) = name.strip_prefix(&prefix) else {
                continue;
            };
            let local = format!("refs/tags/{tag}");
            match self.repo.find_reference(&local) {
                Ok(existing) if existing.target() == Some(target) => {}
                Ok(_) => conflicts.push(tag.to_owned()),
                Err(_) => {
                    self.repo.reference(
                        &local,
                        target,
                        false,
                        &format!("pull: {tag} from {remote}"),
                    )?;
                }
            }
        }
        conflicts.sort();
        Ok(conflicts)
    }

    fn pull_versions(
        &self,
        name: &str,
        author: &Author,
        when: When,
    ) -> Result<PullOutcome, HistoryError> {
        self.check_lock()?;
        if self.repo.state() == RepositoryState::Merge {
            return Err(HistoryError::MergeInProgress);
        }
        let branch = self.current_branch()?;
        let mut remote = self.repo.find_remote(name)?;
        let url = String::from_utf8_lossy(remote.url_bytes()).into_owned();
        let tracking = format!("refs/remotes/{name}/{branch}");
        let refspecs = [
            format!("+refs/heads/{branch}:{tracking}"),
            format!("+refs/tags/published/*:refs/letterpress/{name}/published/*"),
        ];
        let config = self.repo.config()?;
        let attempts = Cell::new(0);
        {
            let mut options = FetchOptions::new();
            options
                .remote_callbacks(callbacks(&config, &attempts))
                .download_tags(AutotagOption::None);
            remote
                .fetch(&refspecs, Some(&mut options), None)
                .map_err(|e| self.network_error(&url, e))?;
        }
        let Ok(their_ref) = self.repo.find_reference(&tracking) else {
            return Ok(PullOutcome::UpToDate);
        };
        let theirs = their_ref.peel_to_commit()?;
        let annotated = self.repo.reference_to_annotated_commit(&their_ref)?;
        let (analysis, _) = self.repo.merge_analysis(&[&annotated])?;
        let marks = self.publish_marks()?;
        if analysis.is_up_to_date() {
            return Ok(PullOutcome::UpToDate);
        }
        let head = self.head_commit()?;
        let head_tree = match &head {
            Some(c) => Some(c.tree()?),
            None => None,
        };
        let base_tree: Option<Tree<'_>> = match &head {
            Some(h) => match self.repo.merge_base(h.id(), theirs.id()) {
                Ok(base) => Some(self.repo.find_commit(base)?.tree()?),
                Err(e) if e.code() == ErrorCode::NotFound => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        // Files the pull may write: what changed on their side since the common version.
        let incoming = self.paths_between(base_tree.as_ref(), Some(&theirs.tree()?))?;
        let identical = self.refuse_overwrite(&incoming, &theirs.tree()?)?;
        let branch_ref = format!("refs/heads/{branch}");
        if analysis.is_unborn() || analysis.is_fast_forward() {
            self.checkout_safely(&theirs.tree()?, &incoming, &identical)?;
            self.repo.reference(
                &branch_ref,
                theirs.id(),
                true,
                &format!("pull: fast-forward from {name}"),
            )?;
            return Ok(PullOutcome::FastForward {
                to: self.version_info(&theirs, &marks)?,
            });
        }
        let Some(ours) = head else {
            return Ok(PullOutcome::UpToDate);
        };
        let mut merged = self.repo.merge_commits(&ours, &theirs, None)?;
        if !merged.has_conflicts() {
            let tree = self.repo.find_tree(merged.write_tree_to(&self.repo)?)?;
            let signature = when.signature(author)?;
            let oid = self.repo.commit(
                None,
                &signature,
                &signature,
                &format!("Merge versions from {name}/{branch}\n"),
                &tree,
                &[&ours, &theirs],
            )?;
            self.checkout_safely(&tree, &incoming, &identical)?;
            self.repo
                .reference(&branch_ref, oid, true, &format!("pull: merge from {name}"))?;
            let commit = self.repo.find_commit(oid)?;
            return Ok(PullOutcome::Merged {
                merge: self.version_info(&commit, &marks)?,
            });
        }
        drop(head_tree);
        let mut checkout = CheckoutBuilder::new();
        checkout
            .safe()
            .allow_conflicts(true)
            .conflict_style_merge(true);
        self.repo
            .merge(&[&annotated], None, Some(&mut checkout))
            .map_err(|e| self.locked(e))?;
        Ok(PullOutcome::Conflicts {
            paths: self.conflicted_paths()?,
        })
    }

    /// Checks out `tree` over HEAD's, touching only files that differ between them (which the
    /// caller checked are clean). `identical` files already hold the incoming bytes but are
    /// unknown to git (e.g. the same new file on both sides): they are taken over first, which
    /// rewrites the same content, so the safe checkout does not see them as in the way.
    fn checkout_safely(
        &self,
        tree: &Tree<'_>,
        incoming: &BTreeSet<String>,
        identical: &[String],
    ) -> Result<(), HistoryError> {
        if !identical.is_empty() {
            let mut take = CheckoutBuilder::new();
            take.force().disable_pathspec_match(true);
            for path in identical {
                take.path(path);
            }
            self.repo
                .checkout_tree(tree.as_object(), Some(&mut take))
                .map_err(|e| self.locked(e))?;
        }
        let rest: Vec<&String> = incoming.iter().filter(|p| !identical.contains(p)).collect();
        if rest.is_empty() {
            return Ok(());
        }
        let mut checkout = CheckoutBuilder::new();
        checkout
            .safe()
            .recreate_missing(true)
            .disable_pathspec_match(true);
        for path in rest {
            checkout.path(path);
        }
        self.repo
            .checkout_tree(tree.as_object(), Some(&mut checkout))
            .map_err(|e| {
                if e.code() == ErrorCode::Conflict {
                    HistoryError::WouldOverwrite(vec![e.message().to_owned()])
                } else {
                    self.locked(e)
                }
            })
    }

    /// Paths (old and new names) that differ between two trees.
    fn paths_between(
        &self,
        old: Option<&Tree<'_>>,
        new: Option<&Tree<'_>>,
    ) -> Result<BTreeSet<String>, HistoryError> {
        let diff = self.repo.diff_tree_to_tree(old, new, None)?;
        let mut out = BTreeSet::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(p) = file.path() {
                    out.insert(p.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        Ok(out)
    }

    /// Fails when a file in `incoming` has unsaved changes (unless the disk already holds
    /// exactly what comes in, e.g. the same new file on both sides).
    fn refuse_overwrite(
        &self,
        incoming: &BTreeSet<String>,
        theirs: &Tree<'_>,
    ) -> Result<Vec<String>, HistoryError> {
        let same_as_theirs = |path: &str| {
            theirs.get_path(Path::new(path)).ok().is_some_and(|entry| {
                self.repo.find_blob(entry.id()).ok().is_some_and(|blob| {
                    std::fs::read(self.root.join(path)).ok().as_deref() == Some(blob.content())
                })
            })
        };
        let (identical, dirty): (Vec<ChangedFile>, Vec<ChangedFile>) = self
            .changed_files()?
            .into_iter()
            .filter(|f| {
                incoming.contains(&f.path)
                    || f.old_path.as_ref().is_some_and(|o| incoming.contains(o))
            })
            .partition(|f| f.old_path.is_none() && same_as_theirs(&f.path));
        if dirty.is_empty() {
            Ok(identical.into_iter().map(|f| f.path).collect())
        } else {
            Err(HistoryError::WouldOverwrite(
                dirty.into_iter().map(|f| f.path).collect(),
            ))
        }
    }

    /// Abandons a conflicted pull: the files the merge brought in go back to the last
    /// version (edits made to resolve conflicts are dropped), other unsaved changes stay.
    pub fn abort_merge(&self) -> Result<Vec<String>, HistoryError> {
        if self.repo.state() != RepositoryState::Merge {
            return Err(HistoryError::NoMerge);
        }
        self.check_lock()?;
        let head = self.head_commit()?.ok_or(HistoryError::NoVersions)?;
        let head_tree = head.tree()?;
        let mut touched = BTreeSet::new();
        for theirs in self.merge_heads()? {
            let theirs = self.repo.find_commit(theirs)?;
            let base = match self.repo.merge_base(head.id(), theirs.id()) {
                Ok(b) => Some(self.repo.find_commit(b)?.tree()?),
                Err(_) => None,
            };
            touched.extend(self.paths_between(base.as_ref(), Some(&theirs.tree()?))?);
        }
        touched.extend(self.conflicted_paths()?);
        let mut index = self.repo.index().map_err(|e| self.locked(e))?;
        for path in &touched {
            if !super::is_safe_work_path(path) {
                continue;
            }
            let full = self.root.join(path);
            let _ = index.conflict_remove(Path::new(path));
            match head_tree.get_path(Path::new(path)) {
                Ok(entry) => {
                    let blob = self.repo.find_blob(entry.id())?;
                    if std::fs::read(&full).ok().as_deref() != Some(blob.content()) {
                        let full = crate::disk::confined_write_target(&self.root, path)?;
                        fsx::write_atomic(&full, blob.content()).map_err(io_error(&full))?;
                    }
                    index
                        .add_path(Path::new(path))
                        .map_err(|e| self.locked(e))?;
                }
                Err(_) => {
                    match std::fs::remove_file(&full) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(io_error(&full)(e)),
                    }
                    let _ = index.remove_path(Path::new(path));
                }
            }
        }
        index.write().map_err(|e| self.locked(e))?;
        self.repo.cleanup_state()?;
        Ok(touched.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_spotted() {
        assert!(url_has_password("https://me:secret@example.com/x.git"));
        assert!(!url_has_password("https://me@example.com/x.git"));
        assert!(!url_has_password("git@example.com:team/x.git"));
        assert!(!url_has_password("file:///tmp/x.git"));
    }
}
