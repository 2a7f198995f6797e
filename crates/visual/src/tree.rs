//! The lossless source tree: elements, attributes, text runs, comments and Jinja tokens, each
//! with the byte spans it came from.

use crate::jinja::{self, JinjaKind, ScannedToken, WhitespaceControl};
use crate::span::{LineCol, LineIndex, Span, floor_char_boundary};
use htmlparser::{ElementEnd, Token, Tokenizer};
use serde::{Deserialize, Serialize};

/// Index of a node in a [`SourceTree`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub usize);

/// How much input a tree is built from; what lies beyond becomes one opaque region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeLimits {
    /// Bytes of source parsed; the rest is opaque.
    pub max_bytes: usize,
    /// Elements nested inside each other.
    pub max_depth: usize,
    /// Nodes in the tree.
    pub max_nodes: usize,
}

impl Default for TreeLimits {
    fn default() -> Self {
        Self {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 256,
            max_nodes: 200_000,
        }
    }
}

/// Elements whose content mrml keeps as raw HTML (or as plain text) instead of MJML children:
/// the ones vendor/mrml parses into `MjRawChild`, `Text` or `String` children, plus
/// `mj-button` and `mj-table`, whose unknown children become raw HTML nodes.
pub const RAW_CONTENT_ELEMENTS: &[&str] = &[
    "mj-text",
    "mj-button",
    "mj-table",
    "mj-raw",
    "mj-navbar-link",
    "mj-accordion-title",
    "mj-accordion-text",
    "mj-social-element",
    "mj-style",
    "mj-title",
    "mj-preview",
];

/// HTML elements without content (mrml's `is_void_element`).
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// The quote around an attribute value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Quote {
    /// `name="value"`.
    Double,
    /// `name='value'`.
    Single,
    /// `name=value` (mrml cannot read it; the tree still can).
    None,
}

/// An attribute value's bytes, without its quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeValue {
    /// The value between the quotes (raw: entities not decoded).
    pub span: Span,
    /// The quote used.
    pub quote: Quote,
}

/// One attribute of a start tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    /// The attribute's name (`prefix:local` when prefixed).
    pub name: String,
    /// Where the name is.
    pub name_span: Span,
    /// The value, `None` for a bare attribute (`<td nowrap>`).
    pub value: Option<AttributeValue>,
    /// The whole attribute including the whitespace before it.
    pub span: Span,
    /// The value contains Jinja: shown read-only, as code.
    pub has_jinja: bool,
}

/// An element with the spans of each of its parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// Tag name (`prefix:local` when prefixed).
    pub name: String,
    /// Where the name is in the start tag.
    pub name_span: Span,
    /// `<name …>` or `<name …/>`.
    pub start_tag: Span,
    /// Attributes in source order.
    pub attributes: Vec<Attribute>,
    /// Written `<name … />`.
    pub self_closing: bool,
    /// Between the start and end tag; `None` for self-closing, void or malformed tags.
    pub content: Option<Span>,
    /// `</name>`; `None` when the element has none (self-closing, void, never closed).
    pub end_tag: Option<Span>,
    /// The element is, or is inside, content mrml passes through as HTML (`mj-text`…).
    pub raw_html: bool,
    /// Jinja sits in the start tag outside attribute values: attributes are read-only.
    pub attributes_templated: bool,
    /// The start tag could not be read completely (stray characters, no `>`): read-only.
    pub malformed_start_tag: bool,
}

/// Where a Jinja token sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "in", rename_all = "kebab-case")]
pub enum JinjaContext {
    /// In a text run (element content or between elements).
    Content,
    /// In a start tag, outside attribute values.
    StartTag,
    /// Inside the value of attribute number `attribute` of the parent element.
    AttributeValue {
        /// Index in [`Element::attributes`].
        attribute: usize,
    },
    /// Inside an end tag.
    EndTag,
    /// Inside an HTML comment.
    Comment,
    /// Inside bytes the parser could not read.
    Unparsed,
}

/// A Jinja token node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JinjaNode {
    /// Expression, statement (with keyword) or comment.
    pub token: JinjaKind,
    /// Between the delimiters and their flags.
    pub inner: Span,
    /// Flag after the opening delimiter.
    pub trim_before: WhitespaceControl,
    /// Flag before the closing delimiter.
    pub trim_after: WhitespaceControl,
    /// Where it sits.
    pub context: JinjaContext,
    /// The block region it opens, continues or closes, if any (index in [`SourceTree::regions`]).
    pub region: Option<usize>,
}

/// What a node is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum NodeKind {
    /// The whole file.
    Document,
    /// An element.
    Element(Element),
    /// Character data between tags: its children are `Text` and `Jinja` leaves.
    TextRun,
    /// Literal text (may contain entities) inside a text run.
    Text,
    /// A Jinja token.
    Jinja(JinjaNode),
    /// `<!-- … -->`, or a conditional comment's start or end (`<!--[if mso]>`).
    Comment {
        /// A downlevel conditional comment marker rather than a plain comment.
        conditional: bool,
    },
    /// `<![CDATA[…]]>`, `<?…?>` or other markup kept as is.
    OtherMarkup,
    /// Bytes the parser could not read or did not read (limits): always opaque.
    Unparsed {
        /// Why.
        reason: ProblemKind,
    },
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// All of its bytes.
    pub span: Span,
    /// The node it sits in (`None` for the document).
    pub parent: Option<NodeId>,
    /// Content children (document, element) or parts (text run), in order.
    pub children: Vec<NodeId>,
    /// Jinja tokens inside this node's own bytes (start/end tag, comment, unparsed bytes).
    pub embedded_jinja: Vec<NodeId>,
    /// Read-only in visual mode (inside or crossing an opaque region).
    pub opaque: bool,
}

impl Node {
    /// The element data, if the node is an element.
    pub fn element(&self) -> Option<&Element> {
        match &self.kind {
            NodeKind::Element(element) => Some(element),
            _ => None,
        }
    }

    /// The Jinja data, if the node is a Jinja token.
    pub fn jinja(&self) -> Option<&JinjaNode> {
        match &self.kind {
            NodeKind::Jinja(jinja) => Some(jinja),
            _ => None,
        }
    }
}

/// A block tag pairing: `{% if %}…{% elif %}…{% else %}…{% endif %}` and the like.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JinjaRegion {
    /// The opening keyword (`if`, `for`, `block`…).
    pub keyword: String,
    /// Opening, middle (`elif`/`else`) and closing tags, in order.
    pub tags: Vec<NodeId>,
    /// From the start of the opening tag to the end of the closing one (or of the text).
    pub span: Span,
    /// Closed, and all its tags sit in one child list, one attribute value or one start tag.
    pub well_formed: bool,
}

/// What went wrong while building the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A `{{`, `{%` or `{#` never closed.
    UnclosedJinja,
    /// A `{% raw %}` without `{% endraw %}`.
    UnclosedRaw,
    /// `{% endif %}`, `{% else %}`… without its opening tag.
    UnmatchedBlockTag,
    /// An opening block tag never closed.
    UnclosedBlock,
    /// A block region whose tags sit in different elements or contexts.
    CrossingRegion,
    /// Markup htmlparser (and so mrml) cannot read.
    InvalidMarkup,
    /// An element never closed.
    UnclosedElement,
    /// An end tag closing nothing.
    StrayEndTag,
    /// Beyond [`TreeLimits::max_bytes`].
    TooLarge,
    /// Beyond [`TreeLimits::max_depth`].
    TooDeep,
    /// Beyond [`TreeLimits::max_nodes`].
    TooManyNodes,
}

/// A problem with its place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// What.
    pub kind: ProblemKind,
    /// Where.
    pub span: Span,
    /// For people.
    pub message: String,
}

/// The lossless tree of one template file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceTree {
    source: String,
    nodes: Vec<Node>,
    jinja: Vec<NodeId>,
    regions: Vec<JinjaRegion>,
    problems: Vec<Problem>,
    lines: LineIndex,
    limits: TreeLimits,
}

impl SourceTree {
    /// Builds the tree of `text` with [`TreeLimits::default`]. Never fails.
    pub fn parse(text: &str) -> SourceTree {
        Self::parse_with_limits(text, TreeLimits::default())
    }

    /// Builds the tree of `text`; what lies beyond `limits` is one opaque region.
    pub fn parse_with_limits(text: &str, limits: TreeLimits) -> SourceTree {
        Builder::build(text, limits)
    }

    /// The text the tree was built from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The limits it was built with.
    pub fn limits(&self) -> TreeLimits {
        self.limits
    }

    /// The document node.
    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    /// A node; `None` for an id not from this tree.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.0)
    }

    /// All nodes, in document order of their first byte.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (NodeId(i), node))
    }

    /// Elements in document order.
    pub fn elements(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes()
            .filter(|(_, node)| matches!(node.kind, NodeKind::Element(_)))
            .map(|(id, _)| id)
    }

    /// The element data of `id`.
    pub fn element(&self, id: NodeId) -> Option<&Element> {
        self.node(id).and_then(Node::element)
    }

    /// Jinja token nodes in document order (tokens inside unparsed bytes are not nodes).
    pub fn jinja_tokens(&self) -> &[NodeId] {
        &self.jinja
    }

    /// Block regions, in order of their opening tag.
    pub fn regions(&self) -> &[JinjaRegion] {
        &self.regions
    }

    /// What went wrong while building.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The source bytes of a span.
    pub fn slice(&self, span: Span) -> &str {
        self.source.get(span.range()).unwrap_or_default()
    }

    /// The innermost element whose start tag or content contains `offset`.
    pub fn element_at(&self, offset: usize) -> Option<NodeId> {
        let mut best = None;
        let mut current = self.root();
        loop {
            let children = &self.nodes[current.0].children;
            let index = children.partition_point(|child| self.nodes[child.0].span.end <= offset);
            let Some(&child) = children.get(index) else {
                return best;
            };
            let node = &self.nodes[child.0];
            if !node.span.contains(offset) {
                return best;
            }
            let NodeKind::Element(element) = &node.kind else {
                return best;
            };
            if element.start_tag.contains(offset) {
                return Some(child);
            }
            match element.content {
                Some(content) if content.contains(offset) => {
                    best = Some(child);
                    current = child;
                }
                _ => return best,
            }
        }
    }

    /// Element names from the outermost element down to `id` (inclusive when it is one).
    pub fn path(&self, id: NodeId) -> Vec<String> {
        let mut names = Vec::new();
        let mut current = self.node(id).map(|_| id);
        while let Some(at) = current {
            let node = &self.nodes[at.0];
            if let NodeKind::Element(element) = &node.kind {
                names.push(element.name.clone());
            }
            current = node.parent;
        }
        names.reverse();
        names
    }

    /// The editor position of a byte offset (1-based line, UTF-16 column).
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines.line_col(&self.source, offset)
    }

    /// The byte offset of an editor position, if it exists.
    pub fn offset_at(&self, line: usize, col: usize) -> Option<usize> {
        self.lines.offset_at(&self.source, LineCol { line, col })
    }

    /// The spans that tile the source, in order: start tags, end tags, text, Jinja tokens in
    /// text runs, comments, other markup and unparsed bytes. Every byte is in exactly one.
    pub fn leaf_spans(&self) -> Vec<Span> {
        enum Step {
            Visit(NodeId),
            Piece(Span),
        }
        let mut spans = Vec::new();
        let mut stack = vec![Step::Visit(self.root())];
        while let Some(step) = stack.pop() {
            let id = match step {
                Step::Piece(span) => {
                    spans.push(span);
                    continue;
                }
                Step::Visit(id) => id,
            };
            let node = &self.nodes[id.0];
            match &node.kind {
                NodeKind::Document | NodeKind::TextRun => {
                    stack.extend(node.children.iter().rev().map(|&c| Step::Visit(c)));
                }
                NodeKind::Element(element) => {
                    if let Some(end_tag) = element.end_tag {
                        stack.push(Step::Piece(end_tag));
                    }
                    stack.extend(node.children.iter().rev().map(|&c| Step::Visit(c)));
                    stack.push(Step::Piece(element.start_tag));
                }
                _ => spans.push(node.span),
            }
        }
        spans
    }

    /// The text rebuilt from [`leaf_spans`](Self::leaf_spans): equal to the source, always.
    pub fn rebuild(&self) -> String {
        let mut text = String::with_capacity(self.source.len());
        for span in self.leaf_spans() {
            text.push_str(self.slice(span));
        }
        text
    }
}

struct Builder<'a> {
    source: &'a str,
    blank: String,
    tokens: Vec<ScannedToken>,
    next_token: usize,
    nodes: Vec<Node>,
    stack: Vec<NodeId>,
    problems: Vec<Problem>,
    limits: TreeLimits,
    in_tag: Option<NodeId>,
    last_end: usize,
    html_end: usize,
    cut: Option<usize>,
}

impl<'a> Builder<'a> {
    fn build(source: &'a str, limits: TreeLimits) -> SourceTree {
        let mut problems = Vec::new();
        let parse_len = if source.len() > limits.max_bytes {
            let cut = floor_char_boundary(source, limits.max_bytes);
            problems.push(Problem {
                kind: ProblemKind::TooLarge,
                span: Span::new(cut, source.len()),
                message: format!(
                    "the file has {} bytes; only the first {} are shown visually",
                    source.len(),
                    limits.max_bytes
                ),
            });
            cut
        } else {
            source.len()
        };
        let scan = jinja::scan(&source[..parse_len]);
        let html_end = match scan.unclosed {
            Some(unclosed) => {
                let (kind, message) = if unclosed.raw_block {
                    (
                        ProblemKind::UnclosedRaw,
                        "`{% raw %}` without `{% endraw %}`",
                    )
                } else {
                    (ProblemKind::UnclosedJinja, "Jinja tag never closed")
                };
                problems.push(Problem {
                    kind,
                    span: Span::new(unclosed.start, parse_len),
                    message: message.to_owned(),
                });
                unclosed.start
            }
            None => parse_len,
        };
        let tokens: Vec<ScannedToken> = scan
            .tokens
            .into_iter()
            .filter(|t| t.span.end <= html_end)
            .collect();
        let blank = blanked(&source[..html_end], &tokens);
        let mut builder = Builder {
            source,
            blank,
            tokens,
            next_token: 0,
            nodes: vec![Node {
                kind: NodeKind::Document,
                span: Span::new(0, source.len()),
                parent: None,
                children: Vec::new(),
                embedded_jinja: Vec::new(),
                opaque: false,
            }],
            stack: vec![NodeId(0)],
            problems,
            limits,
            in_tag: None,
            last_end: 0,
            html_end,
            cut: None,
        };
        builder.tokenize();
        builder.finish()
    }

    fn tokenize(&mut self) {
        let mut segment_start = 0;
        'segments: while segment_start < self.html_end && self.cut.is_none() {
            let blank = std::mem::take(&mut self.blank);
            let slice = &blank[segment_start..self.html_end];
            let mut tokenizer = Tokenizer::from_fragment(slice, 0..slice.len());
            loop {
                if self.cut.is_some() {
                    self.blank = blank;
                    break 'segments;
                }
                let before = segment_start + tokenizer.stream().pos();
                if self.in_tag.is_none()
                    && !conditional_comment_is_safe(&blank.as_bytes()[before..self.html_end])
                {
                    self.blank = blank;
                    segment_start = self.recover_content(before);
                    continue 'segments;
                }
                match tokenizer.next() {
                    None => {
                        self.blank = blank;
                        break 'segments;
                    }
                    Some(Ok(token)) => self.token(token, segment_start),
                    Some(Err(_)) => {
                        self.blank = blank;
                        segment_start = if self.in_tag.is_some() {
                            self.recover_tag(before)
                        } else {
                            self.recover_content(before)
                        };
                        continue 'segments;
                    }
                }
            }
        }
        if let Some(element) = self.in_tag
            && self.cut.is_none()
        {
            let end = self.html_end;
            self.problem(
                ProblemKind::InvalidMarkup,
                Span::new(self.element_start(element), end),
                "start tag without `>`",
            );
            self.finish_tag(element, end, TagEnd::Unterminated);
        }
    }

    fn token(&mut self, token: Token<'_>, offset: usize) {
        let abs = |s: htmlparser::StrSpan<'_>| Span::new(s.start() + offset, s.end() + offset);
        match token {
            Token::ElementStart {
                prefix,
                local,
                span,
            } => {
                let span = abs(span);
                let depth = self.stack.len() - 1;
                if depth >= self.limits.max_depth {
                    self.cut_at(span.start, ProblemKind::TooDeep);
                    return;
                }
                if !self.has_room(1) {
                    self.cut_at(span.start, ProblemKind::TooManyNodes);
                    return;
                }
                let name_start = if prefix.is_empty() {
                    local.start()
                } else {
                    prefix.start()
                } + offset;
                let name = self.source[name_start..local.end() + offset].to_owned();
                let parent = self.top();
                let parent_raw = self.nodes[parent.0].element().is_some_and(|e| e.raw_html);
                let raw_html = parent_raw || RAW_CONTENT_ELEMENTS.contains(&name.as_str());
                let element = Element {
                    name,
                    name_span: Span::new(name_start, local.end() + offset),
                    start_tag: span,
                    attributes: Vec::new(),
                    self_closing: false,
                    content: None,
                    end_tag: None,
                    raw_html,
                    attributes_templated: false,
                    malformed_start_tag: false,
                };
                let id = self.push_node(NodeKind::Element(element), span, parent);
                self.in_tag = Some(id);
                self.last_end = span.end;
            }
            Token::Attribute {
                prefix,
                local,
                value,
                span,
            } => {
                let Some(element) = self.in_tag else { return };
                let span = abs(span);
                let name_start = if prefix.is_empty() {
                    local.start()
                } else {
                    prefix.start()
                } + offset;
                let value = value.map(|v| {
                    let value_span = abs(v);
                    let quote = match self.source.as_bytes().get(value_span.start.wrapping_sub(1)) {
                        Some(b'\'') => Quote::Single,
                        _ => Quote::Double,
                    };
                    AttributeValue {
                        span: value_span,
                        quote,
                    }
                });
                let attribute = Attribute {
                    name: self.source[name_start..local.end() + offset].to_owned(),
                    name_span: Span::new(name_start, local.end() + offset),
                    value,
                    span: Span::new(self.last_end, span.end),
                    has_jinja: false,
                };
                self.push_attribute(element, attribute);
                self.last_end = span.end;
            }
            Token::ElementEnd { end, span } => {
                let span = abs(span);
                match end {
                    ElementEnd::Open => {
                        if let Some(element) = self.in_tag {
                            self.finish_tag(element, span.end, TagEnd::Open);
                        }
                    }
                    ElementEnd::Empty => {
                        if let Some(element) = self.in_tag {
                            self.finish_tag(element, span.end, TagEnd::Empty);
                        }
                    }
                    ElementEnd::Close(prefix, local) => {
                        let name_start = if prefix.is_empty() {
                            local.start()
                        } else {
                            prefix.start()
                        } + offset;
                        let name = self.source[name_start..local.end() + offset].to_owned();
                        self.close_element(&name, span);
                    }
                }
            }
            Token::Text { text } => self.text_run(abs(text)),
            Token::Comment { span, .. } => self.leaf(
                NodeKind::Comment { conditional: false },
                abs(span),
                JinjaContext::Comment,
            ),
            Token::ConditionalCommentStart { span, .. } | Token::ConditionalCommentEnd { span } => {
                self.leaf(
                    NodeKind::Comment { conditional: true },
                    abs(span),
                    JinjaContext::Comment,
                );
            }
            other => self.leaf(
                NodeKind::OtherMarkup,
                abs(other.span()),
                JinjaContext::Unparsed,
            ),
        }
    }

    fn top(&self) -> NodeId {
        self.stack.last().copied().unwrap_or(NodeId(0))
    }

    fn has_room(&self, nodes: usize) -> bool {
        self.nodes.len() + nodes <= self.limits.max_nodes
    }

    fn element_start(&self, element: NodeId) -> usize {
        self.nodes[element.0].span.start
    }

    fn problem(&mut self, kind: ProblemKind, span: Span, message: &str) {
        self.problems.push(Problem {
            kind,
            span,
            message: message.to_owned(),
        });
    }

    fn push_node(&mut self, kind: NodeKind, span: Span, parent: NodeId) -> NodeId {
        let id = NodeId(self.nodes.len());
        self.nodes.push(Node {
            kind,
            span,
            parent: Some(parent),
            children: Vec::new(),
            embedded_jinja: Vec::new(),
            opaque: false,
        });
        self.nodes[parent.0].children.push(id);
        id
    }

    fn push_attribute(&mut self, element: NodeId, attribute: Attribute) {
        if let NodeKind::Element(data) = &mut self.nodes[element.0].kind {
            data.attributes.push(attribute);
        }
    }

    /// Scanned tokens starting in `span` (they end in it too: blanks never cross pieces).
    fn take_tokens(&mut self, span: Span) -> std::ops::Range<usize> {
        while self.next_token < self.tokens.len()
            && self.tokens[self.next_token].span.start < span.start
        {
            self.next_token += 1;
        }
        let first = self.next_token;
        while self.next_token < self.tokens.len()
            && self.tokens[self.next_token].span.start < span.end
        {
            self.next_token += 1;
        }
        first..self.next_token
    }

    fn count_tokens(&self, span: Span) -> usize {
        self.tokens[self.next_token..]
            .iter()
            .skip_while(|t| t.span.start < span.start)
            .take_while(|t| t.span.start < span.end)
            .count()
    }

    fn jinja_node(
        &mut self,
        index: usize,
        parent: NodeId,
        context: JinjaContext,
        embedded: bool,
    ) -> NodeId {
        let token = self.tokens[index].clone();
        let kind = NodeKind::Jinja(JinjaNode {
            token: token.kind,
            inner: token.inner,
            trim_before: token.trim_before,
            trim_after: token.trim_after,
            context,
            region: None,
        });
        let id = NodeId(self.nodes.len());
        self.nodes.push(Node {
            kind,
            span: token.span,
            parent: Some(parent),
            children: Vec::new(),
            embedded_jinja: Vec::new(),
            opaque: false,
        });
        if embedded {
            self.nodes[parent.0].embedded_jinja.push(id);
        } else {
            self.nodes[parent.0].children.push(id);
        }
        id
    }

    fn leaf(&mut self, kind: NodeKind, span: Span, context: JinjaContext) {
        let needed = 1 + self.count_tokens(span);
        if !self.has_room(needed) {
            self.cut_at(span.start, ProblemKind::TooManyNodes);
            return;
        }
        let parent = self.top();
        let opaque = matches!(kind, NodeKind::Unparsed { .. });
        let id = self.push_node(kind, span, parent);
        self.nodes[id.0].opaque = opaque;
        for index in self.take_tokens(span) {
            let jinja = self.jinja_node(index, id, context, true);
            self.nodes[jinja.0].opaque = opaque;
        }
    }

    fn text_run(&mut self, span: Span) {
        let count = self.count_tokens(span);
        if !self.has_room(2 + 2 * count) {
            self.cut_at(span.start, ProblemKind::TooManyNodes);
            return;
        }
        let parent = self.top();
        let run = self.push_node(NodeKind::TextRun, span, parent);
        let mut cursor = span.start;
        for index in self.take_tokens(span) {
            let token_span = self.tokens[index].span;
            if token_span.start > cursor {
                self.push_node(NodeKind::Text, Span::new(cursor, token_span.start), run);
            }
            self.jinja_node(index, run, JinjaContext::Content, false);
            cursor = token_span.end;
        }
        if cursor < span.end {
            self.push_node(NodeKind::Text, Span::new(cursor, span.end), run);
        }
    }

    fn finish_tag(&mut self, element: NodeId, end: usize, how: TagEnd) {
        self.in_tag = None;
        let start = self.element_start(element);
        let tag = Span::new(start, end);
        let needed = self.count_tokens(tag);
        if !self.has_room(needed) {
            // Roll the element back: the cut starts at its start tag.
            self.nodes.truncate(element.0);
            if let Some(parent) = self.stack.last().copied() {
                self.nodes[parent.0].children.retain(|&c| c != element);
            }
            self.cut_at(start, ProblemKind::TooManyNodes);
            return;
        }
        let mut templated = false;
        let tokens = self.take_tokens(tag);
        let attribute_values: Vec<Option<Span>> = match &self.nodes[element.0].kind {
            NodeKind::Element(data) => data
                .attributes
                .iter()
                .map(|a| a.value.map(|v| v.span))
                .collect(),
            _ => Vec::new(),
        };
        let mut jinja_values = Vec::new();
        for index in tokens {
            let token_span = self.tokens[index].span;
            let context = match attribute_values
                .iter()
                .position(|v| v.is_some_and(|v| v.encloses(token_span)))
            {
                Some(attribute) => {
                    jinja_values.push(attribute);
                    JinjaContext::AttributeValue { attribute }
                }
                None => {
                    templated = true;
                    JinjaContext::StartTag
                }
            };
            self.jinja_node(index, element, context, true);
        }
        let name = match &mut self.nodes[element.0].kind {
            NodeKind::Element(data) => {
                data.start_tag = tag;
                data.attributes_templated = templated;
                for attribute in jinja_values {
                    data.attributes[attribute].has_jinja = true;
                }
                match how {
                    TagEnd::Empty => data.self_closing = true,
                    TagEnd::Unterminated => data.malformed_start_tag = true,
                    TagEnd::Open => {}
                }
                data.name.clone()
            }
            _ => String::new(),
        };
        self.nodes[element.0].span = tag;
        if how == TagEnd::Open && !VOID_ELEMENTS.contains(&name.as_str()) {
            if let NodeKind::Element(data) = &mut self.nodes[element.0].kind {
                data.content = Some(Span::new(end, end));
            }
            self.stack.push(element);
        }
    }

    fn close_element(&mut self, name: &str, span: Span) {
        let found = self
            .stack
            .iter()
            .rposition(|&id| self.nodes[id.0].element().is_some_and(|e| e.name == name));
        let Some(position) = found.filter(|&p| p > 0) else {
            self.problem(
                ProblemKind::StrayEndTag,
                span,
                "end tag closing no open element",
            );
            self.leaf(
                NodeKind::Unparsed {
                    reason: ProblemKind::StrayEndTag,
                },
                span,
                JinjaContext::Unparsed,
            );
            return;
        };
        if !self.has_room(self.count_tokens(span)) {
            self.cut_at(span.start, ProblemKind::TooManyNodes);
            return;
        }
        while self.stack.len() > position + 1 {
            if let Some(open) = self.stack.pop() {
                self.problem(
                    ProblemKind::UnclosedElement,
                    self.nodes[open.0].element().map_or(span, |e| e.start_tag),
                    "element never closed",
                );
                self.close_content(open, span.start, None);
            }
        }
        if let Some(element) = self.stack.pop() {
            for index in self.take_tokens(span) {
                self.jinja_node(index, element, JinjaContext::EndTag, true);
            }
            self.close_content(element, span.start, Some(span));
        }
    }

    fn close_content(&mut self, element: NodeId, content_end: usize, end_tag: Option<Span>) {
        let node = &mut self.nodes[element.0];
        if let NodeKind::Element(data) = &mut node.kind {
            let content_start = data.start_tag.end;
            data.content = Some(Span::new(content_start, content_end));
            data.end_tag = end_tag;
            node.span = Span::new(data.start_tag.start, end_tag.map_or(content_end, |t| t.end));
        }
    }

    /// Unreadable markup outside a tag: everything up to the next `<` is one unparsed leaf.
    fn recover_content(&mut self, at: usize) -> usize {
        if at >= self.html_end {
            return self.html_end;
        }
        let bytes = self.blank.as_bytes();
        let next = bytes[at + 1..self.html_end]
            .iter()
            .position(|&b| b == b'<')
            .map_or(self.html_end, |p| at + 1 + p);
        let next = floor_char_boundary(self.source, next);
        let span = Span::new(at, next.max(at + 1).min(self.html_end));
        let span = Span::new(span.start, ceil_char_boundary(self.source, span.end));
        self.problem(
            ProblemKind::InvalidMarkup,
            span,
            "markup htmlparser (and so mrml) cannot read",
        );
        self.leaf(
            NodeKind::Unparsed {
                reason: ProblemKind::InvalidMarkup,
            },
            span,
            JinjaContext::Unparsed,
        );
        span.end
    }

    /// A start tag htmlparser gave up on (unquoted value, no space between attributes…): read
    /// the rest of its attributes leniently, then go on after its `>`.
    fn recover_tag(&mut self, at: usize) -> usize {
        let Some(element) = self.in_tag else {
            return at;
        };
        let end = self.html_end;
        let blank = std::mem::take(&mut self.blank);
        let b = blank.as_bytes();
        let mut i = at;
        let mut malformed = false;
        let mut unquoted = false;
        let result = loop {
            let ws_start = i;
            while i < end && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= end {
                malformed = true;
                break (end, TagEnd::Unterminated);
            }
            match b[i] {
                b'>' => break (i + 1, TagEnd::Open),
                b'/' if b.get(i + 1) == Some(&b'>') => break (i + 2, TagEnd::Empty),
                b'<' => {
                    malformed = true;
                    break (ws_start, TagEnd::Unterminated);
                }
                _ => {}
            }
            let name_start = i;
            while i < end && !is_name_stop(b, i) {
                i += 1;
            }
            if i == name_start {
                malformed = true;
                i = ceil_char_boundary(&blank, i + 1).min(end);
                continue;
            }
            let name_end = i;
            let mut j = i;
            while j < end && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = None;
            if j < end && b[j] == b'=' {
                j += 1;
                while j < end && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < end && matches!(b[j], b'"' | b'\'') {
                    let quote = b[j];
                    match b[j + 1..end].iter().position(|&c| c == quote) {
                        Some(p) => {
                            value = Some(AttributeValue {
                                span: Span::new(j + 1, j + 1 + p),
                                quote: if quote == b'"' {
                                    Quote::Double
                                } else {
                                    Quote::Single
                                },
                            });
                            i = j + 2 + p;
                        }
                        None => {
                            malformed = true;
                            break (end, TagEnd::Unterminated);
                        }
                    }
                } else {
                    let value_start = j;
                    while j < end && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'<' {
                        j += 1;
                    }
                    unquoted = true;
                    value = Some(AttributeValue {
                        span: Span::new(value_start, j),
                        quote: Quote::None,
                    });
                    i = j;
                }
            }
            let attribute = Attribute {
                name: self.source[name_start..name_end].to_owned(),
                name_span: Span::new(name_start, name_end),
                value,
                span: Span::new(ws_start, i),
                has_jinja: false,
            };
            self.push_attribute(element, attribute);
        };
        self.blank = blank;
        let (tag_end, how) = result;
        let tag = Span::new(self.element_start(element), tag_end);
        if malformed {
            self.problem(
                ProblemKind::InvalidMarkup,
                tag,
                "start tag that cannot be read",
            );
        } else if unquoted {
            self.problem(
                ProblemKind::InvalidMarkup,
                tag,
                "attribute value without quotes (mrml needs quotes)",
            );
        } else {
            self.problem(
                ProblemKind::InvalidMarkup,
                tag,
                "start tag htmlparser (and so mrml) cannot read",
            );
        }
        self.finish_tag(
            element,
            tag_end,
            if malformed { TagEnd::Unterminated } else { how },
        );
        tag_end
    }

    fn cut_at(&mut self, at: usize, kind: ProblemKind) {
        let message = match kind {
            ProblemKind::TooDeep => {
                format!("elements nested deeper than {}", self.limits.max_depth)
            }
            ProblemKind::TooManyNodes => format!("more than {} nodes", self.limits.max_nodes),
            _ => "not parsed".to_owned(),
        };
        self.problems.push(Problem {
            kind,
            span: Span::new(at, self.source.len()),
            message,
        });
        self.cut = Some(at);
    }

    fn finish(mut self) -> SourceTree {
        let len = self.source.len();
        let tail = self.cut.unwrap_or(self.html_end);
        if tail < len {
            let reason = self
                .problems
                .last()
                .map_or(ProblemKind::InvalidMarkup, |p| p.kind);
            let parent = self.top();
            let id = NodeId(self.nodes.len());
            self.nodes.push(Node {
                kind: NodeKind::Unparsed { reason },
                span: Span::new(tail, len),
                parent: Some(parent),
                children: Vec::new(),
                embedded_jinja: Vec::new(),
                opaque: true,
            });
            self.nodes[parent.0].children.push(id);
        }
        let report_unclosed = tail == len;
        while self.stack.len() > 1 {
            if let Some(open) = self.stack.pop() {
                if report_unclosed {
                    let span = self.nodes[open.0]
                        .element()
                        .map_or(Span::new(len, len), |e| e.start_tag);
                    self.problem(ProblemKind::UnclosedElement, span, "element never closed");
                }
                self.close_content(open, len, None);
            }
        }
        let jinja = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| matches!(n.kind, NodeKind::Jinja(_)))
            .map(|(i, _)| NodeId(i))
            .collect::<Vec<_>>();
        let mut jinja_sorted = jinja;
        jinja_sorted.sort_by_key(|id| self.nodes[id.0].span.start);
        let mut tree = SourceTree {
            source: self.source.to_owned(),
            nodes: self.nodes,
            jinja: jinja_sorted,
            regions: Vec::new(),
            problems: self.problems,
            lines: LineIndex::new(self.source),
            limits: self.limits,
        };
        crate::regions::pair(
            &mut tree.nodes,
            &tree.jinja,
            &mut tree.regions,
            &mut tree.problems,
            &tree.source,
        );
        tree
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TagEnd {
    Open,
    Empty,
    Unterminated,
}

fn is_name_stop(b: &[u8], i: usize) -> bool {
    b[i].is_ascii_whitespace()
        || matches!(b[i], b'=' | b'>' | b'<' | b'"' | b'\'')
        || (b[i] == b'/' && b.get(i + 1) == Some(&b'>'))
}

fn ceil_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

/// `text` with every Jinja token replaced by spaces of the same byte length (line breaks
/// kept), so htmlparser's spans over it are spans in the original.
///
/// htmlparser 0.2.1 also panics when a text's first `>` follows a multi-byte character within
/// two bytes (it slices `text[position - 2..]`): such characters become `x`s of the same
/// length in the copy. Names and text are always read from the original.
fn blanked(text: &str, tokens: &[ScannedToken]) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    let push_plain = |out: &mut String, from: usize, to: usize| {
        for (index, ch) in text[from..to].char_indices() {
            let end = from + index + ch.len_utf8();
            let before_gt = bytes.get(end) == Some(&b'>') || bytes.get(end + 1) == Some(&b'>');
            if ch.is_ascii() || !before_gt {
                out.push(ch);
            } else {
                out.extend(std::iter::repeat_n('x', ch.len_utf8()));
            }
        }
    };
    for token in tokens {
        push_plain(&mut out, cursor, token.span.start);
        for ch in text[token.span.range()].chars() {
            if ch == '\n' || ch == '\r' {
                out.push(ch);
            } else {
                out.extend(std::iter::repeat_n(' ', ch.len_utf8()));
            }
        }
        cursor = token.span.end;
    }
    push_plain(&mut out, cursor, text.len());
    out
}

/// htmlparser 0.2.1 panics on conditional comments it recognises by their start but cannot
/// finish (`<!--[if` without `]>`): such input is handled as unreadable markup instead.
fn conditional_comment_is_safe(rest: &[u8]) -> bool {
    // The same prefixes, in the same order, as htmlparser's `parse_conditional_comment_impl`.
    let skip = if rest.starts_with(b"<!--[if") {
        5
    } else if rest.starts_with(b"<![if") || rest.starts_with(b"<![endif]") {
        3
    } else if rest.starts_with(b"<!--<![endif") {
        7
    } else {
        return !rest.starts_with(b"<![endif");
    };
    let Some(close) = rest[skip..].iter().position(|&b| b == b']') else {
        return false;
    };
    let after = &rest[skip + close + 1..];
    after.starts_with(b">") || after.starts_with(b"-->")
}
