//! gettext PO: export and parse.
//!
//! One entry per key: `msgctxt` is the key, `msgid` the source text, `msgstr` the
//! translation, `#.` the translator notes and section, `#:` the source position, `#, fuzzy`
//! marks an outdated translation. Texts are Fluent syntax (`{ $name }` stays as written).
//! A plural message (one select on a variable over CLDR categories) becomes `msgid` (the
//! source's `one`) + `msgid_plural` (its `other`) + one `msgstr[n]` per form of the locale's
//! `Plural-Forms`. The header carries no dates, so exports are reproducible.

use crate::exchange::{ExchangeUnit, ImportedEntry, ImportedFile, Payload};
use crate::plural::plural_forms;
use letterpress_protocol::Location;
use letterpress_protocol::locales::{CellStatus, ExchangeFormat, ImportRejection, RejectReason};

/// Writes a PO file for `locale`.
pub fn write(project: &str, default_locale: &str, locale: &str, units: &[ExchangeUnit]) -> String {
    let mut out = String::new();
    out.push_str("msgid \"\"\nmsgstr \"\"\n");
    let mut header = vec![
        format!("Project-Id-Version: {project}"),
        format!("Language: {locale}"),
        "MIME-Version: 1.0".to_owned(),
        "Content-Type: text/plain; charset=UTF-8".to_owned(),
        "Content-Transfer-Encoding: 8bit".to_owned(),
    ];
    if let Some(forms) = plural_forms(locale) {
        header.push(format!("Plural-Forms: {}", forms.header()));
    }
    header.push(format!("X-Source-Language: {default_locale}"));
    header.push("X-Generator: Letterpress".to_owned());
    for line in header {
        out.push('"');
        out.push_str(&escape(&format!("{line}\n")));
        out.push_str("\"\n");
    }
    for unit in units {
        out.push('\n');
        if let Some(group) = &unit.group {
            for line in group.lines() {
                out.push_str(format!("#. Section: {line}").trim_end());
                out.push('\n');
            }
        }
        if let Some(note) = &unit.note {
            for line in note.lines() {
                out.push_str(format!("#. {line}").trim_end());
                out.push('\n');
            }
        }
        out.push_str(&format!(
            "#: {}:{}\n",
            unit.source_location.file, unit.source_location.line
        ));
        if unit.status == CellStatus::Outdated {
            out.push_str("#, fuzzy\n");
        }
        write_field(&mut out, "msgctxt", &unit.key);
        match (&unit.source, &unit.target) {
            (Payload::Plural(source), target) => {
                write_field(&mut out, "msgid", source.first().map_or("", String::as_str));
                write_field(
                    &mut out,
                    "msgid_plural",
                    source.get(1).map_or("", String::as_str),
                );
                let n = plural_forms(locale).map_or(2, |f| f.categories.len());
                for i in 0..n {
                    let text = match target {
                        Some(Payload::Plural(t)) => t.get(i).map_or("", String::as_str),
                        Some(Payload::Text(t)) => t.as_str(),
                        None => "",
                    };
                    write_field(&mut out, &format!("msgstr[{i}]"), text);
                }
            }
            (Payload::Text(source), target) => {
                write_field(&mut out, "msgid", source);
                let text = match target {
                    Some(Payload::Text(t)) => t.as_str(),
                    Some(Payload::Plural(t)) => t.first().map_or("", String::as_str),
                    None => "",
                };
                write_field(&mut out, "msgstr", text);
            }
        }
    }
    out
}

fn write_field(out: &mut String, name: &str, text: &str) {
    if text.contains('\n') {
        out.push_str(name);
        out.push_str(" \"\"\n");
        for piece in text.split_inclusive('\n') {
            out.push('"');
            out.push_str(&escape(piece));
            out.push_str("\"\n");
        }
    } else {
        out.push_str(&format!("{name} \"{}\"\n", escape(text)));
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            other => {
                return Err(format!(
                    "unknown escape `\\{}`",
                    other.map(String::from).unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

#[derive(Default)]
struct RawEntry {
    line: u32,
    msgctxt: Option<String>,
    msgid: Option<String>,
    msgid_plural: Option<String>,
    msgstr: Option<String>,
    msgstr_n: Vec<(usize, String)>,
}

impl RawEntry {
    fn is_empty(&self) -> bool {
        self.msgid.is_none() && self.msgctxt.is_none() && self.msgstr.is_none()
    }
}

/// Which string a continuation line extends.
#[derive(Clone, Copy)]
enum Field {
    Ctxt,
    Id,
    IdPlural,
    Str,
    StrN(usize),
}

/// Parses a PO file; `name` is used in locations.
pub fn parse(name: &str, text: &str) -> ImportedFile {
    let mut file = ImportedFile {
        format: ExchangeFormat::Po,
        source_locale: None,
        target_locale: None,
        entries: Vec::new(),
        rejected: Vec::new(),
    };
    let malformed = |line: u32, message: String| ImportRejection {
        key: None,
        reason: RejectReason::Malformed,
        message,
        location: Some(Location {
            file: name.to_owned(),
            line,
            column: 1,
        }),
    };
    let mut raw: Vec<RawEntry> = Vec::new();
    let mut current = RawEntry::default();
    let mut field: Option<Field> = None;
    for (index, line) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                raw.push(std::mem::take(&mut current));
            }
            field = None;
            continue;
        }
        // Obsolete entries (`#~ …`) are comments as far as the catalogs are concerned.
        if line.starts_with('#') {
            // A comment after strings starts the next entry.
            if field.is_some() && !current.is_empty() {
                raw.push(std::mem::take(&mut current));
                field = None;
            }
            continue;
        }
        let (keyword, rest) = match line.find(|c: char| c.is_whitespace() || c == '"') {
            Some(i) if !line.starts_with('"') => (&line[..i], line[i..].trim_start()),
            _ => ("", line),
        };
        let value = match rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(v) if rest.len() >= 2 => match unescape(v) {
                Ok(v) => v,
                Err(e) => {
                    file.rejected.push(malformed(number, e));
                    continue;
                }
            },
            _ => {
                file.rejected.push(malformed(
                    number,
                    format!("expected a quoted string: `{line}`"),
                ));
                continue;
            }
        };
        let starts_new = matches!(keyword, "msgctxt")
            || (keyword == "msgid" && !matches!(field, Some(Field::Ctxt)));
        if starts_new && !current.is_empty() {
            raw.push(std::mem::take(&mut current));
        }
        if current.is_empty() && !keyword.is_empty() {
            current.line = number;
        }
        let target = match keyword {
            "" => match field {
                Some(f) => f,
                None => {
                    file.rejected
                        .push(malformed(number, "a string outside any field".into()));
                    continue;
                }
            },
            "msgctxt" => Field::Ctxt,
            "msgid" => Field::Id,
            "msgid_plural" => Field::IdPlural,
            "msgstr" => Field::Str,
            k => match k
                .strip_prefix("msgstr[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|n| n.parse::<usize>().ok())
            {
                Some(n) => Field::StrN(n),
                None => {
                    file.rejected
                        .push(malformed(number, format!("unknown keyword `{k}`")));
                    continue;
                }
            },
        };
        let slot = match target {
            Field::Ctxt => current.msgctxt.get_or_insert_default(),
            Field::Id => current.msgid.get_or_insert_default(),
            Field::IdPlural => current.msgid_plural.get_or_insert_default(),
            Field::Str => current.msgstr.get_or_insert_default(),
            Field::StrN(n) => {
                if keyword.is_empty() {
                    match current.msgstr_n.iter_mut().find(|(i, _)| *i == n) {
                        Some((_, s)) => s,
                        None => continue,
                    }
                } else {
                    current.msgstr_n.push((n, String::new()));
                    match current.msgstr_n.last_mut() {
                        Some((_, s)) => s,
                        None => continue,
                    }
                }
            }
        };
        slot.push_str(&value);
        field = Some(target);
    }
    if !current.is_empty() {
        raw.push(current);
    }
    for entry in raw {
        let location = Location {
            file: name.to_owned(),
            line: entry.line,
            column: 1,
        };
        if entry.msgctxt.is_none() && entry.msgid.as_deref() == Some("") {
            let header = entry.msgstr.unwrap_or_default();
            for line in header.lines() {
                if let Some((k, v)) = line.split_once(':') {
                    match k.trim() {
                        "Language" => file.target_locale = Some(v.trim().replace('_', "-")),
                        "X-Source-Language" => {
                            file.source_locale = Some(v.trim().replace('_', "-"))
                        }
                        _ => {}
                    }
                }
            }
            continue;
        }
        let Some(key) = entry.msgctxt else {
            file.rejected.push(ImportRejection {
                key: None,
                reason: RejectReason::Malformed,
                message: format!(
                    "entry `{}` has no msgctxt, so its key is unknown",
                    entry.msgid.unwrap_or_default()
                ),
                location: Some(location),
            });
            continue;
        };
        let target = if entry.msgid_plural.is_some() {
            let mut forms = entry.msgstr_n;
            forms.sort_by_key(|(i, _)| *i);
            let texts: Vec<String> = forms.into_iter().map(|(_, s)| s).collect();
            (!texts.iter().all(String::is_empty)).then_some(Payload::Plural(texts))
        } else {
            entry.msgstr.filter(|s| !s.is_empty()).map(Payload::Text)
        };
        file.entries.push(ImportedEntry {
            key,
            target,
            location,
        });
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_through_escapes_and_continuations() {
        let mut out = String::new();
        write_field(&mut out, "msgstr", "a \"b\"\n  c\\d");
        assert_eq!(out, "msgstr \"\"\n\"a \\\"b\\\"\\n\"\n\"  c\\\\d\"\n");
        let po =
            format!("msgid \"\"\nmsgstr \"Language: pl\\n\"\n\nmsgctxt \"k\"\nmsgid \"x\"\n{out}");
        let f = parse("t.po", &po);
        assert!(f.rejected.is_empty(), "{:?}", f.rejected);
        assert_eq!(f.target_locale.as_deref(), Some("pl"));
        assert_eq!(
            f.entries[0].target,
            Some(Payload::Text("a \"b\"\n  c\\d".into()))
        );
        assert_eq!(f.entries[0].location.line, 4);
    }

    #[test]
    fn obsolete_entries_are_skipped_and_do_not_swallow_the_next_one() {
        let po = "msgid \"\"\nmsgstr \"Language: de\\n\"\n\n#~ msgctxt \"old\"\n#~ msgid \"x\"\n#~ msgstr \"y\"\n\n#, fuzzy\nmsgctxt \"k\"\nmsgid \"a\"\nmsgstr \"\"\n\"b\"\n";
        let f = parse("t.po", po);
        assert!(f.rejected.is_empty(), "{:?}", f.rejected);
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.entries[0].key, "k");
        assert_eq!(f.entries[0].target, Some(Payload::Text("b".into())));
    }
}
