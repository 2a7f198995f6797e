//! Letterpress visual editing core: the lossless source tree of a template file and the
//! visual operations as minimal text edits.
//!
//! The `.mjml` text (Jinja, formatting and all) is the only model. Nothing here prints a
//! document from a model: every visual action becomes a few [`TextEdit`]s over the current
//! text, applied by the editor as one transaction, so code and visual edits share one history.
//!
//! # How the tree is built ([`SourceTree::parse`], never fails)
//! 1. Jinja tokens (`{{ }}`, `{% %}`, `{# #}`, whitespace flags, strings and bracket balance
//!    inside, `{% raw %}` bodies as literal text) are scanned with byte offsets.
//! 2. A copy of the text with every token blanked to spaces of the same byte length (line
//!    breaks kept) is tokenized with `htmlparser` 0.2.1, the tokenizer mrml uses, in fragment
//!    mode. Lengths match, so its spans are spans in the original. Where htmlparser gives up,
//!    the tokenizer restarts after the bad bytes (start tags are then read leniently, e.g.
//!    unquoted values; other bytes up to the next `<` become an opaque `Unparsed` leaf).
//! 3. Elements, attributes (name, value without quotes, quote, whole span with the leading
//!    whitespace), text runs (split into `Text` and `Jinja` leaves), comments and Jinja nodes
//!    go into a flat arena in document order; building is iterative (no recursion on input
//!    nesting). Elements whose content mrml keeps as HTML ([`RAW_CONTENT_ELEMENTS`]) and all
//!    elements inside them are `raw_html`.
//! 4. Block tags are paired into [`JinjaRegion`]s. A region whose tags all sit in one child
//!    list, one attribute value or one start tag is well-formed; anything else (and unpaired
//!    tags) is opaque: every node inside it or partly overlapping it is read-only. Jinja in a
//!    start tag outside values makes the element's attributes `templated`; Jinja in a value
//!    makes that attribute `has_jinja`.
//!
//! # Invariants (tested in `tests/`)
//! - Lossless: the [`SourceTree::leaf_spans`] tile the text; [`SourceTree::rebuild`] returns
//!   the input byte for byte, for any input.
//! - Explicit limits ([`TreeLimits`]): beyond `max_bytes`, `max_depth` or `max_nodes` the rest
//!   of the text is one opaque `Unparsed` node with a [`Problem`]; never a panic.
//! - Every operation ([`set_attribute`], [`remove_attribute`], [`set_text`],
//!   [`set_visible_text`]) returns edits
//!   touching only the bytes it must, re-parses its result and refuses
//!   ([`EditError::WouldBreakStructure`]) when element names, their order, Jinja tokens or
//!   other attributes would change, or new problems would appear.
//! - Pure: no file system, network, clock, threads or environment (`clippy.toml`).

#![forbid(unsafe_code)]

mod content;
mod edit;
mod jinja;
mod logic;
mod outline;
mod regions;
mod span;
mod structure;
mod text;
mod tree;
mod visible;

pub use content::{children_of, fits_in};
pub use edit::{
    EditError, EditPosition, NO_ATTRIBUTE_ELEMENTS, REQUIRED_ATTRIBUTES, TextEdit, apply,
    escape_attribute, escape_text, remove_attribute, set_attribute, set_text, text_segments,
};
pub use jinja::{
    JinjaKind, JinjaScan, ScannedToken, UnclosedToken, WhitespaceControl, scan as scan_jinja,
};
pub use logic::{
    BlockEdges, Branch, Frame, PathStep, block_edges, blocks_around, branches, force_branch,
    frames_around, loop_data_path, set_condition,
};
pub use outline::{OutlineEntry, OutlineEntryKind, outline};
pub use span::{LineCol, Span};
pub use structure::{
    Direction, Place, delete, duplicate, insert, move_anywhere, move_by_one, move_to, unwrap, wrap,
};
pub use text::TextSegment;
pub use tree::{
    Attribute, AttributeValue, Element, JinjaContext, JinjaNode, JinjaRegion, Node, NodeId,
    NodeKind, Problem, ProblemKind, Quote, RAW_CONTENT_ELEMENTS, SourceTree, TreeLimits,
};
pub use visible::{VisiblePiece, VisibleText, set_visible_text, visible_text};
