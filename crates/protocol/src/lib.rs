//! What crosses IPC between the Tauri shell and the Leptos UI. Compiled for native and wasm;
//! both sides agree through these types, never through hand-written JSON.

pub mod commands;
pub mod diagnostic;
mod error;
pub mod history;
pub mod locales;
pub mod send;
pub mod sync;

pub mod names;
pub use commands::{Answer, Command, Event};
pub use diagnostic::{Code, Diagnostic, Location, Severity};
pub use error::{Coded, IpcCode, IpcError};
pub use history::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A locale of the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocaleEntry {
    /// BCP 47 tag.
    pub tag: String,
    /// `ltr` or `rtl`.
    pub dir: String,
}

/// A template in the sidebar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateEntry {
    /// Folder name under `templates/`.
    pub id: String,
    /// What it is for.
    pub description: String,
    /// Fixture names (`default` first).
    pub fixtures: Vec<String>,
    /// Locales with a per-locale body override.
    pub overrides: Vec<String>,
    /// Its A/B variants, the template itself (`a`) first; empty when it has none.
    #[serde(default)]
    pub variants: Vec<VariantEntry>,
}

/// The user's preferences (Preferences…), stored on this computer, not in a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// Who versions are saved as (empty: not set; git's configuration is used then).
    pub author_name: String,
    /// Their email (empty: not set).
    pub author_email: String,
    /// The code editor's font size in CSS pixels, [`EDITOR_FONT_SIZES`].
    pub editor_font_size: u32,
}

/// The editor font sizes Preferences accepts (CSS pixels), the default first.
pub const EDITOR_FONT_SIZES: [u32; 8] = [13, 11, 12, 14, 15, 16, 18, 20];

/// One A/B variant of a template (`[variants.<name>]` in its template.toml).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VariantEntry {
    /// `a` (the template itself), `b`...
    pub name: String,
    /// Its weight among the template's variants (0: paused).
    pub weight: u32,
    /// The share of recipients the sender gives it, in per mille of all (rounded).
    pub per_mille: u32,
    /// Its own body file (project-relative), when it has one.
    pub body: Option<String>,
    /// What it changes of the template: `body`, `subject`, `preheader` (none for `a`).
    pub changes: Vec<String>,
}

/// The open project, as the sidebar and pickers need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSnapshot {
    /// Project folder.
    pub root: String,
    /// Display name.
    pub name: String,
    /// The source locale.
    pub default_locale: String,
    /// All locales, default first.
    pub locales: Vec<LocaleEntry>,
    /// Templates, sorted.
    pub templates: Vec<TemplateEntry>,
    /// `layouts/*.mjml`, project-relative.
    pub layouts: Vec<String>,
    /// `partials/*.mjml`, project-relative.
    pub partials: Vec<String>,
    /// Why `letterpress.toml` or a catalog on disk no longer loads, while the last good
    /// configuration is in use.
    #[serde(default)]
    pub config_problem: Option<Diagnostic>,
}

/// Which email to preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRequest {
    /// Template id.
    pub template: String,
    /// Locale tag.
    pub locale: String,
    /// Fixture name.
    pub fixture: String,
    /// Whether the text part is wanted (the app asks for it only while it is shown; deriving
    /// it from the HTML is about half of a render). Absent: yes.
    #[serde(default = "yes")]
    pub text: bool,
    /// Whether the preview should also come with the markers of the visual mapping (the
    /// editor's preview asks for them). Absent: no.
    #[serde(default)]
    pub markers: bool,
    /// Preview-only changes of the template's logic: forced branches, loop item counts.
    /// Nothing is written; the preview says what it forced. Absent: none.
    #[serde(default)]
    pub logic: PreviewLogic,
    /// A dark-mode copy of the email instead of the email as it is. Absent: light.
    #[serde(default)]
    pub dark: Option<DarkMode>,
    /// An A/B variant of the template (`a`, `b`...). Absent: the template itself.
    #[serde(default)]
    pub variant: Option<String>,
}

/// Which kind of mail client a dark preview shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DarkMode {
    /// Clients that apply the email's `prefers-color-scheme: dark` styles.
    PrefersColorScheme,
    /// Clients that invert colours themselves (an approximation).
    Inverting,
}

/// What the preview forces of a template's logic, in a copy of its sources and data only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLogic {
    /// `{% if %}` blocks shown with a chosen branch.
    #[serde(default)]
    pub branches: Vec<ForcedBranch>,
    /// `{% for %}` loops shown with a chosen number of items.
    #[serde(default)]
    pub items: Vec<LoopItems>,
}

impl PreviewLogic {
    /// Nothing forced.
    pub fn is_empty(&self) -> bool {
        self.branches.is_empty() && self.items.is_empty()
    }
}

/// An `{% if %}` block (its opening tag at `offset` in `path`) shown with branch `branch`
/// (an index into [`OutlineNode::branches`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForcedBranch {
    /// Project-relative path of the file holding the block.
    pub path: String,
    /// Byte offset of its `{% if %}` tag.
    pub offset: usize,
    /// Which branch (0: the `if`).
    pub branch: u32,
}

/// A `{% for %}` loop (its opening tag at `offset` in `path`) shown with `count` items: the
/// fixture's list cut or its items repeated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoopItems {
    /// Project-relative path of the file holding the loop.
    pub path: String,
    /// Byte offset of its `{% for %}` tag.
    pub offset: usize,
    /// How many items.
    pub count: u32,
}

fn yes() -> bool {
    true
}

/// A rendered preview (of the editor buffers, saved or not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// HTML part (empty when an error stopped the render, and when `mapping` is set: the
    /// same email is `mapping.html` without its markers, sent once).
    pub html: String,
    /// Text part.
    pub text: String,
    /// Subject line.
    pub subject: String,
    /// Preheader.
    pub preheader: String,
    /// `ltr` or `rtl`.
    pub dir: String,
    /// Errors and warnings, errors first.
    pub diagnostics: Vec<Diagnostic>,
    /// Time the engine took, in microseconds.
    pub engine_micros: u64,
    /// The same email with the markers that map it to its sources, when asked for and the
    /// template can be mapped (removing them gives `html` byte for byte).
    #[serde(default)]
    pub mapping: Option<VisualMapping>,
    /// What the preview forced (`branch forced: else of if people | length > 0`), and why a
    /// forcing asked for could not be done; empty when it shows the data as it is.
    #[serde(default)]
    pub forced: Vec<String>,
    /// What a dark preview shows (`dark (prefers-color-scheme): …`); `None` in light.
    #[serde(default)]
    pub appearance: Option<String>,
}

/// Where an element of the preview is in its source, for selecting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementLocation {
    /// Project-relative path of the file that holds it.
    pub path: String,
    /// Byte offset of its start tag (the `O` of its marker).
    pub offset: usize,
    /// 1-based line of its start tag.
    pub line: u32,
    /// 1-based column (in characters) of its start tag.
    pub column: u32,
    /// Element names from the outermost down to it (`mj-body`, `mj-section`, … `mj-text`).
    pub breadcrumb: Vec<String>,
    /// The templates that use this file, when it is a layout or partial (sorted).
    pub used_by: Vec<String>,
    /// The `{% for %}` loops around it in its file, outermost first (`for task in p.tasks`).
    #[serde(default)]
    pub loops: Vec<String>,
    /// The `{% if %}` / `{% for %}` blocks around it in its file, outermost first, as the
    /// preview frames them.
    #[serde(default)]
    pub frames: Vec<LogicFrame>,
}

/// A Jinja block drawn as a labelled frame over the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogicFrame {
    /// Its opening tag's code (`if people | length > 0`).
    pub label: String,
    /// Byte offset of that tag.
    pub offset: usize,
    /// Start offsets of the elements at its top level (the frame surrounds their boxes).
    pub members: Vec<usize>,
}

/// The property panel of an element: every attribute MJML defines for it, with its effective
/// value and where that comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementProperties {
    /// Project-relative path of the file holding the element.
    pub path: String,
    /// Byte offset of its start tag.
    pub offset: usize,
    /// Element name (`mj-text`).
    pub element: String,
    /// Jinja decides its attributes (in its start tag) or its place (badly nested blocks):
    /// all read-only ("Edit in code").
    pub templated: bool,
    /// Attributes written on the element first, then the others MJML defines, by name.
    pub properties: Vec<Property>,
}

/// One attribute in the property panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    /// Attribute name.
    pub name: String,
    /// The effective value (`None`: MJML's default applies).
    pub value: Option<String>,
    /// Where it comes from: `own`, `mj-class NAME`, `mj-attributes`, `mj-all`, `default`.
    pub origin: String,
    /// The element's own value holds Jinja: shown as code, read-only.
    pub jinja: bool,
    /// Which input edits it.
    pub kind: PropertyKind,
    /// Locked by the project's brand (`[brand]` of letterpress.toml): the only values it may
    /// take from the visual editor (the palette, the fonts); empty: any.
    #[serde(default)]
    pub choices: Vec<String>,
}

/// The input a property is edited with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PropertyKind {
    /// A colour (picker and text).
    Color,
    /// A length with a unit (`12px`, `50%`, `0 0 16px 0`).
    Length,
    /// `left`, `center`, `right` (or `justify`).
    Align,
    /// A link address.
    Url,
    /// An image address (`src`, `background-url`): the project's assets can be picked.
    Image,
    /// Anything else.
    Text,
}

/// One edit of the editor's text, in the editor's coordinates (1-based line, column in
/// characters), applied as one undo step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorEdit {
    /// The file.
    pub path: String,
    /// Start line.
    pub from_line: u32,
    /// Start column.
    pub from_column: u32,
    /// End line.
    pub to_line: u32,
    /// End column.
    pub to_column: u32,
    /// The new text.
    pub insert: String,
}

/// A change of an email's structure from the visual editor, on the selected element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum StructureAction {
    /// Delete it (with its lines).
    Delete,
    /// A copy right after it.
    Duplicate,
    /// Before its previous sibling.
    MoveUp,
    /// After its next sibling.
    MoveDown,
    /// Show it only when `condition` (a Jinja expression) holds: `{% if condition %}` lines.
    WrapInCondition {
        /// The expression (`people | length > 0`).
        condition: String,
    },
    /// Repeat it for each item: `{% for item in list %}` lines.
    RepeatForEach {
        /// The loop variable (`person`).
        item: String,
        /// The list expression (`people`).
        list: String,
    },
    /// Remove the single-branch `{% if %}` or `{% for %}` right around it, keeping it.
    Unwrap,
    /// Insert a block: into the element when it fits there (as its last content), else after
    /// it.
    InsertBlock {
        /// The block's MJML (as the library gives it).
        mjml: String,
    },
}

/// What a drag carries: a block of the library, or an element of the open file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Dragged {
    /// A block's MJML (as the library gives it).
    Block {
        /// The MJML.
        mjml: String,
    },
    /// The element of the file whose start tag is at `offset` (it moves, keeping its bytes).
    Element {
        /// Byte offset of its start tag.
        offset: usize,
    },
}

/// Where a drop puts what is dragged, relative to the target element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropPlace {
    /// Just before it, among its siblings.
    Before,
    /// Just after it.
    After,
    /// As its last content.
    Inside,
    /// Before the `{% if %}` / `{% for %}` block it opens, outside it.
    BeforeBlock,
    /// After the block it closes, outside it.
    AfterBlock,
}

/// An element of the open file something dragged can be dropped at (MJML's content model and
/// the locks decide), computed once when the drag starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropTarget {
    /// Byte offset of its start tag (the `O` of its marker).
    pub offset: usize,
    /// Its element name.
    pub name: String,
    /// Where a drop may go.
    pub places: Vec<DropPlace>,
    /// Its siblings sit side by side (columns): before/after is left/right.
    pub horizontal: bool,
    /// The `{% if %}` / `{% for %}` blocks around the spot, outermost first
    /// (`if title != ""`): a drop there goes into them, and the drop zone says so.
    pub regions: Vec<String>,
    /// The block it opens (its opening tag's code), when a drop may go before it
    /// ([`DropPlace::BeforeBlock`]).
    #[serde(default)]
    pub block_before: Option<String>,
    /// The block it closes, when a drop may go after it ([`DropPlace::AfterBlock`]).
    #[serde(default)]
    pub block_after: Option<String>,
}

/// The answer to a [`StructureAction`]: the edits (one undo step) and the element to select
/// in the text they make (the moved, copied or inserted one; `None` after a deletion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructureEdit {
    /// The edits of the editor's text.
    pub edits: Vec<EditorEdit>,
    /// The element to select once they are applied.
    pub select: Option<ElementLocation>,
}

/// One row of the outline tree of a template file: an MJML element or a Jinja block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlineNode {
    /// An element (selectable) or a Jinja block or include (a labelled frame).
    pub kind: OutlineKind,
    /// What it shows: the element name, or the tag (`if people | length > 0`).
    pub label: String,
    /// A short excerpt of an element's text (`Welcome aboard…`), when it holds text.
    pub excerpt: Option<String>,
    /// Byte offset of its start tag (the element's `O`) or of the block's opening tag.
    pub offset: usize,
    /// 1-based line of that tag.
    pub line: u32,
    /// Nesting depth in the outline (0: top).
    pub depth: u32,
    /// Jinja decides it: read-only in visual mode.
    pub opaque: bool,
    /// A condition's branches as written (`if people | length > 0`, `elif …`, `else`), for
    /// the branch switcher; empty otherwise.
    #[serde(default)]
    pub branches: Vec<String>,
    /// A loop over a list of the data (not computed), so "preview with N items" works.
    #[serde(default)]
    pub repeatable: bool,
}

/// What an [`OutlineNode`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutlineKind {
    /// An MJML element.
    Element,
    /// A `{% if %}` block (with its branches).
    Condition,
    /// A `{% for %}` block.
    Loop,
    /// A `{% block %}` of a layout.
    Block,
    /// An `{% include %}` (a partial, edited in its own file).
    Include,
}

/// A block of the library: MJML basics and the project's own `blocks/*.mjml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryBlock {
    /// Stable id (`basic/two-columns`, `blocks/order-summary.mjml`).
    pub id: String,
    /// What the designer reads.
    pub name: String,
    /// The elements it fits in (`mj-column`, `mj-body`…).
    pub fits_in: Vec<String>,
    /// Its MJML, without base indentation.
    pub mjml: String,
    /// From the project (`blocks/`), not built in.
    pub project: bool,
    /// The block rendered by the engine with the project's head (its fonts, colours and
    /// `mj-attributes`), as HTML for a thumbnail; `None` when it does not render alone.
    #[serde(default)]
    pub thumbnail: Option<String>,
}

/// Remote images of the preview the app fetched (never the webview).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteImagesFetched {
    /// URL → `data:` URI shown in its place.
    pub images: BTreeMap<String, String>,
    /// URL → why it is not shown (too large, not an image, timeout…).
    pub failed: BTreeMap<String, String>,
}

/// The text of an element as the reader sees it, for typing over it in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlineText {
    /// Project-relative path of the file holding the element.
    pub path: String,
    /// Byte offset of its start tag.
    pub offset: usize,
    /// 1-based line of its start tag.
    pub line: u32,
    /// 1-based column (in characters) of its start tag.
    pub column: u32,
    /// Element name (`mj-button`, `h1`).
    pub element: String,
    /// Its text, whitespace runs as one space, edges trimmed; Jinja as chips.
    pub pieces: Vec<InlinePiece>,
}

/// A piece of [`InlineText`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum InlinePiece {
    /// Text as shown and typed.
    Text {
        /// The characters.
        text: String,
    },
    /// A Jinja token, atomic: kept byte for byte, or left out to delete it.
    Chip {
        /// Its id in the file's source tree.
        id: usize,
        /// Its source (`{{ order.number }}`), checked again when written.
        code: String,
    },
}

/// The preview with markers: each body element carries the class `lp-F-N` (HTML inside text:
/// `data-lp="F-N"`), F an index into `files`, N the element's number there (`offsets` says
/// where it starts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisualMapping {
    /// The marked HTML; with `delta`, only the part that differs from the one the app said
    /// it shows.
    pub html: String,
    /// This marked HTML's number: the app names it when it asks for the next preview, and
    /// that answer can then carry only what changed.
    #[serde(default)]
    pub id: u64,
    /// `html` is only what changed: see [`HtmlDelta`].
    #[serde(default)]
    pub delta: Option<HtmlDelta>,
    /// Project-relative paths of the files the markers name.
    pub files: Vec<String>,
    /// The element name of each marker (`F-N` → `mj-text`), for breadcrumbs.
    pub names: BTreeMap<String, String>,
    /// Where each marker's element starts in its file (byte offset of `<`). A marker's `N`
    /// is the element's number, kept while edits leave the element alone, so an edit
    /// changes the preview's markers only where it changed the file.
    pub offsets: BTreeMap<String, usize>,
    /// Markers of elements visual editing leaves alone (badly nested Jinja, Jinja in the
    /// start tag): shown hatched, "Edit in code".
    #[serde(default)]
    pub opaque: Vec<String>,
}

/// How many bytes `a` and `b` have in common at their start. Compares 64-byte blocks first
/// (one `memcmp` each, quick in debug builds too: the app's dev build compares 400 KB per
/// visual edit).
pub fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let shorter = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= shorter && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    while at < shorter && a[at] == b[at] {
        at += 1;
    }
    at
}

/// How many bytes `a` and `b` have in common at their end, at most `limit`.
pub fn common_suffix(a: &[u8], b: &[u8], limit: usize) -> usize {
    const BLOCK: usize = 64;
    let most = a.len().min(b.len()).min(limit);
    let (ea, eb) = (a.len(), b.len());
    let mut n = 0;
    while n + BLOCK <= most && a[ea - n - BLOCK..ea - n] == b[eb - n - BLOCK..eb - n] {
        n += BLOCK;
    }
    while n < most && a[ea - n - 1] == b[eb - n - 1] {
        n += 1;
    }
    n
}

/// A document's new text given as a change of the text the studio holds for it: its first
/// `keep_start` bytes, `inserted`, its last `keep_end` bytes; `hash` ([`text_hash`]) of the
/// whole result guards against a change of another text. A keystroke or a visual edit of a
/// 50 KB template then sends a few bytes instead of the whole text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentChange {
    pub keep_start: usize,
    pub keep_end: usize,
    pub inserted: String,
    pub hash: u64,
}

/// FNV-1a of `text`, cut to 53 bits: cheap, the same on both sides of the IPC, and exact as
/// a JavaScript number (the IPC carries numbers as doubles).
pub fn text_hash(text: &str) -> u64 {
    const JS_SAFE: u64 = (1 << 53) - 1;
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (h ^ (h >> 53)) & JS_SAFE
}

impl DocumentChange {
    /// The change from `old` to `new`.
    pub fn between(old: &str, new: &str) -> DocumentChange {
        let (delta, inserted) = HtmlDelta::between(0, old, new);
        DocumentChange {
            keep_start: delta.keep_start,
            keep_end: delta.keep_end,
            inserted,
            hash: text_hash(new),
        }
    }

    /// The new text from `old`; `None` when the change does not fit `old` (or gives another
    /// text than the one it was made for).
    pub fn apply(&self, old: &str) -> Option<String> {
        let delta = HtmlDelta {
            base: 0,
            keep_start: self.keep_start,
            keep_end: self.keep_end,
        };
        delta
            .apply(old, &self.inserted)
            .filter(|new| text_hash(new) == self.hash)
    }
}

/// A marked HTML given as a change of the one numbered `base`: its first `keep_start` bytes,
/// then the mapping's `html`, then its last `keep_end` bytes. A visual edit changes a few
/// hundred bytes of an email that may be 400 KB; this is what crosses the IPC instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HtmlDelta {
    pub base: u64,
    pub keep_start: usize,
    pub keep_end: usize,
}

impl HtmlDelta {
    /// The difference of `html` from `base` (numbered `id`): the longest common start and end
    /// (at character boundaries, not overlapping) and the middle of `html` between them.
    pub fn between(id: u64, base: &str, html: &str) -> (HtmlDelta, String) {
        let (a, b) = (base.as_bytes(), html.as_bytes());
        let mut start = common_prefix(a, b);
        while !html.is_char_boundary(start) || !base.is_char_boundary(start) {
            start -= 1;
        }
        let room = a.len().min(b.len()) - start;
        let mut end = common_suffix(a, b, room);
        while !html.is_char_boundary(b.len() - end) || !base.is_char_boundary(a.len() - end) {
            end -= 1;
        }
        let delta = HtmlDelta {
            base: id,
            keep_start: start,
            keep_end: end,
        };
        (delta, html[start..b.len() - end].to_owned())
    }

    /// The whole HTML from `base` (the one numbered `self.base`) and the `middle`; `None`
    /// when they do not fit together.
    pub fn apply(&self, base: &str, middle: &str) -> Option<String> {
        let tail = base.len().checked_sub(self.keep_end)?;
        if self.keep_start > tail {
            return None;
        }
        let (head, end) = (base.get(..self.keep_start)?, base.get(tail..)?);
        let mut whole = String::with_capacity(head.len() + middle.len() + end.len());
        whole.push_str(head);
        whole.push_str(middle);
        whole.push_str(end);
        Some(whole)
    }
}

impl Preview {
    /// True when there is no error.
    pub fn is_ok(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Both sides of a conflict, for the side-by-side comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictSides {
    /// Project-relative path.
    pub path: String,
    /// The editor's unsaved text.
    pub mine: String,
    /// The text on disk now (`None`: the file was deleted).
    pub theirs: Option<String>,
}

/// A file open in the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDocument {
    /// Project-relative path.
    pub path: String,
    /// The editor's text.
    pub text: String,
    /// Unsaved changes.
    pub dirty: bool,
}

/// Something happened on disk to the project or an open file (emitted as an event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FileEvent {
    /// An open, clean file changed on disk and was reloaded.
    Reloaded {
        /// The file.
        path: String,
        /// Its new text.
        text: String,
    },
    /// An open file with unsaved edits changed on disk too.
    Conflict {
        /// The file.
        path: String,
        /// The disk's text (`None`: deleted).
        theirs: Option<String>,
    },
    /// An open, clean file was deleted.
    Closed {
        /// The file.
        path: String,
    },
    /// Project files changed (templates list, catalogs...): re-read the snapshot, re-render.
    ProjectChanged,
    /// `letterpress.toml` changed on disk and no longer loads: the project keeps its last
    /// good configuration until it is fixed (the next valid reload sends `ProjectChanged`
    /// without this).
    ConfigInvalid {
        /// What is wrong, at file:line:col.
        diagnostic: Diagnostic,
    },
    /// An open file changed on disk but cannot be read (it now leads outside the project, is
    /// over the size limit, or is not UTF-8): the editor keeps its text.
    Unreadable {
        /// The file.
        path: String,
        /// Why: [`IpcCode::OutsideProject`], [`IpcCode::TooLarge`] or [`IpcCode::Io`].
        code: IpcCode,
        /// One sentence for a person.
        message: String,
    },
}

/// Emitted when the window is asked to close while files have unsaved changes (payload:
/// their paths). The UI asks the user, then saves or discards and calls `quit`.
pub const CLOSE_REQUESTED_EVENT: &str = "letterpress://close-requested";

/// Name of the event carrying [`FileEvent`]s.
pub const FILE_EVENT: &str = "letterpress://file";

/// Event carrying a [`MenuCommand`] chosen in the native menu (or by its shortcut).
pub const MENU_EVENT: &str = "letterpress://menu";

/// What the native menu asks the UI to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MenuCommand {
    /// Save the document in the editor.
    Save,
    /// Save every document with unsaved changes.
    SaveAll,
    /// Open another project folder.
    OpenProject,
    /// Start a new project from the sample.
    NewProject,
    /// Preview at desktop width.
    DesktopWidth,
    /// Preview at mobile width.
    MobileWidth,
    /// Show the HTML part.
    ShowHtml,
    /// Show the plain-text part.
    ShowText,
}

impl MenuCommand {
    /// Every command, for building the menu.
    pub const ALL: [MenuCommand; 8] = [
        MenuCommand::Save,
        MenuCommand::SaveAll,
        MenuCommand::OpenProject,
        MenuCommand::NewProject,
        MenuCommand::DesktopWidth,
        MenuCommand::MobileWidth,
        MenuCommand::ShowHtml,
        MenuCommand::ShowText,
    ];

    /// The menu item id.
    pub fn id(self) -> &'static str {
        match self {
            MenuCommand::Save => "save",
            MenuCommand::SaveAll => "save-all",
            MenuCommand::OpenProject => "open-project",
            MenuCommand::NewProject => "new-project",
            MenuCommand::DesktopWidth => "desktop-width",
            MenuCommand::MobileWidth => "mobile-width",
            MenuCommand::ShowHtml => "show-html",
            MenuCommand::ShowText => "show-text",
        }
    }

    /// The command with menu item id `id`.
    pub fn from_id(id: &str) -> Option<MenuCommand> {
        MenuCommand::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// How a conflict is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// Keep the editor's text; the next save overwrites the disk.
    KeepMine,
    /// Take the disk's text, dropping the editor's edits.
    TakeTheirs,
}

/// A project opened before on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentProject {
    /// Its folder.
    pub path: String,
    /// Its name when last opened.
    pub name: String,
    /// Seconds since the Unix epoch.
    pub opened_at: i64,
}

#[cfg(test)]
mod tests {
    use super::HtmlDelta;

    /// Every pair of texts made of a few edits of a base (ASCII and multi-byte characters,
    /// at the start, the end and inside): the delta gives back the new text exactly, its
    /// middle is no longer than the new text, and it only ever splits at character
    /// boundaries.
    #[test]
    fn a_delta_applied_to_its_base_gives_the_new_html_back() {
        let bases = [
            "",
            "a",
            "<p>é</p>",
            "<div>日本語テキスト</div><p>x</p>",
            "ééé",
            "abcabc",
        ];
        let inserts = ["", "x", "é", "日本", "<b>", "abc"];
        let mut checked = 0;
        for base in bases {
            let cuts: Vec<usize> = (0..=base.len())
                .filter(|&i| base.is_char_boundary(i))
                .collect();
            for &from in &cuts {
                for &to in cuts.iter().filter(|&&t| t >= from) {
                    for insert in inserts {
                        let new = format!("{}{insert}{}", &base[..from], &base[to..]);
                        let (delta, middle) = HtmlDelta::between(7, base, &new);
                        assert_eq!(delta.base, 7);
                        assert!(middle.len() <= new.len());
                        assert_eq!(
                            delta.apply(base, &middle).as_deref(),
                            Some(new.as_str()),
                            "{base:?} → {new:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn a_delta_that_does_not_fit_its_base_is_refused() {
        let (delta, middle) = HtmlDelta::between(1, "abcdef", "abXdef");
        assert_eq!(
            (delta.keep_start, delta.keep_end, middle.as_str()),
            (2, 3, "X")
        );
        assert_eq!(
            delta.apply("ab", &middle),
            None,
            "shorter than what it keeps"
        );
        assert_eq!(delta.apply("aé", "x"), None, "not at a character boundary");
    }
}

#[cfg(test)]
mod common_tests {
    use super::{common_prefix, common_suffix};

    #[test]
    fn common_ends_are_counted_across_and_inside_blocks() {
        let base: Vec<u8> = (0..300u32).map(|i| (i % 251) as u8).collect();
        for at in [0, 1, 63, 64, 65, 128, 200, 299] {
            let mut other = base.clone();
            other[at] ^= 0xff;
            assert_eq!(common_prefix(&base, &other), at, "prefix, change at {at}");
            assert_eq!(
                common_suffix(&base, &other, usize::MAX),
                base.len() - at - 1,
                "suffix, change at {at}"
            );
            assert_eq!(
                common_suffix(&base, &other, 10).min(10),
                common_suffix(&base, &other, 10)
            );
        }
        assert_eq!(common_prefix(&base, &base[..100]), 100);
        assert_eq!(common_suffix(&base, &base[200..], usize::MAX), 100);
        assert_eq!(common_suffix(&base, &base, 7), 7);
    }
}

#[cfg(test)]
mod text_change_tests {
    use super::{DocumentChange, text_hash};

    #[test]
    fn a_text_change_gives_the_new_text_and_refuses_another_base() {
        let old = "<mj-text>Row 7 first</mj-text>\n<mj-text>Zeile 8 für</mj-text>";
        let typed = old.replace("Row 7 first", "Row 7 first 0");
        let change = DocumentChange::between(old, &typed);
        assert_eq!(change.inserted, " 0", "{change:?}");
        assert_eq!(change.apply(old).as_deref(), Some(typed.as_str()));
        // Two edits apart: what lies between them is sent too, and the result is exact.
        let new = typed.replace("für", "über");
        let change = DocumentChange::between(old, &new);
        assert_eq!(change.apply(old).as_deref(), Some(new.as_str()));
        // Another text of the same length, or a shorter one: refused, not mangled.
        let other = old.replace("Row", "Col");
        assert_eq!(change.apply(&other), None);
        assert_eq!(change.apply("<mj-text>"), None);
        assert_ne!(text_hash("ab"), text_hash("ba"));
        assert!(text_hash(old) < 1 << 53, "exact as a JavaScript number");
    }
}
