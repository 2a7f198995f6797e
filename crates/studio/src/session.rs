//! The desktop app's use cases in one place: an open project with its editor buffers. The
//! Tauri shell holds one [`StudioSession`] and maps each command onto one method.

mod drop;

use crate::edit::{EditSession, SaveError};
use crate::watch::Change;
use crate::{Project, RenderJob, StudioError};
use letterpress_engine::LocaleInfo;
use letterpress_protocol::{
    Coded, ConflictSides, EditorEdit, ElementLocation, ElementProperties, FileEvent, HtmlDelta,
    InlinePiece, InlineText, IpcCode, LocaleEntry, Location, OpenDocument, Preview, PreviewRequest,
    ProjectSnapshot, Property, PropertyKind, Resolution, StructureAction, StructureEdit,
    TemplateEntry, VisualMapping,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

impl Coded for StudioError {
    fn code(&self) -> IpcCode {
        StudioError::code(self)
    }
    fn location(&self) -> Option<Location> {
        match self {
            StudioError::Config(d) => d.location.clone(),
            _ => None,
        }
    }
}

impl Coded for SaveError {
    fn code(&self) -> IpcCode {
        match self {
            SaveError::Conflict { .. } => IpcCode::SaveConflict,
            SaveError::Refused(_) => IpcCode::SaveRefused,
            SaveError::Io(e) => e.code(),
        }
    }
    fn location(&self) -> Option<Location> {
        match self {
            SaveError::Io(e) => Coded::location(e),
            _ => None,
        }
    }
}

/// The editor holds unsaved edits of files an operation would work from or replace.
#[derive(Debug, thiserror::Error)]
#[error(
    "unsaved edits in the editor ({}): save or discard them before you {doing}",
    .paths.join(", ")
)]
pub struct UnsavedEdits {
    /// The files with unsaved edits concerned.
    pub paths: Vec<String>,
    /// What was refused ("save a version").
    pub doing: &'static str,
}

impl Coded for UnsavedEdits {
    fn code(&self) -> IpcCode {
        IpcCode::UnsavedEdits
    }
}

/// An open project and what the editor holds for it.
pub struct StudioSession {
    project: Project,
    edits: EditSession,
    /// The render a visual edit was checked with, kept for the preview of the same text that
    /// follows it (the editor applies the edits and asks at once): one render, not three.
    checked: std::sync::Mutex<Option<CheckedRender>>,
    /// The last marked preview given to the app, and its number ([`StudioSession::preview_for`]).
    sent: std::sync::Mutex<SentMarked>,
}

/// The last marked HTML [`StudioSession::preview_for`] gave, numbered.
#[derive(Default)]
struct SentMarked {
    id: u64,
    html: Option<String>,
}

/// A render of the editor's buffers with a visual edit applied, and what it was of.
struct CheckedRender {
    key: u64,
    out: letterpress_engine::RenderOutput,
    marked: Option<letterpress_engine::instrument::MarkedHtml>,
    /// How long its render took (the preview reports it as its engine time).
    took: std::time::Duration,
}

/// What a marked preview of `buffers` for `request` depends on (the disk aside: changes from
/// it clear the kept render).
fn render_key(buffers: &crate::Buffers, request: &PreviewRequest) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        &request.template,
        &request.locale,
        &request.fixture,
        request.text,
    )
        .hash(&mut h);
    let mut files: Vec<(&String, &std::sync::Arc<str>)> = buffers.iter().collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    for (path, text) in files {
        (path, &**text).hash(&mut h);
    }
    h.finish()
}

impl StudioSession {
    /// Opens the project at `root`.
    pub fn open(root: &Path) -> Result<StudioSession, StudioError> {
        Ok(StudioSession {
            project: Project::open(root)?,
            edits: EditSession::new(),
            checked: std::sync::Mutex::new(None),
            sent: std::sync::Mutex::new(SentMarked::default()),
        })
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The project, for use cases that change files (translations).
    pub(crate) fn project_mut(&mut self) -> &mut Project {
        self.forget_checked();
        &mut self.project
    }

    /// What the sidebar and pickers show.
    pub fn snapshot(&self) -> Result<ProjectSnapshot, StudioError> {
        let config = self.project.config();
        let list = |dir: &str| -> Result<Vec<String>, StudioError> {
            Ok(crate::sorted_entries(&self.project.root().join(dir))?
                .into_iter()
                .filter(|n| n.ends_with(".mjml"))
                .map(|n| format!("{dir}/{n}"))
                .collect())
        };
        Ok(ProjectSnapshot {
            root: self.project.root().display().to_string(),
            name: config.name.clone(),
            default_locale: config.default_locale.clone(),
            locales: config
                .locales
                .iter()
                .map(|l| LocaleEntry {
                    tag: l.clone(),
                    dir: LocaleInfo::new(l).dir.to_owned(),
                })
                .collect(),
            templates: self
                .project
                .templates()?
                .into_iter()
                .map(|t| TemplateEntry {
                    id: t.id,
                    description: t.description,
                    fixtures: t.fixtures,
                    overrides: t.overrides,
                    variants: t.variants,
                })
                .collect(),
            layouts: list("layouts")?,
            partials: list("partials")?,
            config_problem: self.project.config_problem().cloned(),
        })
    }

    /// The email of `request` with the unsaved edits (as the preview shows it, without
    /// forced logic or dark mode), ready for a test send; the send itself runs without the
    /// session.
    pub fn prepare_test_send(&self, request: &PreviewRequest) -> crate::send::PreparedSend {
        let render = self
            .project
            .preview(&render_job(request), &self.edits.buffers());
        crate::send::PreparedSend::new(self.project.root(), self.project.config().clone(), render)
    }

    /// Renders the requested email from the editor's buffers (saved or not).
    pub fn preview(&self, request: &PreviewRequest) -> Preview {
        let started = Instant::now();
        let job = render_job(request);
        let mut buffers = self.edits.buffers();
        let mut forced = crate::preview_logic::LogicCopy::default();
        if !request.logic.is_empty() {
            forced = crate::preview_logic::copy(&request.logic, |p| self.current_text(p));
            buffers.extend(std::mem::take(&mut forced.buffers));
        }
        if !request.markers {
            let out = self
                .project
                .preview_shaped(&job, &buffers, request.text, &forced.lists);
            let mut preview = preview_of(out, started);
            preview.forced = forced.said;
            darken(&mut preview, request.dark);
            return preview;
        }
        let kept = self
            .checked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .filter(|c| request.logic.is_empty() && c.key == render_key(&buffers, request));
        let (out, marked, started) = match kept {
            // The render this visual edit was checked with: the same email.
            Some(c) => (
                c.out,
                c.marked,
                started.checked_sub(c.took).unwrap_or(started),
            ),
            None => {
                let (out, marked) =
                    self.project
                        .preview_with_markers(&job, &buffers, request.text, &forced.lists);
                (out, marked, started)
            }
        };
        let mut preview = preview_of(out, started);
        preview.forced = forced.said;
        if marked.is_some() {
            // The same email is in the mapping, markers aside: sent once, not twice.
            preview.html = String::new();
        }
        preview.mapping = marked.map(|m| VisualMapping {
            html: m.html,
            files: m.files,
            names: m.names,
            offsets: m.offsets,
            opaque: m.opaque.into_iter().collect(),
            // Numbered (and made a change of the one shown) by `preview_for`, for the app.
            id: 0,
            delta: None,
        });
        darken(&mut preview, request.dark);
        preview
    }

    /// Drops the render kept from a visual edit's check (the project or disk changed).
    fn forget_checked(&self) {
        *self
            .checked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// The editor's unsaved buffers (what a preview renders over the disk).
    pub(crate) fn buffers(&self) -> crate::Buffers {
        self.edits.buffers()
    }

    /// Opens a project file in the editor.
    pub fn open_document(&mut self, path: &str) -> Result<OpenDocument, StudioError> {
        let doc = self.edits.open(&self.project, path)?;
        Ok(OpenDocument {
            path: doc.path.clone(),
            text: doc.text.clone(),
            dirty: doc.is_dirty(),
        })
    }

    /// The editor's text changed (every keystroke).
    pub fn edit_document(&mut self, path: &str, text: &str) -> Result<(), StudioError> {
        self.edits.edit(path, text)
    }

    /// One keystroke: takes the editor's new text for `path` and renders `request` with it,
    /// so the app needs one round trip per edit instead of two.
    pub fn edit_and_preview(
        &mut self,
        path: &str,
        text: &str,
        request: &PreviewRequest,
        shown: Option<u64>,
    ) -> Result<Preview, StudioError> {
        self.edits.edit(path, text)?;
        Ok(self.preview_for(request, shown))
    }

    /// [`StudioSession::edit_and_preview`] with the editor's text given as a change of the
    /// text held for `path` (the open document's, else the file's); `stale-text`, with
    /// nothing changed, when the change does not fit it.
    pub fn change_and_preview(
        &mut self,
        path: &str,
        change: &letterpress_protocol::DocumentChange,
        request: &PreviewRequest,
        shown: Option<u64>,
    ) -> Result<Preview, StudioError> {
        let held = self.current_text(path)?;
        let text = change
            .apply(&held)
            .ok_or_else(|| StudioError::StaleText(path.to_owned()))?;
        self.edit_and_preview(path, &text, request, shown)
    }

    /// [`StudioSession::preview`] for the app, which shows the marked preview numbered
    /// `shown`: a marked answer is numbered too, and when `shown` is the last one given, its
    /// HTML is only what changed from that one ([`HtmlDelta`]) — a visual edit then sends a
    /// few hundred bytes instead of the whole email.
    pub fn preview_for(&self, request: &PreviewRequest, shown: Option<u64>) -> Preview {
        let mut preview = self.preview(request);
        let Some(mapping) = preview.mapping.as_mut() else {
            return preview;
        };
        let mut sent = self
            .sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let base = sent.html.as_deref().filter(|_| shown == Some(sent.id));
        let whole = match base {
            Some(base) => {
                let (delta, middle) = HtmlDelta::between(sent.id, base, &mapping.html);
                mapping.delta = Some(delta);
                std::mem::replace(&mut mapping.html, middle)
            }
            None => mapping.html.clone(),
        };
        sent.id += 1;
        sent.html = Some(whole);
        mapping.id = sent.id;
        preview
    }

    /// Saves `text` as the document's content: the editor sends what it shows, so a save never
    /// races with keystrokes still on their way.
    pub fn save_text(&mut self, path: &str, text: &str) -> Result<(), SaveError> {
        self.edits.edit(path, text).map_err(SaveError::Io)?;
        self.save_document(path)
    }

    /// Saves a document; a file changed on disk meanwhile is a `save-conflict` error.
    pub fn save_document(&mut self, path: &str) -> Result<(), SaveError> {
        self.edits.save(&self.project, path)?;
        self.project.reload(&[path.to_owned()])?;
        Ok(())
    }

    /// Files with unsaved changes.
    pub fn dirty_paths(&self) -> Vec<String> {
        self.edits.dirty_paths()
    }

    /// Refuses while the editor holds unsaved edits of `paths` (empty: of any file): a
    /// version is made from the files on disk, so an unsaved edit would silently be left out.
    pub fn ensure_saved_for_version(&self, paths: &[String]) -> Result<(), UnsavedEdits> {
        self.refuse_unsaved(
            |p| paths.is_empty() || paths.iter().any(|c| c == p),
            "save a version",
        )
    }

    /// Refuses while the editor holds unsaved edits of `template`'s files: a restore writes
    /// them on disk and would replace the edits.
    pub fn ensure_saved_for_restore(&self, template: &str) -> Result<(), UnsavedEdits> {
        let prefix = format!("templates/{template}/");
        self.refuse_unsaved(|p| p.starts_with(&prefix), "restore a version")
    }

    fn refuse_unsaved(
        &self,
        concerned: impl Fn(&str) -> bool,
        doing: &'static str,
    ) -> Result<(), UnsavedEdits> {
        let paths: Vec<String> = self
            .edits
            .dirty_paths()
            .into_iter()
            .filter(|p| concerned(p))
            .collect();
        if paths.is_empty() {
            Ok(())
        } else {
            Err(UnsavedEdits { paths, doing })
        }
    }

    /// The element of `path` at `offset` (or at `line`:`column` when `offset` is `None`), in
    /// the editor's text when the file is open, else as on disk: where its start tag is, its
    /// breadcrumb, and which templates use the file when it is a layout or partial.
    pub fn locate_element(
        &self,
        path: &str,
        offset: Option<usize>,
        line: u32,
        column: u32,
    ) -> Result<Option<ElementLocation>, StudioError> {
        let text = match self.edits.document(path) {
            Some(d) => d.text.clone(),
            None => crate::edit::read_disk(&self.project, path)?
                .ok_or_else(|| StudioError::NotFound(path.to_owned()))?,
        };
        let offset = match offset {
            Some(o) => o,
            None => match letterpress_protocol::diagnostic::line_offset(&text, line) {
                Some(start) => {
                    let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
                    start
                        + text[start..]
                            .char_indices()
                            .take_while(|(_, c)| *c != '\n')
                            .nth(skip)
                            .map_or_else(
                                || text[start..].find('\n').unwrap_or(text.len() - start),
                                |(i, _)| i,
                            )
                }
                None => return Ok(None),
            },
        };
        self.location_in(path, &text, offset)
    }

    /// The element of `text` (the text of `path`) at `offset`, as [`Self::locate_element`]
    /// answers it.
    fn location_in(
        &self,
        path: &str,
        text: &str,
        offset: usize,
    ) -> Result<Option<ElementLocation>, StudioError> {
        let Some(found) = letterpress_engine::instrument::element_at(text, offset) else {
            return Ok(None);
        };
        let (line, column) = letterpress_protocol::diagnostic::line_col(text, found.start);
        let used_by = if path.starts_with("templates/") {
            Vec::new()
        } else {
            let mut used = self.project.dependents(path)?;
            used.sort();
            used
        };
        Ok(Some(ElementLocation {
            path: path.to_owned(),
            offset: found.start,
            line,
            column,
            breadcrumb: found.path.into_iter().filter(|n| n != "mjml").collect(),
            used_by,
            loops: letterpress_engine::instrument::enclosing_loops(text, found.start),
            frames: letterpress_visual::frames_around(
                &letterpress_visual::SourceTree::parse(text),
                found.start,
            )
            .into_iter()
            .map(|f| letterpress_protocol::LogicFrame {
                label: f.label,
                offset: f.offset,
                members: f.members,
            })
            .collect(),
        }))
    }

    /// The outline tree of `path` (the editor's text when open): body elements and the
    /// Jinja blocks and includes around them.
    pub fn outline(
        &self,
        path: &str,
    ) -> Result<Vec<letterpress_protocol::OutlineNode>, StudioError> {
        use letterpress_protocol::{OutlineKind, OutlineNode};
        use letterpress_visual::OutlineEntryKind;
        let text = self.current_text(path)?;
        let tree = letterpress_visual::SourceTree::parse(&text);
        let opaque = letterpress_engine::instrument::opaque_elements(&text);
        Ok(letterpress_visual::outline(&tree)
            .into_iter()
            .map(|e| {
                let (line, _) = letterpress_protocol::diagnostic::line_col(&text, e.offset);
                let branches = match e.kind {
                    OutlineEntryKind::Condition => branch_labels(&tree, e.offset),
                    _ => Vec::new(),
                };
                let repeatable = e.kind == OutlineEntryKind::Loop
                    && letterpress_visual::loop_data_path(&tree, e.offset).is_some();
                OutlineNode {
                    branches,
                    repeatable,
                    kind: match e.kind {
                        OutlineEntryKind::Element => OutlineKind::Element,
                        OutlineEntryKind::Condition => OutlineKind::Condition,
                        OutlineEntryKind::Loop => OutlineKind::Loop,
                        OutlineEntryKind::Block => OutlineKind::Block,
                        OutlineEntryKind::Include => OutlineKind::Include,
                    },
                    opaque: e.opaque || opaque.contains(&e.offset),
                    label: e.label,
                    excerpt: e.excerpt,
                    offset: e.offset,
                    line,
                    depth: u32::try_from(e.depth).unwrap_or(u32::MAX),
                }
            })
            .collect())
    }

    /// The source of the element of `path` at `offset` as written, its continuation lines
    /// dedented by its own line's indentation (so it can be placed at any depth).
    fn element_source(
        &self,
        path: &str,
        offset: usize,
    ) -> Result<
        (
            letterpress_visual::SourceTree,
            letterpress_visual::NodeId,
            String,
        ),
        StudioError,
    > {
        let (tree, id) = self.element_starting_at(path, offset)?;
        let text = tree.source();
        if letterpress_engine::instrument::opaque_elements(text).contains(&offset) {
            return Err(StudioError::Refused(
                "Jinja decides where this element is: edit it in code".into(),
            ));
        }
        let span = tree.node(id).map(|n| n.span).unwrap_or_default();
        let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let indent = &text[line_start..span.start];
        let indent = if indent.trim().is_empty() { indent } else { "" };
        let slice = &text[span.range()];
        let dedented: Vec<&str> = slice
            .split('\n')
            .enumerate()
            .map(|(i, line)| {
                if i == 0 {
                    line
                } else {
                    line.strip_prefix(indent).unwrap_or(line)
                }
            })
            .collect();
        let source = dedented.join("\n");
        Ok((tree, id, source))
    }

    /// Saves the element of `path` at `offset` as `blocks/<name>.mjml`, a new file (written
    /// atomically, confined to the project); answers the library with it.
    pub fn save_block(
        &self,
        path: &str,
        offset: usize,
        name: &str,
    ) -> Result<Vec<letterpress_protocol::LibraryBlock>, StudioError> {
        crate::templates::check_template_id(name)?;
        let (_, _, source) = self.element_source(path, offset)?;
        let file = format!("blocks/{name}.mjml");
        self.write_new_file(&file, &format!("{source}\n"))?;
        Ok(self.block_library())
    }

    /// Moves the element of `path` at `offset` into a new `partials/<name>.mjml` and gives
    /// the edits that leave `{% include "partials/<name>.mjml" %}` in its place. Refused when
    /// the email of `request` would render differently (or the file exists); the partial is
    /// written only then.
    pub fn make_partial(
        &self,
        path: &str,
        offset: usize,
        name: &str,
        request: &PreviewRequest,
    ) -> Result<StructureEdit, StudioError> {
        crate::templates::check_template_id(name)?;
        let (tree, id, source) = self.element_source(path, offset)?;
        let text = tree.source();
        let partial = format!("partials/{name}.mjml");
        if self.project.root().join(&partial).exists() {
            return Err(StudioError::Refused(format!("{partial} exists already")));
        }
        let span = tree.node(id).map(|n| n.span).unwrap_or_default();
        let include = format!("{{% include \"{partial}\" %}}");
        let new_text = format!("{}{include}{}", &text[..span.start], &text[span.end..]);
        let job = render_job(request);
        let before = self
            .project
            .preview_with(&job, &self.edits.buffers(), false);
        let mut buffers = self.edits.buffers();
        buffers.insert(path.to_owned(), std::sync::Arc::from(new_text.as_str()));
        buffers.insert(
            partial.clone(),
            std::sync::Arc::from(format!("{source}\n").as_str()),
        );
        let after = self.project.preview_with(&job, &buffers, false);
        if !before.is_ok() || !after.is_ok() || before.html != after.html {
            return Err(StudioError::Refused(format!(
                "the email would not render the same with {partial}; nothing was changed"
            )));
        }
        self.write_new_file(&partial, &format!("{source}\n"))?;
        let select = self.location_in(path, &new_text, span.start)?;
        Ok(StructureEdit {
            edits: vec![editor_edit(path, text, span.range(), include)],
            select,
        })
    }

    /// Writes a new project file (refused when it exists), atomically and confined.
    fn write_new_file(&self, path: &str, text: &str) -> Result<(), StudioError> {
        let root = self.project.root();
        let target = crate::disk::confined_write_target(root, path)
            .map_err(|e| StudioError::Refused(e.to_string()))?;
        if target.exists() {
            return Err(StudioError::Refused(format!("{path} exists already")));
        }
        crate::fsx::write_atomic(&target, text.as_bytes()).map_err(crate::io_error(&target))
    }

    /// The block library: MJML basics and the project's `blocks/*.mjml`.
    pub fn block_library(&self) -> Vec<letterpress_protocol::LibraryBlock> {
        crate::blocks::library(&self.project)
    }

    /// Changes the structure around the element of `path` at `offset` (see
    /// [`StructureAction`]) as the editor applies it, one undo step, with the element to
    /// select afterwards. Refused when Jinja decides the element, the change would cross a
    /// Jinja block or break MJML's content model, or the email of `request` would gain an
    /// error (its message is given).
    pub fn structure_edit(
        &self,
        path: &str,
        offset: usize,
        action: &StructureAction,
        request: &PreviewRequest,
    ) -> Result<StructureEdit, StudioError> {
        use letterpress_visual as visual;
        let (tree, id) = self.element_starting_at(path, offset)?;
        let text = tree.source();
        if letterpress_engine::instrument::opaque_elements(text).contains(&offset) {
            return Err(StudioError::Refused(
                "Jinja decides where this element is (its blocks cross elements): edit it in code"
                    .into(),
            ));
        }
        let refused = |e: visual::EditError| StudioError::Refused(e.to_string());
        // Which edit places the element to select (`None`: the element itself, shifted).
        let (edits, selects): (Vec<visual::TextEdit>, Selects) = match action {
            StructureAction::Delete => (
                visual::delete(&tree, text, id).map_err(refused)?,
                Selects::Nothing,
            ),
            StructureAction::Duplicate => (
                visual::duplicate(&tree, text, id).map_err(refused)?,
                Selects::Placed,
            ),
            StructureAction::MoveUp => (
                visual::move_by_one(&tree, text, id, visual::Direction::Up).map_err(refused)?,
                Selects::Placed,
            ),
            StructureAction::MoveDown => (
                visual::move_by_one(&tree, text, id, visual::Direction::Down).map_err(refused)?,
                Selects::Placed,
            ),
            StructureAction::WrapInCondition { condition } => {
                let condition = one_line(condition, "condition")?;
                let open = format!("{{% if {condition} %}}");
                (
                    visual::wrap(&tree, text, id, id, &open).map_err(refused)?,
                    Selects::Itself,
                )
            }
            StructureAction::RepeatForEach { item, list } => {
                let item = item.trim();
                let valid = item
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && item.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid {
                    return Err(StudioError::Refused(format!(
                        "`{item}` is not a name for each item (letters, digits, _)"
                    )));
                }
                let list = one_line(list, "list")?;
                let open = format!("{{% for {item} in {list} %}}");
                (
                    visual::wrap(&tree, text, id, id, &open).map_err(refused)?,
                    Selects::Itself,
                )
            }
            StructureAction::Unwrap => {
                let span = tree.node(id).map(|n| n.span).unwrap_or_default();
                let region = tree
                    .regions()
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| {
                        r.well_formed
                            && matches!(r.keyword.as_str(), "if" | "for")
                            && r.span.start <= span.start
                            && span.end <= r.span.end
                    })
                    .min_by_key(|(_, r)| r.span.len())
                    .map(|(i, _)| i)
                    .ok_or_else(|| {
                        StudioError::Refused(
                            "no `{% if %}` or `{% for %}` around this element".into(),
                        )
                    })?;
                (
                    visual::unwrap(&tree, text, region).map_err(refused)?,
                    Selects::Itself,
                )
            }
            StructureAction::InsertBlock { mjml } => {
                let name = tree.element(id).map(|e| e.name.clone()).unwrap_or_default();
                let top = visual::SourceTree::parse(mjml);
                let top_name = top
                    .elements()
                    .next()
                    .and_then(|e| top.element(e))
                    .map(|e| e.name.clone())
                    .unwrap_or_default();
                // Into the selection when the block fits there, else after the nearest
                // element whose parent takes it (a section after the text's section).
                let accepts = |parent: visual::NodeId| match tree.element(parent) {
                    Some(e) => visual::fits_in(&e.name, &top_name),
                    None => tree.node(parent).is_some_and(|d| {
                        d.children
                            .iter()
                            .any(|&c| tree.element(c).is_some_and(|e| e.name == top_name))
                    }),
                };
                let mut place = None;
                if visual::fits_in(&name, &top_name) {
                    place = Some(visual::Place::End(id));
                }
                let mut at = id;
                while place.is_none() {
                    let Some(parent) = tree.node(at).and_then(|n| n.parent) else {
                        break;
                    };
                    if accepts(parent) {
                        place = Some(visual::Place::After(at));
                    }
                    at = parent;
                }
                let place = place.ok_or_else(|| {
                    StudioError::Refused(format!(
                        "`{top_name}` fits nowhere around the selected `{name}`"
                    ))
                })?;
                (
                    visual::insert(&tree, text, place, mjml).map_err(refused)?,
                    Selects::Placed,
                )
            }
        };
        self.finish_structure_edit(path, text, offset, edits, selects, request)
    }

    /// The answer to a structure edit of `text` (the editor's text of `path`): the checked
    /// `edits` and the element to select after them (`offset`: the one acted on).
    fn finish_structure_edit(
        &self,
        path: &str,
        text: &str,
        offset: usize,
        edits: Vec<letterpress_visual::TextEdit>,
        selects: Selects,
        request: &PreviewRequest,
    ) -> Result<StructureEdit, StudioError> {
        if edits.is_empty() {
            return Ok(StructureEdit {
                edits: Vec::new(),
                select: self.location_in(path, text, offset)?,
            });
        }
        let (new_text, editor_edits) =
            self.checked_edits(path, text, &edits, request, "this change")?;
        let new_offset = match selects {
            Selects::Nothing => None,
            Selects::Itself => Some(shifted(&edits, offset)),
            Selects::Placed => placed_start(&edits),
        };
        let select = match new_offset {
            Some(at) => self.location_in(path, &new_text, at)?,
            None => None,
        };
        Ok(StructureEdit {
            edits: editor_edits,
            select,
        })
    }

    /// The images the preview shows in place of production URLs: for every `[assets]`
    /// prefix of letterpress.toml, each image file under its folder as a `data:` URI, keyed
    /// by its production URL. Read through the confined reader; a file over 2 MiB, or
    /// beyond 32 MiB in all, is left out (the preview shows it as missing).
    pub fn preview_assets(&self) -> BTreeMap<String, String> {
        use base64::Engine as _;
        const FILE_LIMIT: u64 = 2 * 1024 * 1024;
        const TOTAL_LIMIT: usize = 32 * 1024 * 1024;
        let root = self.project.root();
        let mut out = BTreeMap::new();
        let mut total = 0usize;
        for (prefix, dir) in &self.project.config().assets {
            let mut folders = vec![String::new()];
            while let Some(sub) = folders.pop() {
                let here = if sub.is_empty() {
                    dir.clone()
                } else {
                    format!("{dir}/{sub}")
                };
                let Ok(names) = crate::disk::list_confined(root, &here) else {
                    continue;
                };
                for name in names {
                    let rel = if sub.is_empty() {
                        name.clone()
                    } else {
                        format!("{sub}/{name}")
                    };
                    let path = format!("{here}/{name}");
                    let Some(mime) = image_mime(&name) else {
                        if root.join(&path).is_dir() && folders.len() < 256 {
                            folders.push(rel);
                        }
                        continue;
                    };
                    if let Ok(Some(bytes)) = crate::disk::read_confined(root, &path, FILE_LIMIT) {
                        let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
                        total += encoded.len();
                        if total > TOTAL_LIMIT {
                            return out;
                        }
                        out.insert(
                            format!("{prefix}{rel}"),
                            format!("data:{mime};base64,{encoded}"),
                        );
                    }
                }
            }
        }
        out
    }

    /// The editor's text of `path` when open, else the file on disk.
    fn current_text(&self, path: &str) -> Result<String, StudioError> {
        match self.edits.document(path) {
            Some(d) => Ok(d.text.clone()),
            None => crate::edit::read_disk(&self.project, path)?
                .ok_or_else(|| StudioError::NotFound(path.to_owned())),
        }
    }

    /// The property panel of the element of `path` at `offset`: every attribute MJML
    /// defines for it (its own first), with the effective value as the email of `request`
    /// inherits it (`mj-class`, `mj-attributes`, `mj-all`) and where it comes from.
    pub fn element_properties(
        &self,
        path: &str,
        offset: usize,
        request: &PreviewRequest,
    ) -> Result<ElementProperties, StudioError> {
        use letterpress_engine::properties::{HeadAttributes, Origin, start_tag_at};
        let text = self.current_text(path)?;
        let tag = start_tag_at(&text, offset)
            .ok_or_else(|| StudioError::NotFound(format!("no element at {path}:{offset}")))?;
        let rendered =
            self.project
                .preview_with(&render_job(request), &self.edits.buffers(), false);
        let head = HeadAttributes::of(&rendered.mjml);
        let own: BTreeMap<String, String> = tag
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value.clone()))
            .collect();
        let mut names: Vec<String> = tag.attributes.iter().map(|a| a.name.clone()).collect();
        let mut defined: Vec<String> = letterpress_engine::mjml::schema()
            .get(tag.name.as_str())
            .cloned()
            .flatten()
            .unwrap_or_default()
            .into_iter()
            .chain(["css-class", "mj-class"])
            .map(str::to_owned)
            .filter(|n| !names.contains(n))
            .collect();
        defined.sort();
        defined.dedup();
        names.extend(defined);
        let brand = &self.project.config().brand;
        let properties = names
            .into_iter()
            .map(|name| {
                let (value, origin) = head.effective(&tag.name, &own, &name);
                Property {
                    choices: brand
                        .choices(&name)
                        .map(<[String]>::to_vec)
                        .unwrap_or_default(),
                    kind: property_kind(&name),
                    jinja: tag.attribute(&name).is_some_and(|a| a.has_jinja),
                    origin: match origin {
                        Origin::Own => "own".to_owned(),
                        Origin::Class(c) => format!("mj-class {c}"),
                        Origin::Tag => "mj-attributes".to_owned(),
                        Origin::All => "mj-all".to_owned(),
                        Origin::Default => "default".to_owned(),
                    },
                    value,
                    name,
                }
            })
            .collect();
        Ok(ElementProperties {
            path: path.to_owned(),
            offset,
            element: tag.name,
            templated: tag.templated
                || letterpress_engine::instrument::opaque_elements(&text).contains(&offset),
            properties,
        })
    }

    /// The minimal edits of `path` that set attribute `name` of the element at `offset` to
    /// `value` (`None`: remove the element's own, so the inherited value applies), as the
    /// editor applies them (one undo step). Refused when Jinja decides the element or the
    /// attribute, or the email of `request` would gain an error; empty: nothing to change.
    pub fn property_edit(
        &self,
        path: &str,
        offset: usize,
        name: &str,
        value: Option<&str>,
        request: &PreviewRequest,
    ) -> Result<Vec<EditorEdit>, StudioError> {
        use letterpress_visual::{EditError, remove_attribute, set_attribute};
        if let (Some(v), Some(choices)) = (value, self.project.config().brand.choices(name))
            && !choices.iter().any(|c| c.eq_ignore_ascii_case(v.trim()))
        {
            let what = if name == "font-family" {
                "the brand fonts"
            } else {
                "the brand palette"
            };
            return Err(StudioError::Refused(format!(
                "`{name}` is locked to {what} ([brand] of letterpress.toml): `{v}` is not one of them ({})",
                choices.join(", ")
            )));
        }
        let (tree, id) = self.element_starting_at(path, offset)?;
        let text = tree.source();
        if letterpress_engine::instrument::opaque_elements(text).contains(&offset) {
            return Err(StudioError::Refused(
                "Jinja decides where this element is (its blocks cross elements): edit it in code"
                    .into(),
            ));
        }
        let edits = match value {
            Some(v) => set_attribute(&tree, text, id, name, v),
            None => match remove_attribute(&tree, text, id, name) {
                Err(EditError::AttributeNotFound { .. }) => Ok(Vec::new()),
                other => other,
            },
        }
        .map_err(|e| StudioError::Refused(e.to_string()))?;
        if edits.is_empty() {
            return Ok(Vec::new());
        }
        let what = format!("`{name}` = {value:?}");
        Ok(self.checked_edits(path, text, &edits, request, &what)?.1)
    }

    /// Replaces the condition of branch `branch` (0: the `if`) of the `{% if %}` whose tag
    /// starts at `offset` in `path` with `condition`: one edit of the condition's bytes,
    /// checked like every visual edit (a condition that does not parse adds an error to the
    /// email and is refused).
    pub fn condition_edit(
        &self,
        path: &str,
        offset: usize,
        branch: u32,
        condition: &str,
        request: &PreviewRequest,
    ) -> Result<Vec<EditorEdit>, StudioError> {
        let condition = one_line(condition, "condition")?;
        let text = self.current_text(path)?;
        let tree = letterpress_visual::SourceTree::parse(&text);
        let branch = usize::try_from(branch).unwrap_or(usize::MAX);
        let edits = letterpress_visual::set_condition(&tree, offset, branch, condition)
            .map_err(|e| StudioError::Refused(e.to_string()))?;
        let (_, editor_edits) =
            self.checked_edits(path, &text, &edits, request, "this condition")?;
        Ok(editor_edits)
    }

    /// The text `edits` make of `text` (the editor's text of `path`) and the edits in the
    /// editor's coordinates; refused, naming the error and `what` was asked, when the email
    /// of `request` would have more errors with it. Every visual edit passes here.
    fn checked_edits(
        &self,
        path: &str,
        text: &str,
        edits: &[letterpress_visual::TextEdit],
        request: &PreviewRequest,
        what: &str,
    ) -> Result<(String, Vec<EditorEdit>), StudioError> {
        let new_text = letterpress_visual::apply(text, edits)
            .map_err(|e| StudioError::Refused(e.to_string()))?;
        if let Some(error) = self.new_error(path, &new_text, request) {
            return Err(StudioError::Refused(format!(
                "{what} would add an error to the email ({error}); nothing was changed"
            )));
        }
        let editor_edits = edits
            .iter()
            .map(|e| editor_edit(path, text, e.range.clone(), e.insert.clone()))
            .collect();
        Ok((new_text, editor_edits))
    }

    /// The first error of the email of `request` with `path` reading `new_text`, when that
    /// email has more errors than with the editor's text now.
    fn new_error(&self, path: &str, new_text: &str, request: &PreviewRequest) -> Option<String> {
        let job = render_job(request);
        let buffers = self.edits.buffers();
        let errors = |buffers: &crate::Buffers| {
            self.project
                .preview_with(&job, buffers, false)
                .diagnostics
                .into_iter()
                .filter(|d| d.is_error())
                .collect::<Vec<_>>()
        };
        let mut edited = buffers.clone();
        edited.insert(path.to_owned(), std::sync::Arc::from(new_text));
        // Usually the edited email has no error: one render decides. For the editor's marked
        // preview, it is that preview's render, kept for the request that follows.
        let after = if request.markers && request.logic.is_empty() {
            let started = Instant::now();
            let (out, marked) = self.project.preview_with_markers(
                &job,
                &edited,
                request.text,
                &crate::ListCounts::default(),
            );
            let errors: Vec<_> = out
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .cloned()
                .collect();
            *self
                .checked
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(CheckedRender {
                key: render_key(&edited, request),
                out,
                marked,
                took: started.elapsed(),
            });
            errors
        } else {
            errors(&edited)
        };
        if after.is_empty() || after.len() <= errors(&buffers).len() {
            return None;
        }
        after.into_iter().next().map(|d| match &d.location {
            Some(at) => format!("{at}: {}", d.message),
            None => d.message,
        })
    }

    /// The element of `path` whose start tag begins at `offset`, in the editor's text.
    fn element_starting_at(
        &self,
        path: &str,
        offset: usize,
    ) -> Result<(letterpress_visual::SourceTree, letterpress_visual::NodeId), StudioError> {
        let text = self.current_text(path)?;
        let tree = letterpress_visual::SourceTree::parse(&text);
        let id = tree
            .element_at(offset)
            .filter(|&id| {
                tree.element(id)
                    .is_some_and(|e| e.start_tag.start == offset)
            })
            .ok_or_else(|| StudioError::NotFound(format!("no element at {path}:{offset}")))?;
        Ok((tree, id))
    }

    /// The text of the element of `path` at `offset` as the reader sees it: whitespace runs
    /// as one space, the edges trimmed, Jinja tokens as chips with their source.
    pub fn inline_text(&self, path: &str, offset: usize) -> Result<InlineText, StudioError> {
        use letterpress_visual::VisiblePiece;
        let (tree, id) = self.element_starting_at(path, offset)?;
        let visible = letterpress_visual::visible_text(&tree, id)
            .map_err(|e| StudioError::Refused(e.to_string()))?;
        let pieces = visible
            .pieces
            .into_iter()
            .map(|piece| match piece {
                VisiblePiece::Text(text) => InlinePiece::Text { text },
                VisiblePiece::Chip(chip) => InlinePiece::Chip {
                    id: chip.0,
                    code: tree
                        .node(chip)
                        .map(|n| tree.slice(n.span).to_owned())
                        .unwrap_or_default(),
                },
            })
            .collect();
        let (line, column) = letterpress_protocol::diagnostic::line_col(tree.source(), offset);
        Ok(InlineText {
            path: path.to_owned(),
            offset,
            line,
            column,
            element: tree.element(id).map(|e| e.name.clone()).unwrap_or_default(),
            pieces,
        })
    }

    /// The edits that make the element of `path` at `offset` read `pieces`: only changed
    /// literal stretches are written; chips keep their bytes or are left out. Refused when a
    /// chip is not where it was (the text changed meanwhile) or the email of `request` would
    /// gain an error. Empty: nothing changed.
    pub fn inline_text_edit(
        &self,
        path: &str,
        offset: usize,
        pieces: &[InlinePiece],
        request: &PreviewRequest,
    ) -> Result<Vec<EditorEdit>, StudioError> {
        use letterpress_visual::{NodeId, VisiblePiece};
        let (tree, id) = self.element_starting_at(path, offset)?;
        let text = tree.source();
        let mut visible = Vec::with_capacity(pieces.len());
        for piece in pieces {
            visible.push(match piece {
                InlinePiece::Text { text } => VisiblePiece::Text(text.clone()),
                InlinePiece::Chip { id, code } => {
                    let same = tree
                        .node(NodeId(*id))
                        .is_some_and(|n| tree.slice(n.span) == code.as_str());
                    if !same {
                        return Err(StudioError::Refused(format!(
                            "`{code}` is no longer where it was (the text changed): double-click the text again"
                        )));
                    }
                    VisiblePiece::Chip(NodeId(*id))
                }
            });
        }
        let edits = letterpress_visual::set_visible_text(&tree, text, id, &visible)
            .map_err(|e| StudioError::Refused(e.to_string()))?;
        if edits.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .checked_edits(path, text, &edits, request, "this text")?
            .1)
    }

    /// Both sides of a conflict on `path`, for "compare".
    pub fn conflict_sides(&self, path: &str) -> Result<ConflictSides, StudioError> {
        let (mine, theirs) = self.edits.conflict_sides(&self.project, path)?;
        Ok(ConflictSides {
            path: path.to_owned(),
            mine,
            theirs,
        })
    }

    /// Resolves a conflict on `path`; returns the document as it now stands.
    pub fn resolve_conflict(
        &mut self,
        path: &str,
        resolution: Resolution,
    ) -> Result<Option<OpenDocument>, StudioError> {
        match resolution {
            Resolution::KeepMine => self.edits.keep_mine(&self.project, path)?,
            Resolution::TakeTheirs => self.edits.take_theirs(&self.project, path)?,
        }
        Ok(self.edits.document(path).map(|d| OpenDocument {
            path: d.path.clone(),
            text: d.text.clone(),
            dirty: d.is_dirty(),
        }))
    }

    /// Applies changes seen by the watcher; returns what the UI must be told.
    pub fn apply_changes(&mut self, changes: &[Change]) -> Vec<FileEvent> {
        self.forget_checked();
        let rescan = changes.iter().any(|c| matches!(c, Change::Rescan));
        let paths: Vec<String> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Modified(p) | Change::Removed(p) => Some(p.clone()),
                Change::Rescan => None,
            })
            .collect();
        let mut events = Vec::new();
        // A configuration that no longer loads keeps the last good one; the rest of the
        // batch is still taken in.
        if let Err(e) = self.project.reload(if rescan { &[] } else { &paths }) {
            events.push(FileEvent::ConfigInvalid {
                diagnostic: crate::config_diagnostic(&e),
            });
        }
        for path in &paths {
            match self.edits.on_disk_change(&self.project, path) {
                Ok(Some(crate::ExternalChange::Reloaded { path })) => {
                    let text = self
                        .edits
                        .document(&path)
                        .map(|d| d.text.clone())
                        .unwrap_or_default();
                    events.push(FileEvent::Reloaded { path, text });
                }
                Ok(Some(crate::ExternalChange::Conflict { path, theirs, .. })) => {
                    events.push(FileEvent::Conflict { path, theirs });
                }
                Ok(Some(crate::ExternalChange::Closed { path })) => {
                    events.push(FileEvent::Closed { path })
                }
                Ok(None) => {}
                Err(e) => events.push(FileEvent::Unreadable {
                    path: path.clone(),
                    code: e.code(),
                    message: e.to_string(),
                }),
            }
        }
        events.push(FileEvent::ProjectChanged);
        events
    }

    /// Refuses to touch a template whose files have unsaved edits, and closes its documents.
    fn release_template(&mut self, id: &str, doing: &'static str) -> Result<(), StudioError> {
        let prefix = format!("templates/{id}/");
        self.refuse_unsaved(|p| p.starts_with(&prefix), doing)?;
        self.edits.close_under(&prefix);
        Ok(())
    }

    /// Creates a template from the starter; returns the new snapshot.
    pub fn create_template(&mut self, id: &str) -> Result<ProjectSnapshot, StudioError> {
        self.project.create_template(id)?;
        self.project.reload(&[])?;
        self.snapshot()
    }

    /// A new fixture `to` for `template`, copied from fixture `from` as the editor holds it
    /// (unsaved edits included). Returns the new snapshot and the new fixture's path.
    pub fn duplicate_fixture(
        &mut self,
        template: &str,
        from: &str,
        to: &str,
    ) -> Result<(ProjectSnapshot, String), StudioError> {
        let source = format!("templates/{template}/fixtures/{from}.json");
        let text = match self.edits.document(&source) {
            Some(doc) => doc.text.clone(),
            None => crate::edit::read_disk(&self.project, &source)?
                .ok_or_else(|| StudioError::NotFound(format!("no fixture `{source}`")))?,
        };
        let path = self.project.create_fixture(template, to, &text)?;
        self.project.reload(&[])?;
        Ok((self.snapshot()?, path))
    }

    /// Copies a template under a new name.
    pub fn duplicate_template(
        &mut self,
        from: &str,
        to: &str,
    ) -> Result<ProjectSnapshot, StudioError> {
        self.project.duplicate_template(from, to)?;
        self.project.reload(&[])?;
        self.snapshot()
    }

    /// Renames a template (its open, saved documents are closed).
    pub fn rename_template(
        &mut self,
        from: &str,
        to: &str,
    ) -> Result<ProjectSnapshot, StudioError> {
        self.release_template(from, "rename the template")?;
        self.project.rename_template(from, to)?;
        self.project.reload(&[])?;
        self.snapshot()
    }

    /// Deletes a template (after the UI's confirmation).
    pub fn delete_template(&mut self, id: &str) -> Result<ProjectSnapshot, StudioError> {
        self.release_template(id, "delete the template")?;
        self.project.delete_template(id)?;
        self.project.reload(&[])?;
        self.snapshot()
    }

    /// MJML elements and their attributes, for editor completion.
    pub fn mjml_schema() -> BTreeMap<String, Option<Vec<String>>> {
        letterpress_engine::mjml::schema()
            .into_iter()
            .map(|(k, v)| {
                (
                    k.to_owned(),
                    v.map(|a| a.into_iter().map(str::to_owned).collect()),
                )
            })
            .collect()
    }
}

/// The MIME type of an image file the preview may show, by its extension.
fn image_mime(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// Which element a structure edit selects afterwards.
enum Selects {
    /// None (it was deleted).
    Nothing,
    /// The element itself, where the edits shift it.
    Itself,
    /// The one the inserting edit places (copied, moved or inserted).
    Placed,
}

/// `offset` of the original text in the text `edits` make (edits before it shift it).
fn shifted(edits: &[letterpress_visual::TextEdit], offset: usize) -> usize {
    let mut at = offset as isize;
    for e in edits.iter().filter(|e| e.range.end <= offset) {
        at += e.insert.len() as isize - e.range.len() as isize;
    }
    usize::try_from(at).unwrap_or(0)
}

/// Where the first element the inserting edit writes starts, in the text `edits` make.
fn placed_start(edits: &[letterpress_visual::TextEdit]) -> Option<usize> {
    let mut sorted: Vec<&letterpress_visual::TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut delta: isize = 0;
    for e in sorted {
        if !e.insert.is_empty() {
            let lead = e.insert.len() - e.insert.trim_start().len();
            let start = e.range.start as isize + delta + lead as isize;
            return usize::try_from(start).ok();
        }
        delta += e.insert.len() as isize - e.range.len() as isize;
    }
    None
}

/// The preview as clients of `dark` show it (its markers kept), with what that means.
fn darken(preview: &mut Preview, dark: Option<letterpress_protocol::DarkMode>) {
    use letterpress_engine::dark::{DarkProfile, dark_copy};
    let Some(dark) = dark else { return };
    let profile = match dark {
        letterpress_protocol::DarkMode::PrefersColorScheme => DarkProfile::PrefersColorScheme,
        letterpress_protocol::DarkMode::Inverting => DarkProfile::Inverting,
    };
    let mut note = None;
    if !preview.html.is_empty() {
        let copy = dark_copy(&preview.html, profile);
        preview.html = copy.html;
        note = Some(copy.note);
    }
    if let Some(mapping) = &mut preview.mapping {
        let copy = dark_copy(&mapping.html, profile);
        mapping.html = copy.html;
        note = Some(copy.note);
    }
    preview.appearance = note;
}

/// The branch switcher's entries of the `{% if %}` at `offset`: each branch as written, and
/// "none of them" when there is no `else` (forcing every condition false).
fn branch_labels(tree: &letterpress_visual::SourceTree, offset: usize) -> Vec<String> {
    let Ok(branches) = letterpress_visual::branches(tree, offset) else {
        return Vec::new();
    };
    let mut labels: Vec<String> = branches
        .iter()
        .map(|b| {
            if b.condition.is_empty() {
                b.keyword.clone()
            } else {
                format!("{} {}", b.keyword, b.condition)
            }
        })
        .collect();
    if branches.iter().all(|b| b.keyword != "else") {
        labels.push("none of them".to_owned());
    }
    labels
}

/// A one-line Jinja expression typed by the user (`{%`/`%}` inside would end the tag).
fn one_line<'a>(expression: &'a str, what: &str) -> Result<&'a str, StudioError> {
    let expression = expression.trim();
    if expression.is_empty() || expression.contains(['\n', '\r']) {
        return Err(StudioError::Refused(format!(
            "the {what} is empty or spans lines"
        )));
    }
    if ["{%", "%}", "{{", "}}", "{#", "#}"]
        .iter()
        .any(|t| expression.contains(t))
    {
        return Err(StudioError::Refused(format!(
            "write the {what} without `{{% %}}` or `{{{{ }}}}`"
        )));
    }
    Ok(expression)
}

/// A byte-range edit of `text` in the editor's coordinates.
fn editor_edit(
    path: &str,
    text: &str,
    range: std::ops::Range<usize>,
    insert: String,
) -> EditorEdit {
    let (from_line, from_column) = letterpress_protocol::diagnostic::line_col(text, range.start);
    let (to_line, to_column) = letterpress_protocol::diagnostic::line_col(text, range.end);
    EditorEdit {
        path: path.to_owned(),
        from_line,
        from_column,
        to_line,
        to_column,
        insert,
    }
}

/// The input the property panel shows for attribute `name`.
fn property_kind(name: &str) -> PropertyKind {
    if name.ends_with("color") {
        PropertyKind::Color
    } else if name == "align" || name.ends_with("-align") {
        PropertyKind::Align
    } else if matches!(name, "src" | "background-url") {
        PropertyKind::Image
    } else if matches!(name, "href" | "srcset") || name.ends_with("-url") {
        PropertyKind::Url
    } else if name.contains("padding")
        || name.contains("width")
        || name.contains("height")
        || name.ends_with("size")
        || name.ends_with("radius")
        || name.ends_with("spacing")
    {
        PropertyKind::Length
    } else {
        PropertyKind::Text
    }
}

/// The render job a preview request names.
pub(crate) fn render_job(request: &PreviewRequest) -> RenderJob {
    RenderJob {
        template: request.template.clone(),
        locale: request.locale.clone(),
        fixture: request.fixture.clone(),
        variant: request.variant.clone(),
    }
}

/// A render as the app shows it; `started` is when the render began (engine time).
pub(crate) fn preview_of(out: letterpress_engine::RenderOutput, started: Instant) -> Preview {
    Preview {
        engine_micros: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        dir: out.locale.as_ref().map_or("ltr", |l| l.dir).to_owned(),
        html: out.html,
        text: out.text,
        subject: out.subject,
        preheader: out.preheader,
        diagnostics: out.diagnostics,
        mapping: None,
        forced: Vec::new(),
        appearance: None,
    }
}
