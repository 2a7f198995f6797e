//! Sample projects for sync tests: a temp copy of the sample, versions saved and published
//! by a fixed author at fixed dates, `[targets.*]` tables pointed at local peers.

use crate::repo_root;
use letterpress_studio::history::{Author, History, When};
use std::path::{Path, PathBuf};

/// The author of every version the tests save (a fixed identity, whatever git's config).
pub fn fixed_author() -> Author {
    Author {
        name: "Ada Designer".into(),
        email: "ada@example.com".into(),
    }
}

/// A fixed date: 2026-01-01 00:00 UTC plus `minute` minutes (orders versions in a test).
pub fn fixed_time(minute: i64) -> When {
    When {
        seconds: 1_767_225_600 + minute * 60,
        offset_minutes: 0,
    }
}

/// Commits every file of `root` as a new version (creating the history when needed) and
/// publishes it to `environment`. `minute` orders the fixed dates.
pub fn save_and_publish(root: &Path, environment: &str, minute: i64) -> String {
    let author = fixed_author();
    let when = fixed_time(minute);
    let history = match History::open(root) {
        Ok(h) => h,
        Err(_) => History::init(root).expect("init"),
    };
    if !history.changed_files().expect("status").is_empty() {
        history
            .save(&format!("Version {minute}"), &[], &author, when)
            .expect("save");
    }
    history
        .publish(
            environment,
            None,
            &format!("Release {minute}"),
            &author,
            when,
        )
        .expect("publish")
        .tag
}

/// Appends a `[targets.<name>]` table for the peer at `endpoint`.
pub fn add_target(root: &Path, name: &str, endpoint: &str, prefix: &str) {
    set_target(
        root,
        name,
        &format!(
            "provider = \"ses\"\nenvironment = \"staging\"\nregion = \"eu-west-1\"\n\
             endpoint = \"{endpoint}\"\nprefix = \"{prefix}\"\n"
        ),
    );
}

/// Sets `[targets.<name>]` of the project at `root` to a Postmark target on `endpoint`.
pub fn add_postmark_target(root: &Path, name: &str, endpoint: &str, prefix: &str) {
    set_target(
        root,
        name,
        &format!(
            "provider = \"postmark\"\nenvironment = \"staging\"\nendpoint = \"{endpoint}\"\n\
             prefix = \"{prefix}\"\n"
        ),
    );
}

/// Replaces (or adds) `[targets.<name>]` with `body`.
pub fn set_target(root: &Path, name: &str, body: &str) {
    let path = root.join("letterpress.toml");
    let mut text = std::fs::read_to_string(&path).expect("read letterpress.toml");
    // The sample defines a target of this name for the real provider: replace it.
    let header = format!("[targets.{name}]");
    if let Some(start) = text.find(&header) {
        let rest = &text[start + header.len()..];
        let end = rest
            .find("\n[")
            .map_or(text.len(), |i| start + header.len() + i + 1);
        text.replace_range(start..end, "");
    }
    text.push_str(&format!("\n{header}\n{body}"));
    std::fs::write(&path, text).expect("write letterpress.toml");
}

/// A temporary copy of the bundled sample project (`project/` inside the temp folder) with
/// only the templates Handlebars can express at send time (welcome, verify-email), plus
/// `onboarding`, a copy of welcome: 3 templates × 5 locales = 15 remote templates.
pub fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("project");
    letterpress_studio::copy_project(&repo_root(), &root).expect("copy sample");
    for t in [
        "receipt",
        "daily-digest",
        "password-reset",
        "team-invitation",
    ] {
        std::fs::remove_dir_all(root.join("templates").join(t)).expect("remove template");
    }
    let onboarding = root.join("templates/onboarding");
    std::fs::create_dir_all(onboarding.join("fixtures")).expect("mkdir");
    for file in ["template.toml", "body.mjml", "fixtures/default.json"] {
        std::fs::copy(
            root.join("templates/welcome").join(file),
            onboarding.join(file),
        )
        .expect("copy welcome");
    }
    (tmp, root)
}

/// The subject of the sample `welcome`'s variant `b` added by [`add_welcome_variants`].
pub const VARIANT_B_SUBJECT: &str = "Your Northwind workspace is ready, {{ user.first_name }}";
/// The subject of its variant `short`.
pub const VARIANT_SHORT_SUBJECT: &str = "Welcome aboard";
/// A line only variant `b`'s body shows.
pub const VARIANT_B_BANNER: &str = "Variant B: start with a template from the gallery";

/// Gives the sample's `welcome` (in the project at `root`) two A/B variants besides itself,
/// weighted 2 : 1 : 1 with it: `b` with its own body (`body.b.mjml`: the body with a banner
/// section first) and subject, `short` with its own subject only.
pub fn add_welcome_variants(root: &Path) {
    let dir = root.join("templates/welcome");
    let meta = dir.join("template.toml");
    let mut toml = std::fs::read_to_string(&meta).expect("read template.toml");
    toml.push_str(&format!(
        "\n[variants.a]\nweight = 2\n\n[variants.b]\nbody = \"body.b.mjml\"\nsubject = \
         '{VARIANT_B_SUBJECT}'\n\n[variants.short]\nsubject = \"{VARIANT_SHORT_SUBJECT}\"\n"
    ));
    std::fs::write(&meta, toml).expect("write template.toml");
    let body = std::fs::read_to_string(dir.join("body.mjml")).expect("read body.mjml");
    let banner = format!(
        "{{% block content %}}\n<mj-section>\n  <mj-column>\n    <mj-text>{VARIANT_B_BANNER}\
         </mj-text>\n  </mj-column>\n</mj-section>\n"
    );
    let b = body.replacen("{% block content %}\n", &banner, 1);
    assert_ne!(b, body, "the sample's welcome has a content block");
    std::fs::write(dir.join("body.b.mjml"), b).expect("write body.b.mjml");
}
