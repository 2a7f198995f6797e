//! XLIFF 2.0: export and parse.
//!
//! One `<file>` per catalog file (id = file name without `.ftl`), one `<unit>` per key (id =
//! the key), one `<segment>` with `<source>` and `<target>` holding the unit text in Fluent
//! syntax, whitespace preserved. Placeables stay as written (`{ $name }`) rather than
//! becoming `<ph>` codes, and a plural message travels as its whole select expression
//! (`{ $count -> [one] … *[other] … }`) so translators write every category their language
//! needs. Notes: `description` (the comment above the message), `section` (the `##` group),
//! `location` (file:line of the source). `state`: `initial` when missing, else `translated`,
//! with `subState="letterpress:outdated"` when the source changed since.

use crate::exchange::{ExchangeUnit, ImportedEntry, ImportedFile, Payload};
use letterpress_protocol::Location;
use letterpress_protocol::locales::{CellStatus, ExchangeFormat, ImportRejection, RejectReason};
use quick_xml::events::Event;

/// The XLIFF 2.0 namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:xliff:document:2.0";

/// Writes an XLIFF 2.0 document.
pub fn write(default_locale: &str, locale: &str, units: &[ExchangeUnit]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff xmlns=\"{NAMESPACE}\" version=\"2.0\" srcLang=\"{}\" trgLang=\"{}\">\n",
        attr(default_locale),
        attr(locale)
    );
    let mut files: Vec<&str> = Vec::new();
    for unit in units {
        if !files.contains(&unit.file_name.as_str()) {
            files.push(&unit.file_name);
        }
    }
    for file in files {
        let id = file.strip_suffix(".ftl").unwrap_or(file);
        out.push_str(&format!(
            "  <file id=\"{}\" original=\"{}\">\n",
            attr(id),
            attr(file)
        ));
        for unit in units.iter().filter(|u| u.file_name == file) {
            out.push_str(&format!("    <unit id=\"{}\">\n", attr(&unit.key)));
            out.push_str("      <notes>\n");
            if let Some(note) = &unit.note {
                out.push_str(&format!(
                    "        <note category=\"description\">{}</note>\n",
                    text(note)
                ));
            }
            if let Some(group) = &unit.group {
                out.push_str(&format!(
                    "        <note category=\"section\">{}</note>\n",
                    text(group)
                ));
            }
            out.push_str(&format!(
                "        <note category=\"location\">{}:{}</note>\n",
                text(&unit.source_location.file),
                unit.source_location.line
            ));
            out.push_str("      </notes>\n");
            let state = match (unit.status, &unit.target) {
                (_, None) => " state=\"initial\"".to_owned(),
                (CellStatus::Outdated, _) => {
                    " state=\"translated\" subState=\"letterpress:outdated\"".to_owned()
                }
                _ => " state=\"translated\"".to_owned(),
            };
            out.push_str(&format!("      <segment{state}>\n"));
            out.push_str(&format!(
                "        <source xml:space=\"preserve\">{}</source>\n",
                text(&payload_text(&unit.source))
            ));
            if let Some(target) = &unit.target {
                out.push_str(&format!(
                    "        <target xml:space=\"preserve\">{}</target>\n",
                    text(&payload_text(target))
                ));
            }
            out.push_str("      </segment>\n    </unit>\n");
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</xliff>\n");
    out
}

fn payload_text(p: &Payload) -> String {
    match p {
        Payload::Text(t) => t.clone(),
        Payload::Plural(forms) => forms.first().cloned().unwrap_or_default(),
    }
}

fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn attr(s: &str) -> String {
    text(s).replace('"', "&quot;")
}

/// Where a text being collected goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Collecting {
    Source,
    Target,
}

/// Parses an XLIFF 2.0 document; `name` is used in locations.
pub fn parse(name: &str, document: &str) -> ImportedFile {
    let mut file = ImportedFile {
        format: ExchangeFormat::Xliff,
        source_locale: None,
        target_locale: None,
        entries: Vec::new(),
        rejected: Vec::new(),
    };
    let location = |offset: usize| Location::at_offset(name, document, offset);
    let mut reader = quick_xml::Reader::from_str(document);
    let mut saw_root = false;
    let mut unit: Option<(String, usize)> = None;
    let mut target: Option<String> = None;
    let mut collecting: Option<Collecting> = None;
    let mut inline_markup = false;
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(0);
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                file.rejected.push(ImportRejection {
                    key: None,
                    reason: RejectReason::Malformed,
                    message: format!("not well-formed XML: {e}"),
                    location: Some(location(
                        usize::try_from(reader.error_position()).unwrap_or(0),
                    )),
                });
                return file;
            }
        };
        match event {
            Event::Start(e) | Event::Empty(e) if collecting.is_some() => {
                let _ = e;
                inline_markup = true;
            }
            Event::Start(e) | Event::Empty(e) => {
                let local = e.local_name().as_ref().to_owned();
                let attribute = |wanted: &str| -> Option<String> {
                    e.attributes().flatten().find_map(|a| {
                        (a.key.as_ref() == wanted)
                            .then(|| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
                            .flatten()
                            .map(|v| v.into_owned())
                    })
                };
                match local.as_str() {
                    "xliff" => {
                        saw_root = true;
                        if attribute("version").as_deref() != Some("2.0") {
                            file.rejected.push(ImportRejection {
                                key: None,
                                reason: RejectReason::Malformed,
                                message: "only XLIFF version 2.0 is supported".into(),
                                location: Some(location(offset)),
                            });
                            return file;
                        }
                        file.source_locale = attribute("srcLang");
                        file.target_locale = attribute("trgLang");
                    }
                    "unit" => {
                        unit = attribute("id").map(|id| (id, offset));
                        target = None;
                        inline_markup = false;
                    }
                    "source" if unit.is_some() => collecting = Some(Collecting::Source),
                    "target" if unit.is_some() => {
                        target.get_or_insert_default();
                        collecting = Some(Collecting::Target);
                    }
                    _ => {}
                }
            }
            Event::End(e) => {
                let local = e.local_name();
                match local.as_ref() {
                    "source" | "target" => collecting = None,
                    "unit" => {
                        if let Some((key, at)) = unit.take() {
                            if inline_markup {
                                file.rejected.push(ImportRejection {
                                    key: Some(key.clone()),
                                    reason: RejectReason::Malformed,
                                    message: format!(
                                        "`{key}`: inline XLIFF codes are not supported; write placeables as Fluent text (`{{ $name }}`)"
                                    ),
                                    location: Some(location(at)),
                                });
                            } else {
                                file.entries.push(ImportedEntry {
                                    key,
                                    target: target.take().map(Payload::Text),
                                    location: location(at),
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if collecting == Some(Collecting::Target) => {
                if let Some(target) = &mut target {
                    target.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) if collecting == Some(Collecting::Target) => {
                if let Some(target) = &mut target {
                    target.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if collecting == Some(Collecting::Target) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.xml10_content().as_ref() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "apos" => Some('\''),
                        "quot" => Some('"'),
                        _ => None,
                    },
                };
                match (resolved, &mut target) {
                    (Some(c), Some(t)) => t.push(c),
                    (None, _) => {
                        file.rejected.push(ImportRejection {
                            key: unit.as_ref().map(|u| u.0.clone()),
                            reason: RejectReason::Malformed,
                            message: format!("unknown entity `&{};`", r.xml10_content()),
                            location: Some(location(offset)),
                        });
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        file.rejected.push(ImportRejection {
            key: None,
            reason: RejectReason::Malformed,
            message: "not an XLIFF document (no <xliff> element)".into(),
            location: Some(Location::start_of(name)),
        });
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_targets_with_entities_and_rejects_inline_codes() {
        let doc = format!(
            "<xliff xmlns=\"{NAMESPACE}\" version=\"2.0\" srcLang=\"en\" trgLang=\"de\"><file id=\"a\">\n<unit id=\"k\"><segment><source>x</source><target>a &lt;b&gt; &amp; &#233;\n  {{ $n }}</target></segment></unit>\n<unit id=\"p\"><segment><source>x</source><target>a <ph id=\"1\"/></target></segment></unit>\n<unit id=\"m\"><segment><source>x</source></segment></unit></file></xliff>"
        );
        let f = parse("t.xlf", &doc);
        assert_eq!(f.target_locale.as_deref(), Some("de"));
        assert_eq!(f.entries.len(), 2);
        assert_eq!(
            f.entries[0].target,
            Some(Payload::Text("a <b> & é\n  { $n }".into()))
        );
        assert_eq!(f.entries[1].target, None);
        assert_eq!(f.rejected.len(), 1);
        assert_eq!(f.rejected[0].location.as_ref().unwrap().line, 4);
    }

    #[test]
    fn broken_xml_is_rejected_with_a_position() {
        let f = parse(
            "t.xlf",
            "<xliff version=\"2.0\">\n<file><unit id=\"a\"></file>",
        );
        assert_eq!(f.rejected.len(), 1, "{:?}", f.rejected);
        assert_eq!(f.rejected[0].reason, RejectReason::Malformed);
    }
}
