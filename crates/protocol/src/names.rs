//! The one slug rule for names that become folder and file names, git tag parts and remote
//! template names: template ids, fixture names, environments. Shared by the engine (config
//! validation), the studio (create, rename, publish) and the UI (checking as one types).

/// Longest template id or fixture name.
pub const MAX_TEMPLATE_ID: usize = 64;
/// Longest environment name (`published/<env>/<n>` tags, target environments).
pub const MAX_ENVIRONMENT: usize = 32;

/// A slug: 1..=`max_len` lowercase ASCII letters, digits and single-purpose dashes, starting
/// with a letter and not ending with a dash (`welcome`, `password-reset`, `eu-prod`).
pub fn is_slug(name: &str, max_len: usize) -> bool {
    (1..=max_len).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
}

/// The slug rule in words, for error messages.
pub const SLUG_RULE: &str = "lowercase letters, digits and dashes, starting with a letter";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_portable_names() {
        for ok in ["welcome", "password-reset", "eu-prod", "a1", "x"] {
            assert!(is_slug(ok, MAX_TEMPLATE_ID), "{ok}");
        }
        for bad in [
            "", "Welcome", "1st", "-a", "a-", "a_b", "a.b", "a/b", "..", "ä", "a b",
        ] {
            assert!(!is_slug(bad, MAX_TEMPLATE_ID), "{bad}");
        }
        assert!(is_slug(&"a".repeat(32), MAX_ENVIRONMENT));
        assert!(!is_slug(&"a".repeat(33), MAX_ENVIRONMENT));
    }
}
