//! The send-time plain-text part, derived from the HTML the way the preview derives it.
//!
//! The preview writes the text of the *rendered* email ([`crate::text::html_to_text`]): a
//! sequence of words, each separated from the next by a space, a line break or a blank line,
//! where the separators between two words that both appear are merged (the widest wins) and
//! nothing is written before the first word or after the last. A block that renders nothing,
//! or a value that is empty, writes no word, so the separators around it merge.
//!
//! A sending service fills the text in without redoing that derivation, so the template
//! must already say, for every data, exactly the separators the preview would merge. The
//! text is derived here once from the HTML with markers (block markers and values are words
//! of their own), read back into words, separators and blocks, and written out again:
//! - each separator is written just before the next word, inside the blocks that word is in,
//!   so a block marker never gets a line of its own and a block that renders nothing leaves
//!   the separators around it as the preview merges them;
//! - a word made only of values that may be empty is written inside `{{#if value}}` (one
//!   condition per value, through `else` for the next one), so an empty value writes neither
//!   the word nor its separator;
//! - where the separator before a word depends on which branch of a condition ran, the
//!   following words (up to where the branches agree again) are written into each branch;
//! - where it still depends on data no block can test (a loop at the start of the text whose
//!   first item may write nothing), the template is refused with the reason.
//!
//! What is tracked for each point of the template is the set of states the preview's
//! derivation can be in there ([`States`]): nothing written yet, or the widest separator owed
//! since the last word.

use super::{BridgeState, CLOSE, Marker, Mode, OPEN, Spelling};
use std::sync::PoisonError;

/// A separator between words; merged separators give the widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Sep {
    /// Nothing (words written together).
    Nothing = 0,
    Space = 1,
    Line = 2,
    Blank = 3,
}

impl Sep {
    const ALL: [Sep; 4] = [Sep::Nothing, Sep::Space, Sep::Line, Sep::Blank];

    fn text(self) -> &'static str {
        match self {
            Sep::Nothing => "",
            Sep::Space => " ",
            Sep::Line => "\n",
            Sep::Blank => "\n\n",
        }
    }
}

/// The states the preview's text derivation can be in at a point of the template: bit 0 =
/// nothing written yet, bit 1 + s = a word written, then separator `s` owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct States(u8);

impl States {
    const START: States = States(1);

    fn after(sep: Sep) -> States {
        States(1 << (1 + sep as u8))
    }

    fn union(self, other: States) -> States {
        States(self.0 | other.0)
    }

    fn has_start(self) -> bool {
        self.0 & 1 != 0
    }

    fn owed(self) -> impl Iterator<Item = Sep> {
        Sep::ALL
            .into_iter()
            .filter(move |s| self.0 & (1 << (1 + *s as u8)) != 0)
    }

    /// After a separator: nothing is owed before the first word.
    fn then_sep(self, sep: Sep) -> States {
        let mut out = States(self.0 & 1);
        for owed in self.owed() {
            out = out.union(States::after(owed.max(sep)));
        }
        out
    }

    /// The separator to write before a word, when it is the same in every state.
    fn word_sep(self) -> Option<&'static str> {
        let mut texts = self
            .owed()
            .map(Sep::text)
            .chain(self.has_start().then_some(""));
        let first = texts.next()?;
        texts.all(|t| t == first).then_some(first)
    }
}

/// Part of a word.
#[derive(Debug, Clone)]
enum Piece {
    Lit(String),
    /// A value marker; `may_be_empty` when it can render as nothing.
    Val {
        marker: String,
        may_be_empty: bool,
    },
}

#[derive(Debug, Clone)]
enum Node {
    Sep(Sep),
    /// Pieces written together; it writes a word unless every piece may be empty.
    Word(Vec<Piece>),
    If {
        open: String,
        then: Vec<Node>,
        otherwise: Vec<Node>,
        close: String,
    },
    Each {
        open: String,
        body: Vec<Node>,
        close: String,
        /// The list's spelling, to test whether it has items.
        list: Option<Spelling>,
        /// Known to have an item (inside that test).
        has_items: bool,
    },
}

/// What the reader found between markers.
enum Atom {
    Sep(Sep),
    Lit(String),
    Marker(usize, String),
}

/// The text template for `derived` (the text of the HTML with markers): markers and literal
/// text, to be spelled in a dialect by [`super::to_dialect`]. An error says why the preview's
/// text cannot be said exactly.
pub(crate) fn text_template(derived: &str, state: &BridgeState) -> Result<String, String> {
    let atoms = read_atoms(derived);
    let tree = build_tree(atoms, state)?;
    let mut writer = Writer {
        limit: derived.len().saturating_mul(16).max(1 << 16),
        otherwise: state.marker(Marker::Else),
        state,
    };
    let (mut out, _) = writer.seq(&tree, States::START)?;
    out.push('\n');
    Ok(out)
}

fn marker_id(text: &str) -> Option<(usize, usize)> {
    let after = text.strip_prefix(OPEN)?;
    let end = after.find(CLOSE)?;
    let id = after[..end].strip_prefix("lP")?.parse().ok()?;
    Some((id, OPEN.len_utf8() + end + CLOSE.len_utf8()))
}

/// Lines, blank lines, single spaces between words, literal text and markers. The derived
/// text is already merged: lines are separated by one line break or one blank line, and
/// within a line words by one space (longer runs of whitespace, from `<pre>` or a list's
/// indentation, are literal text).
fn read_atoms(derived: &str) -> Vec<Atom> {
    let mut atoms = Vec::new();
    let mut blank = false;
    let mut first = true;
    for line in derived.split('\n') {
        if line.trim().is_empty() {
            blank = true;
            continue;
        }
        if !first {
            atoms.push(Atom::Sep(if blank { Sep::Blank } else { Sep::Line }));
        }
        first = false;
        blank = false;
        let mut lit = String::new();
        let mut rest = line;
        let mut at_start = true;
        while let Some(c) = rest.chars().next() {
            if c == OPEN
                && let Some((id, len)) = marker_id(rest)
            {
                if !lit.is_empty() {
                    atoms.push(Atom::Lit(std::mem::take(&mut lit)));
                }
                atoms.push(Atom::Marker(id, rest[..len].to_owned()));
                rest = &rest[len..];
                at_start = false;
                continue;
            }
            if matches!(c, ' ' | '\t' | '\r' | '\u{c}') {
                let run = rest
                    .find(|c: char| !matches!(c, ' ' | '\t' | '\r' | '\u{c}'))
                    .unwrap_or(rest.len());
                if run == 1 && c == ' ' && !at_start && run < rest.len() {
                    if !lit.is_empty() {
                        atoms.push(Atom::Lit(std::mem::take(&mut lit)));
                    }
                    atoms.push(Atom::Sep(Sep::Space));
                } else {
                    lit.push_str(&rest[..run]);
                }
                rest = &rest[run..];
                continue;
            }
            at_start = false;
            lit.push(c);
            rest = &rest[c.len_utf8()..];
        }
        if !lit.is_empty() {
            atoms.push(Atom::Lit(lit));
        }
    }
    atoms
}

/// An open block while the tree is built.
struct Frame {
    open: Option<(String, bool)>,
    then: Vec<Node>,
    otherwise: Option<Vec<Node>>,
}

fn build_tree(atoms: Vec<Atom>, state: &BridgeState) -> Result<Vec<Node>, String> {
    const CUT: &str = "a send-time block of the text part is cut by hidden content; keep \
                       `{% if %}` and `{% for %}` around whole visible elements";
    let markers = state
        .markers
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let mut root: Vec<Node> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut word: Vec<Piece> = Vec::new();
    fn current<'a>(root: &'a mut Vec<Node>, stack: &'a mut [Frame]) -> &'a mut Vec<Node> {
        match stack.last_mut() {
            Some(frame) => frame.otherwise.as_mut().unwrap_or(&mut frame.then),
            None => root,
        }
    }
    fn end_word(root: &mut Vec<Node>, stack: &mut [Frame], word: &mut Vec<Piece>) {
        if !word.is_empty() {
            current(root, stack).push(Node::Word(std::mem::take(word)));
        }
    }
    for atom in atoms {
        match atom {
            Atom::Sep(sep) => {
                end_word(&mut root, &mut stack, &mut word);
                current(&mut root, &mut stack).push(Node::Sep(sep));
            }
            Atom::Lit(text) => word.push(Piece::Lit(text)),
            Atom::Marker(id, text) => match markers.get(id) {
                Some(Marker::Value {
                    default,
                    never_empty,
                    ..
                }) => word.push(Piece::Val {
                    marker: text,
                    may_be_empty: !never_empty && default.as_deref().is_none_or(str::is_empty),
                }),
                Some(open @ (Marker::IfOpen { .. } | Marker::EachOpen { .. })) => {
                    end_word(&mut root, &mut stack, &mut word);
                    let each = matches!(open, Marker::EachOpen { .. });
                    stack.push(Frame {
                        open: Some((text, each)),
                        then: Vec::new(),
                        otherwise: None,
                    });
                }
                Some(Marker::Else) => {
                    end_word(&mut root, &mut stack, &mut word);
                    match stack.last_mut() {
                        Some(Frame {
                            open: Some((_, false)),
                            otherwise: otherwise @ None,
                            ..
                        }) => *otherwise = Some(Vec::new()),
                        _ => return Err(CUT.into()),
                    }
                }
                Some(close @ (Marker::IfClose { .. } | Marker::EachClose)) => {
                    end_word(&mut root, &mut stack, &mut word);
                    let each = matches!(close, Marker::EachClose);
                    let Some(frame) = stack.pop() else {
                        return Err(CUT.into());
                    };
                    let node = match frame.open {
                        Some((open, true)) if each && frame.otherwise.is_none() => Node::Each {
                            list: marker_id(&open)
                                .and_then(|(id, _)| markers.get(id))
                                .and_then(|m| match m {
                                    Marker::EachOpen { spelling, .. } => Some(spelling.clone()),
                                    _ => None,
                                }),
                            open,
                            body: frame.then,
                            close: text,
                            has_items: false,
                        },
                        Some((open, false)) if !each => Node::If {
                            open,
                            then: frame.then,
                            otherwise: frame.otherwise.unwrap_or_default(),
                            close: text,
                        },
                        _ => return Err(CUT.into()),
                    };
                    current(&mut root, &mut stack).push(node);
                }
                // Not a marker of this compile: `to_dialect` reports it.
                None => word.push(Piece::Lit(text)),
            },
        }
    }
    end_word(&mut root, &mut stack, &mut word);
    if !stack.is_empty() {
        return Err(CUT.into());
    }
    Ok(with_value_conditions(root, state, &markers))
}

/// Words made only of values that may be empty become conditions on those values: the word
/// (and the separator before it) is written only when one of them is not empty.
fn with_value_conditions(nodes: Vec<Node>, state: &BridgeState, markers: &[Marker]) -> Vec<Node> {
    nodes
        .into_iter()
        .map(|node| match node {
            Node::Word(pieces) if pieces.iter().all(may_be_empty) => {
                conditional_word(&pieces, state, markers)
            }
            Node::If {
                open,
                then,
                otherwise,
                close,
            } => Node::If {
                open,
                then: with_value_conditions(then, state, markers),
                otherwise: with_value_conditions(otherwise, state, markers),
                close,
            },
            Node::Each {
                open,
                body,
                close,
                list,
                has_items,
            } => Node::Each {
                open,
                body: with_value_conditions(body, state, markers),
                close,
                list,
                has_items,
            },
            other => other,
        })
        .collect()
}

fn may_be_empty(piece: &Piece) -> bool {
    matches!(
        piece,
        Piece::Val {
            may_be_empty: true,
            ..
        }
    )
}

/// `{{#if v1}}v1 v2…{{else}}(the same for v2…){{/if}}`.
fn conditional_word(pieces: &[Piece], state: &BridgeState, markers: &[Marker]) -> Node {
    let Some((Piece::Val { marker, .. }, rest)) = pieces.split_first() else {
        return Node::Word(pieces.to_vec());
    };
    let spelling = marker_id(marker)
        .and_then(|(id, _)| markers.get(id))
        .and_then(|m| match m {
            Marker::Value { spelling, .. } => Some(spelling.clone()),
            _ => None,
        });
    let Some(spelling) = spelling else {
        return Node::Word(pieces.to_vec());
    };
    let mut known = pieces.to_vec();
    if let Some(Piece::Val { may_be_empty, .. }) = known.first_mut() {
        *may_be_empty = false;
    }
    let otherwise = if rest.is_empty() {
        Vec::new()
    } else {
        vec![conditional_word(rest, state, markers)]
    };
    Node::If {
        open: state.marker(Marker::IfOpen {
            spelling,
            mode: Mode::Truthy,
        }),
        then: vec![Node::Word(known)],
        otherwise,
        close: state.marker(Marker::IfClose { mode: Mode::Truthy }),
    }
}

/// The states after `nodes`, entered in `states`.
fn after(nodes: &[Node], mut states: States) -> States {
    for node in nodes {
        states = match node {
            Node::Sep(sep) => states.then_sep(*sep),
            Node::Word(pieces) if pieces.iter().all(may_be_empty) => {
                states.union(States::after(Sep::Nothing))
            }
            Node::Word(_) => States::after(Sep::Nothing),
            Node::If {
                then, otherwise, ..
            } => after(then, states).union(after(otherwise, states)),
            Node::Each {
                body, has_items, ..
            } => {
                let all = loop_states(body, states);
                if *has_items { after(body, all) } else { all }
            }
        };
    }
    states
}

/// The states at the start of every item of a loop entered in `states` (also its exit).
fn loop_states(body: &[Node], states: States) -> States {
    let mut all = states;
    loop {
        let next = all.union(after(body, all));
        if next == all {
            return all;
        }
        all = next;
    }
}

struct Writer<'a> {
    state: &'a BridgeState,
    /// The longest the template may grow (conditions copy the words that follow them).
    limit: usize,
    /// The `else` marker.
    otherwise: String,
}

impl Writer<'_> {
    fn spend(&self, text: &str) -> Result<(), String> {
        if text.len() > self.limit {
            return Err(
                "the text part has too many conditions next to each other to be \
                        written exactly for the sending service; add a `text.txt` to the \
                        template"
                    .to_owned(),
            );
        }
        Ok(())
    }

    fn seq(&mut self, nodes: &[Node], mut states: States) -> Result<(String, States), String> {
        let mut out = String::new();
        let mut i = 0;
        while i < nodes.len() {
            match &nodes[i] {
                Node::Sep(sep) => states = states.then_sep(*sep),
                Node::Word(pieces) => {
                    let Some(sep) = states.word_sep() else {
                        return Err(ambiguous(pieces));
                    };
                    out.push_str(sep);
                    for piece in pieces {
                        match piece {
                            Piece::Lit(text) | Piece::Val { marker: text, .. } => {
                                out.push_str(text);
                            }
                        }
                    }
                    self.spend(&out)?;
                    states = if pieces.iter().all(may_be_empty) {
                        states.union(States::after(Sep::Nothing))
                    } else {
                        States::after(Sep::Nothing)
                    };
                }
                Node::If {
                    open,
                    then,
                    otherwise,
                    close,
                } => {
                    let (t, o) = (after(then, states), after(otherwise, states));
                    // Where the branches leave different separators owed, the words that
                    // follow (until the branches agree) are written into each branch.
                    let rest = &nodes[i + 1..];
                    let take = if t == o {
                        0
                    } else {
                        (1..=rest.len())
                            .find(|&k| after(&rest[..k], t) == after(&rest[..k], o))
                            .unwrap_or(rest.len())
                    };
                    let tail = &rest[..take];
                    let then: Vec<Node> = then.iter().chain(tail).cloned().collect();
                    let otherwise: Vec<Node> = otherwise.iter().chain(tail).cloned().collect();
                    let (a, ta) = self.seq(&then, states)?;
                    let (b, tb) = self.seq(&otherwise, states)?;
                    if !a.is_empty() || !b.is_empty() {
                        out.push_str(open);
                        out.push_str(&a);
                        if !b.is_empty() {
                            out.push_str(&self.otherwise);
                            out.push_str(&b);
                        }
                        out.push_str(close);
                    }
                    self.spend(&out)?;
                    states = ta.union(tb);
                    i += take;
                }
                Node::Each {
                    list: Some(list),
                    has_items: false,
                    ..
                } if self.needs_items_test(&nodes[i], &nodes[i + 1..], states) => {
                    // What follows depends on whether the list has items: test it, and let
                    // the condition write what follows in each branch.
                    let mut nodes = nodes.to_vec();
                    let mut each = nodes[i].clone();
                    if let Node::Each { has_items, .. } = &mut each {
                        *has_items = true;
                    }
                    nodes[i] = Node::If {
                        open: self.state.marker(Marker::IfOpen {
                            spelling: list.clone(),
                            mode: Mode::Truthy,
                        }),
                        then: vec![each],
                        otherwise: Vec::new(),
                        close: self.state.marker(Marker::IfClose { mode: Mode::Truthy }),
                    };
                    let (rest, rest_states) = self.seq(&nodes[i..], states)?;
                    out.push_str(&rest);
                    self.spend(&out)?;
                    return Ok((out, rest_states));
                }
                Node::Each {
                    open, body, close, ..
                } => {
                    let entry = loop_states(body, states);
                    let b = match self.seq(body, entry) {
                        Ok((b, _)) => b,
                        Err(problem) => self.first_item_apart(body, states).ok_or(problem)??,
                    };
                    if !b.is_empty() {
                        out.push_str(open);
                        out.push_str(&b);
                        out.push_str(close);
                    }
                    self.spend(&out)?;
                    states = after(std::slice::from_ref(&nodes[i]), states);
                }
            }
            i += 1;
        }
        Ok((out, states))
    }
}

impl Writer<'_> {
    /// Whether the separator before the word after `each` depends on whether its list has
    /// items, where knowing that would decide it.
    fn needs_items_test(&self, each: &Node, rest: &[Node], states: States) -> bool {
        let Node::Each { body, .. } = each else {
            return false;
        };
        let with_items = after(body, loop_states(body, states));
        if with_items == states {
            return false;
        }
        let seps = rest.iter().take_while(|n| matches!(n, Node::Sep(_)));
        let (mut none, mut some) = (states, with_items);
        for node in seps {
            if let Node::Sep(sep) = node {
                none = none.then_sep(*sep);
                some = some.then_sep(*sep);
            }
        }
        none.union(some).word_sep().is_none()
            && none.word_sep().is_some()
            && some.word_sep().is_some()
    }

    /// A loop whose first item owes another separator than the others (`states` before the
    /// loop, `after` each item), where every item leaves the same: the first item is written
    /// apart, `{{#if @first}}…{{else}}…{{/if}}`. `None` where the items leave different ones.
    fn first_item_apart(
        &mut self,
        body: &[Node],
        states: States,
    ) -> Option<Result<String, String>> {
        let later = after(body, states);
        if after(body, later) != later {
            return None;
        }
        Some(self.first_and_later(body, states, later))
    }

    fn first_and_later(
        &mut self,
        body: &[Node],
        states: States,
        later: States,
    ) -> Result<String, String> {
        let (first, _) = self.seq(body, states)?;
        let (others, _) = self.seq(body, later)?;
        let open = self.state.marker(Marker::IfOpen {
            spelling: Spelling {
                handlebars: Ok("@first".into()),
                lookup: Ok("@first".into()),
                jinja: Ok("loop.first".into()),
                mustachio: Err(
                    "the text part of a loop over recipient data writes its first \
                                item with other line breaks than the next ones, and Postmark's \
                                Mustachio cannot tell the first item (no loop variables); put \
                                fixed text before the loop, or add a `text.txt` to the template"
                        .into(),
                ),
            },
            mode: Mode::Truthy,
        });
        let close = self.state.marker(Marker::IfClose { mode: Mode::Truthy });
        let out = format!("{open}{first}{}{others}{close}", self.otherwise);
        self.spend(&out)?;
        Ok(out)
    }
}

fn ambiguous(pieces: &[Piece]) -> String {
    let word: String = pieces
        .iter()
        .map(|p| match p {
            Piece::Lit(text) => text.as_str(),
            Piece::Val { .. } => "…",
        })
        .collect();
    format!(
        "the text part cannot be written exactly for the sending service: whether a line \
         break comes before `{word}` depends on recipient data in a way its template \
         language cannot test (whether a loop over recipient data has written anything yet, \
         or which of its items did); put fixed text before the loop, or add a `text.txt` to \
         the template"
    )
}
