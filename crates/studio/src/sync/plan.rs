//! The plan itself, without IO: desired (published) × remote × last synced → items.

use super::state::SyncedRecord;
use letterpress_engine::Diagnostic;
use letterpress_protocol::sync::{SyncAction, SyncItem};
use letterpress_providers::TemplateContent;
use similar::TextDiff;
use std::collections::{BTreeMap, HashMap};

/// What the published version wants at one remote name.
#[derive(Debug, Clone)]
pub struct Desired {
    /// Remote name.
    pub remote_name: String,
    /// Template id.
    pub template: String,
    /// Locale.
    pub locale: String,
    /// The A/B variant (`None`: the template itself).
    pub variant: Option<String>,
    /// The compiled content, or why it does not compile.
    pub content: Result<TemplateContent, Vec<Diagnostic>>,
}

/// Computes the items. `remote` holds the content of every remote template listed under the
/// target's prefix; `unfinished` the hashes of our writes whose outcome was never recorded.
pub fn compute(
    desired: &[Desired],
    remote: &HashMap<String, TemplateContent>,
    synced: &HashMap<String, SyncedRecord>,
    unfinished: &HashMap<String, Vec<String>>,
    prefix: &str,
) -> Vec<SyncItem> {
    let mut items: BTreeMap<String, SyncItem> = BTreeMap::new();
    // A remote hash is "ours" when it is what we last synced or what an interrupted write sent.
    let ours = |name: &str, hash: &str| {
        synced.get(name).is_some_and(|s| s.content_hash == hash)
            || unfinished
                .get(name)
                .is_some_and(|h| h.iter().any(|x| x == hash))
    };
    for d in desired {
        let item = |action, diff, diagnostics, note: &str| SyncItem {
            remote_name: d.remote_name.clone(),
            template: d.template.clone(),
            locale: d.locale.clone(),
            variant: d.variant.clone(),
            action,
            diff,
            diagnostics,
            note: note.to_owned(),
        };
        let entry = match (&d.content, remote.get(&d.remote_name)) {
            (Err(diagnostics), _) => item(
                SyncAction::Blocked,
                None,
                diagnostics.clone(),
                "does not compile",
            ),
            (Ok(_), None) if synced.contains_key(&d.remote_name) => item(
                SyncAction::Create,
                None,
                Vec::new(),
                "was deleted on the remote since the last sync",
            ),
            (Ok(_), None) => item(SyncAction::Create, None, Vec::new(), ""),
            (Ok(want), Some(have)) => {
                let have_hash = have.hash();
                if have_hash == want.hash() {
                    item(SyncAction::Unchanged, None, Vec::new(), "")
                } else if synced.contains_key(&d.remote_name) && !ours(&d.remote_name, &have_hash) {
                    item(
                        SyncAction::Drift,
                        Some(diff(&d.remote_name, have, want)),
                        Vec::new(),
                        "changed on the remote since the last sync",
                    )
                } else if synced.contains_key(&d.remote_name)
                    || unfinished.contains_key(&d.remote_name)
                {
                    item(
                        SyncAction::Update,
                        Some(diff(&d.remote_name, have, want)),
                        Vec::new(),
                        "",
                    )
                } else {
                    item(
                        SyncAction::Update,
                        Some(diff(&d.remote_name, have, want)),
                        Vec::new(),
                        "exists on the remote but was never synced from here: adopted",
                    )
                }
            }
        };
        items.insert(d.remote_name.clone(), entry);
    }
    for (name, have) in remote {
        if items.contains_key(name) {
            continue;
        }
        let tracked = synced.contains_key(name) || unfinished.contains_key(name);
        // With an empty prefix every remote template would match: only delete what we made.
        if !(tracked || (!prefix.is_empty() && name.starts_with(prefix))) {
            continue;
        }
        let record = synced.get(name);
        let drifted = record.is_some() && !ours(name, &have.hash());
        let empty = TemplateContent::default();
        items.insert(
            name.clone(),
            SyncItem {
                remote_name: name.clone(),
                template: record.map(|r| r.template.clone()).unwrap_or_default(),
                locale: record.map(|r| r.locale.clone()).unwrap_or_default(),
                variant: None,
                action: if drifted {
                    SyncAction::Drift
                } else {
                    SyncAction::Delete
                },
                diff: drifted.then(|| diff(name, have, &empty)),
                diagnostics: Vec::new(),
                note: if drifted {
                    "no longer published, and changed on the remote since the last sync".into()
                } else {
                    "no longer published".into()
                },
            },
        );
    }
    items.into_values().collect()
}

/// Unified diff of subject, html and text, remote → published.
pub fn diff(name: &str, have: &TemplateContent, want: &TemplateContent) -> String {
    let mut out = String::new();
    for (part, a, b) in [
        ("subject", &have.subject, &want.subject),
        ("html", &have.html, &want.html),
        ("text", &have.text, &want.text),
    ] {
        if a == b {
            continue;
        }
        let (a, b) = (with_newline(a), with_newline(b));
        let text = TextDiff::from_lines(&a, &b);
        out.push_str(
            &text
                .unified_diff()
                .context_radius(2)
                .header(
                    &format!("remote/{name}/{part}"),
                    &format!("published/{name}/{part}"),
                )
                .to_string(),
        );
    }
    out
}

fn with_newline(s: &str) -> String {
    if s.is_empty() || s.ends_with('\n') {
        s.to_owned()
    } else {
        format!("{s}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(subject: &str) -> TemplateContent {
        TemplateContent {
            subject: subject.into(),
            html: "<p>x</p>".into(),
            text: "x".into(),
            layout: None,
        }
    }

    fn want(name: &str, subject: &str) -> Desired {
        Desired {
            remote_name: name.into(),
            template: "t".into(),
            locale: "en".into(),
            variant: None,
            content: Ok(content(subject)),
        }
    }

    fn record(subject: &str) -> SyncedRecord {
        SyncedRecord {
            template: "t".into(),
            locale: "en".into(),
            content_hash: content(subject).hash(),
        }
    }

    #[test]
    fn actions() {
        let desired = [
            want("p-new", "A"),
            want("p-same", "A"),
            want("p-changed", "B"),
            want("p-drift", "B"),
            want("p-resumed", "B"),
        ];
        let remote: HashMap<_, _> = [
            ("p-same", content("A")),
            ("p-changed", content("A")),
            ("p-drift", content("edited by hand")),
            ("p-resumed", content("half-way")),
            ("p-gone", content("old")),
            ("p-gone-edited", content("edited")),
            ("other", content("not ours")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let synced: HashMap<_, _> = [
            ("p-changed", record("A")),
            ("p-drift", record("A")),
            ("p-resumed", record("A")),
            ("p-gone-edited", record("old")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let unfinished: HashMap<_, _> =
            [("p-resumed".to_owned(), vec![content("half-way").hash()])].into();
        let items = compute(&desired, &remote, &synced, &unfinished, "p-");
        let actions: Vec<(&str, SyncAction)> = items
            .iter()
            .map(|i| (i.remote_name.as_str(), i.action))
            .collect();
        assert_eq!(
            actions,
            [
                ("p-changed", SyncAction::Update),
                ("p-drift", SyncAction::Drift),
                ("p-gone", SyncAction::Delete),
                ("p-gone-edited", SyncAction::Drift),
                ("p-new", SyncAction::Create),
                ("p-resumed", SyncAction::Update),
                ("p-same", SyncAction::Unchanged),
            ]
        );
        let changed = &items[0];
        assert!(changed.diff.as_deref().unwrap().contains("-A\n+B\n"));
        // An empty prefix never deletes what we did not make.
        let items = compute(&[], &remote, &HashMap::new(), &HashMap::new(), "");
        assert!(items.is_empty());
    }
}
