//! Creating, duplicating, renaming and deleting templates (whole folders under `templates/`).

use crate::{Project, StudioError, fsx, io_error};
use std::path::PathBuf;

/// A template id: lowercase letters, digits and dashes, starting with a letter (it becomes a
/// folder name and part of remote template names, so it stays portable).
pub fn check_template_id(id: &str) -> Result<(), StudioError> {
    use letterpress_protocol::names::{MAX_TEMPLATE_ID, SLUG_RULE, is_slug};
    if is_slug(id, MAX_TEMPLATE_ID) {
        Ok(())
    } else {
        Err(StudioError::Refused(format!(
            "`{id}` is not a valid template name: use {SLUG_RULE}"
        )))
    }
}

impl Project {
    fn template_dir(&self, id: &str) -> PathBuf {
        self.root().join("templates").join(id)
    }

    fn require_template(&self, id: &str) -> Result<PathBuf, StudioError> {
        check_template_id(id)?;
        let dir = self.template_dir(id);
        if dir.join("template.toml").is_file() {
            Ok(dir)
        } else {
            Err(StudioError::NotFound(format!("no template `{id}`")))
        }
    }

    fn require_free(&self, id: &str) -> Result<PathBuf, StudioError> {
        check_template_id(id)?;
        let dir = self.template_dir(id);
        if dir.exists() {
            Err(StudioError::Refused(format!(
                "a template `{id}` already exists"
            )))
        } else {
            Ok(dir)
        }
    }

    /// Creates a new template from a small starter that uses the first layout.
    pub fn create_template(&self, id: &str) -> Result<(), StudioError> {
        let dir = self.require_free(id)?;
        let layout = crate::sorted_entries(&self.root().join("layouts"))?
            .into_iter()
            .find(|n| n.ends_with(".mjml"));
        let body = match layout {
            Some(layout) => format!(
                "{{% extends \"layouts/{layout}\" %}}\n\n{{% block content %}}\n<mj-section>\n  <mj-column>\n    <mj-text>{{{{ title }}}}</mj-text>\n  </mj-column>\n</mj-section>\n{{% endblock %}}\n"
            ),
            None => "<mjml>\n  <mj-head>\n    <mj-title>{{ email.subject }}</mj-title>\n    <mj-preview>{{ email.preheader }}</mj-preview>\n  </mj-head>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n        <mj-text>{{ title }}</mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>\n".to_owned(),
        };
        let staging = tempfile::Builder::new()
            .prefix(".letterpress-new-")
            .tempdir_in(self.root().join("templates"))
            .map_err(io_error(&self.root().join("templates")))?;
        let write = |rel: &str, text: &str| -> Result<(), StudioError> {
            let path = staging.path().join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            fsx::write_atomic(&path, text.as_bytes()).map_err(io_error(&path))
        };
        write(
            "template.toml",
            "description = \"\"\nsubject = \"{{ title }}\"\npreheader = \"\"\n",
        )?;
        write("body.mjml", &body)?;
        write(
            "fixtures/default.json",
            &format!("{{\n  \"title\": \"{id}\"\n}}\n"),
        )?;
        // Appears whole or not at all.
        std::fs::rename(staging.keep(), &dir).map_err(io_error(&dir))?;
        fsx::sync_dir(&self.root().join("templates")).map_err(io_error(&dir))
    }

    /// Copies template `from` (all its files) to a new template `to`.
    pub fn duplicate_template(&self, from: &str, to: &str) -> Result<(), StudioError> {
        let source = self.require_template(from)?;
        let target = self.require_free(to)?;
        let staging = tempfile::Builder::new()
            .prefix(".letterpress-copy-")
            .tempdir_in(self.root().join("templates"))
            .map_err(io_error(&target))?;
        crate::copy_tree(&source, staging.path())?;
        std::fs::rename(staging.keep(), &target).map_err(io_error(&target))?;
        fsx::sync_dir(&self.root().join("templates")).map_err(io_error(&target))
    }

    /// Renames template `from` to `to` (one folder rename: atomic).
    pub fn rename_template(&self, from: &str, to: &str) -> Result<(), StudioError> {
        let source = self.require_template(from)?;
        let target = self.require_free(to)?;
        std::fs::rename(&source, &target).map_err(io_error(&source))?;
        fsx::sync_dir(&self.root().join("templates")).map_err(io_error(&target))
    }

    /// Deletes template `id` and all its files. The UI asks for confirmation first; git
    /// history (when the project is versioned) keeps it recoverable.
    pub fn delete_template(&self, id: &str) -> Result<(), StudioError> {
        let dir = self.require_template(id)?;
        // Move aside first, so a failure half-way never leaves a half-deleted template.
        let trash = self
            .root()
            .join("templates")
            .join(format!(".letterpress-deleted-{id}-{}", std::process::id()));
        std::fs::rename(&dir, &trash).map_err(io_error(&dir))?;
        std::fs::remove_dir_all(&trash).map_err(io_error(&trash))?;
        fsx::sync_dir(&self.root().join("templates")).map_err(io_error(&dir))
    }

    /// Adds fixture `name` to template `id` with `json` (a JSON object), refusing to replace
    /// an existing fixture. Returns its project-relative path.
    pub fn create_fixture(&self, id: &str, name: &str, json: &str) -> Result<String, StudioError> {
        self.require_template(id)?;
        check_template_id(name).map_err(|_| {
            StudioError::Refused(format!(
                "`{name}` is not a valid fixture name: use {}",
                letterpress_protocol::names::SLUG_RULE
            ))
        })?;
        match serde_json::from_str::<serde_json::Value>(json) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => {
                return Err(StudioError::Refused(
                    "preview data must be a JSON object".into(),
                ));
            }
            Err(e) => {
                return Err(StudioError::Refused(format!(
                    "the preview data is not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                )));
            }
        }
        let rel = format!("templates/{id}/fixtures/{name}.json");
        let path = crate::disk::confined_write_target(self.root(), &rel)?;
        if path.exists() {
            return Err(StudioError::Refused(format!(
                "template `{id}` already has a fixture `{name}`"
            )));
        }
        fsx::write_atomic(&path, json.as_bytes()).map_err(io_error(&path))?;
        Ok(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_ids_are_portable_names() {
        for ok in ["welcome", "order-shipped-2"] {
            assert!(check_template_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Welcome", "a/b", "../x", "-x", "x-", "a b", "é"] {
            assert!(check_template_id(bad).is_err(), "{bad}");
        }
    }
}
