//! Publishing: a version is marked live in an environment by an annotated tag
//! `published/<environment>/<n>` (n increasing per environment) carrying the release notes.
//! The latest tag of an environment is what is live there; sync only ever uploads these.

use super::{Author, History, HistoryError, When};
use git2::Oid;
use letterpress_protocol::{PublishMark, PublishedVersion};
use std::collections::HashMap;

/// Prefix of every publish tag.
pub const PUBLISH_TAG_PREFIX: &str = "published/";

/// Checks an environment name: lowercase letters, digits and `-`, starting with a letter,
/// at most 32 characters (`staging`, `production`, `eu-prod`).
pub fn validate_environment(name: &str) -> Result<(), HistoryError> {
    use letterpress_protocol::names::{MAX_ENVIRONMENT, is_slug};
    if is_slug(name, MAX_ENVIRONMENT) {
        Ok(())
    } else {
        Err(HistoryError::InvalidName(format!(
            "`{name}` is not an environment name (lowercase letters, digits and `-`, starting \
             with a letter, e.g. `staging`, `production`)"
        )))
    }
}

/// `published/<env>/<n>` → (env, n).
fn parse_tag(name: &str) -> Option<(String, u64)> {
    let rest = name.strip_prefix(PUBLISH_TAG_PREFIX)?;
    let (env, n) = rest.split_once('/')?;
    validate_environment(env).ok()?;
    let number = n.parse().ok()?;
    Some((env.to_owned(), number))
}

impl History {
    /// Every publish tag: (environment, number, tag name), sorted by environment then number.
    fn publish_tags(&self) -> Result<Vec<(String, u64, String)>, HistoryError> {
        let names = self.repo.tag_names(Some("published/*"))?;
        let mut tags: Vec<(String, u64, String)> = names
            .iter()
            .filter_map(|n| n.ok().flatten())
            .filter_map(|n| parse_tag(n).map(|(env, num)| (env, num, n.to_owned())))
            .collect();
        tags.sort();
        Ok(tags)
    }

    /// Publish marks by commit, for [`VersionInfo::published`](super::VersionInfo).
    pub(crate) fn publish_marks(&self) -> Result<HashMap<Oid, Vec<PublishMark>>, HistoryError> {
        let mut marks: HashMap<Oid, Vec<PublishMark>> = HashMap::new();
        for (environment, number, tag) in self.publish_tags()? {
            let Ok(reference) = self.repo.find_reference(&format!("refs/tags/{tag}")) else {
                continue;
            };
            if let Ok(commit) = reference.peel_to_commit() {
                marks.entry(commit.id()).or_default().push(PublishMark {
                    environment,
                    number,
                });
            }
        }
        Ok(marks)
    }

    fn published_version(
        &self,
        environment: &str,
        number: u64,
        tag: &str,
        marks: &HashMap<Oid, Vec<PublishMark>>,
    ) -> Result<Option<PublishedVersion>, HistoryError> {
        let Ok(reference) = self.repo.find_reference(&format!("refs/tags/{tag}")) else {
            return Ok(None);
        };
        let Ok(commit) = reference.peel_to_commit() else {
            return Ok(None);
        };
        let version = self.version_info(&commit, marks)?;
        let (notes, publisher, publisher_email, time) = match reference.peel_to_tag() {
            Ok(annotated) => {
                let notes = annotated
                    .message()
                    .ok()
                    .flatten()
                    .unwrap_or_default()
                    .trim_end()
                    .to_owned();
                match annotated.tagger() {
                    Some(t) => (
                        notes,
                        String::from_utf8_lossy(t.name_bytes()).into_owned(),
                        String::from_utf8_lossy(t.email_bytes()).into_owned(),
                        t.when().seconds(),
                    ),
                    None => (notes, String::new(), String::new(), version.time),
                }
            }
            // A lightweight tag made by hand: no notes, the version's own author and time.
            Err(_) => (
                String::new(),
                version.author.clone(),
                version.email.clone(),
                version.time,
            ),
        };
        Ok(Some(PublishedVersion {
            environment: environment.to_owned(),
            number,
            tag: tag.to_owned(),
            notes,
            publisher,
            publisher_email,
            time,
            version,
        }))
    }

    /// Marks a version live in `environment` with release `notes`. `revision: None` publishes
    /// the last saved version and is refused while the working copy has unsaved changes (what
    /// is published must be what was reviewed); a given revision is published as it was saved.
    pub fn publish(
        &self,
        environment: &str,
        revision: Option<&str>,
        notes: &str,
        author: &Author,
        when: When,
    ) -> Result<PublishedVersion, HistoryError> {
        validate_environment(environment)?;
        if notes.trim().is_empty() {
            return Err(HistoryError::EmptyMessage);
        }
        let commit = match revision {
            Some(rev) => self.resolve(rev)?,
            None => {
                let changed = self.changed_files()?;
                if !changed.is_empty() {
                    return Err(HistoryError::UncommittedChanges(
                        changed.into_iter().map(|f| f.path).collect(),
                    ));
                }
                self.head_commit()?.ok_or(HistoryError::NoVersions)?
            }
        };
        let history = self.publish_history(environment)?;
        if let Some(live) = history.first()
            && live.version.id == commit.id().to_string()
        {
            return Err(HistoryError::AlreadyLive {
                environment: environment.to_owned(),
                short_id: live.version.short_id.clone(),
            });
        }
        let number = history.first().map_or(1, |p| p.number + 1);
        let tag = format!("{PUBLISH_TAG_PREFIX}{environment}/{number}");
        let tagger = when.signature(author)?;
        self.repo.tag(
            &tag,
            commit.as_object(),
            &tagger,
            &format!("{}\n", notes.trim()),
            false,
        )?;
        let marks = self.publish_marks()?;
        self.published_version(environment, number, &tag, &marks)?
            .ok_or_else(|| HistoryError::NotFound(format!("tag {tag} vanished")))
    }

    /// What is live where: the latest publish of each environment, sorted by environment.
    pub fn published(&self) -> Result<Vec<PublishedVersion>, HistoryError> {
        let marks = self.publish_marks()?;
        let mut latest: Vec<(String, u64, String)> = Vec::new();
        for (env, n, tag) in self.publish_tags()? {
            match latest.last_mut() {
                Some(last) if last.0 == env => *last = (env, n, tag),
                _ => latest.push((env, n, tag)),
            }
        }
        let mut out = Vec::new();
        for (env, n, tag) in latest {
            out.extend(self.published_version(&env, n, &tag, &marks)?);
        }
        Ok(out)
    }

    /// Every publish to `environment`, newest first.
    pub fn publish_history(
        &self,
        environment: &str,
    ) -> Result<Vec<PublishedVersion>, HistoryError> {
        validate_environment(environment)?;
        let marks = self.publish_marks()?;
        let mut out = Vec::new();
        for (env, n, tag) in self.publish_tags()?.into_iter().rev() {
            if env == environment {
                out.extend(self.published_version(&env, n, &tag, &marks)?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names() {
        for ok in ["staging", "production", "eu-prod2"] {
            assert!(validate_environment(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Prod", "1st", "a/b", "prod-", "a b", &"x".repeat(33)] {
            assert!(validate_environment(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_tag("published/staging/12"),
            Some(("staging".into(), 12))
        );
        assert_eq!(parse_tag("published/staging/x"), None);
    }
}
