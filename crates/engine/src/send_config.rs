//! `[send]` of `letterpress.toml`: who test sends come from, who they may go to, and the
//! SMTP server they go through. Parsed from text like the rest of the configuration (pure);
//! the studio does the sending.

use crate::config::PROJECT_FILE;
use crate::diagnostic::{Code, Diagnostic, Location};
use serde::{Deserialize, Serialize};

/// The project's test-send settings (`[send]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendConfig {
    /// The From mailbox (`Acme <hello@acme.test>`); `None`: test sends are refused.
    pub from: Option<String>,
    /// Recipient patterns a test send may go to without confirmation: an address
    /// (`me@example.com`) or a whole domain (`*@acme.test`), compared case-insensitively.
    pub allow: Vec<String>,
    /// The SMTP server, if any.
    pub smtp: Option<SmtpServer>,
}

impl SendConfig {
    /// Whether `address` matches an `allow` pattern.
    pub fn allows(&self, address: &str) -> bool {
        let address = address.trim().to_ascii_lowercase();
        self.allow.iter().any(|pattern| {
            let pattern = pattern.to_ascii_lowercase();
            match pattern.strip_prefix("*@") {
                Some(domain) => address
                    .rsplit_once('@')
                    .is_some_and(|(local, d)| !local.is_empty() && d == domain),
                None => address == pattern,
            }
        })
    }
}

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmtpSecurity {
    /// `smtps://`: TLS from the first byte (usually port 465).
    ImplicitTls,
    /// `smtp://` to any other host: STARTTLS is required (usually port 587).
    StartTls,
    /// `smtp://` to a loopback host (127.0.0.1, ::1, localhost): no TLS (local test
    /// servers). Never chosen for any other host.
    Plain,
}

/// An SMTP server from `smtp = "smtp[s]://[user@]host[:port]"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmtpServer {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// Port (default 465 for `smtps`, 587 for `smtp`).
    pub port: u16,
    /// User to authenticate as; its password comes from the keychain, never from here.
    pub user: Option<String>,
    /// TLS mode.
    pub security: SmtpSecurity,
}

impl SmtpServer {
    /// `smtp[s]://[user@]host:port`, without any secret (there is none in the URL).
    pub fn url(&self) -> String {
        let scheme = match self.security {
            SmtpSecurity::ImplicitTls => "smtps",
            SmtpSecurity::StartTls | SmtpSecurity::Plain => "smtp",
        };
        let user = self
            .user
            .as_deref()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{scheme}://{user}{host}:{}", self.port)
    }

    /// Parses `smtp[s]://[user@]host[:port]`; the error says what is wrong.
    pub fn parse(url: &str) -> Result<SmtpServer, String> {
        let (implicit, rest) = if let Some(r) = url.strip_prefix("smtps://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("smtp://") {
            (false, r)
        } else {
            return Err("use `smtp://host:587` (STARTTLS) or `smtps://host:465` (TLS)".into());
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', ' ']) {
            return Err(
                "no path, query, fragment or spaces: `smtp[s]://[user@]host[:port]`".into(),
            );
        }
        let (user, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => {
                if u.contains(':') {
                    return Err("no password in the URL: Letterpress keeps it in the OS \
                                keychain (`letterpress auth set-smtp`)"
                        .into());
                }
                if u.is_empty() {
                    return Err("the user before `@` is empty".into());
                }
                (Some(u.to_owned()), h)
            }
            None => (None, rest),
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or("an IPv6 address needs its closing `]`")?;
            (h, after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err("the host is missing".into());
        }
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("`{p}` is not a port"))?,
            None if implicit => 465,
            None => 587,
        };
        let loopback = matches!(host, "127.0.0.1" | "::1" | "localhost")
            || host.starts_with("127.")
            || host.ends_with(".localhost");
        let security = if implicit {
            SmtpSecurity::ImplicitTls
        } else if loopback {
            SmtpSecurity::Plain
        } else {
            SmtpSecurity::StartTls
        };
        Ok(SmtpServer {
            host: host.to_owned(),
            port,
            user,
            security,
        })
    }
}

/// `[send]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSend {
    #[serde(default)]
    from: Option<toml::Spanned<String>>,
    #[serde(default)]
    allow: Vec<toml::Spanned<String>>,
    #[serde(default)]
    smtp: Option<toml::Spanned<String>>,
}

/// The address part of a mailbox (`Name <a@b>` → `a@b`, `a@b` → `a@b`), if it looks like
/// one (a local part, `@`, a domain with a dot or `localhost`, no spaces).
pub fn mailbox_address(mailbox: &str) -> Option<&str> {
    let m = mailbox.trim();
    let address = match (m.rfind('<'), m.ends_with('>')) {
        (Some(i), true) => &m[i + 1..m.len() - 1],
        (None, false) => m,
        _ => return None,
    };
    is_address(address).then_some(address)
}

/// Whether `address` looks like `local@domain` (what an SMTP server would take).
pub fn is_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !address.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';'))
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// Validates `[send]`; errors point at the offending value.
pub(crate) fn parse_send(text: &str, raw: RawSend) -> Result<SendConfig, Box<Diagnostic>> {
    let at = |span: std::ops::Range<usize>, msg: String| {
        Box::new(Diagnostic::error(
            Code::InvalidConfig,
            msg,
            Some(Location::at_offset(PROJECT_FILE, text, span.start)),
        ))
    };
    let from = match raw.from {
        Some(f) => {
            if mailbox_address(f.get_ref()).is_none() {
                return Err(at(
                    f.span(),
                    format!(
                        "[send] from: `{}` is not a mailbox like `Acme <hello@acme.test>`",
                        f.get_ref()
                    ),
                ));
            }
            Some(f.get_ref().trim().to_owned())
        }
        None => None,
    };
    let mut allow = Vec::new();
    for a in &raw.allow {
        let pattern = a.get_ref().trim();
        let ok = match pattern.strip_prefix("*@") {
            Some(domain) => is_address(&format!("x@{domain}")),
            None => is_address(pattern),
        };
        if !ok {
            return Err(at(
                a.span(),
                format!(
                    "[send] allow: `{pattern}`: use an address (`me@example.com`) or a domain \
                     (`*@example.com`)"
                ),
            ));
        }
        allow.push(pattern.to_owned());
    }
    let smtp = match raw.smtp {
        Some(s) => Some(
            SmtpServer::parse(s.get_ref().trim())
                .map_err(|why| at(s.span(), format!("[send] smtp: {why}")))?,
        ),
        None => None,
    };
    Ok(SendConfig { from, allow, smtp })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProjectConfig;

    const HEAD: &str = "[project]\nname='t'\ndefault_locale='en'\nlocales=['en']\n";

    #[test]
    fn smtp_urls_choose_their_security_and_port() {
        let s = SmtpServer::parse("smtp://me@mail.example.com").unwrap();
        assert_eq!(
            (s.port, s.security, s.user.as_deref()),
            (587, SmtpSecurity::StartTls, Some("me"))
        );
        let s = SmtpServer::parse("smtps://mail.example.com").unwrap();
        assert_eq!((s.port, s.security), (465, SmtpSecurity::ImplicitTls));
        let s = SmtpServer::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((s.port, s.security), (2525, SmtpSecurity::Plain));
        let s = SmtpServer::parse("smtp://[::1]:25").unwrap();
        assert_eq!((s.host.as_str(), s.security), ("::1", SmtpSecurity::Plain));
        assert_eq!(s.url(), "smtp://[::1]:25");
        assert!(SmtpServer::parse("smtp://me:pw@host").is_err());
        assert!(SmtpServer::parse("http://host").is_err());
        assert!(SmtpServer::parse("smtp://host:0").is_err());
    }

    #[test]
    fn allow_patterns_match_addresses_and_domains() {
        let c = SendConfig {
            allow: vec!["*@acme.test".into(), "Me@Example.com".into()],
            ..SendConfig::default()
        };
        assert!(c.allows("anna@ACME.test"));
        assert!(c.allows("me@example.com"));
        assert!(!c.allows("anna@acme.test.evil"));
        assert!(!c.allows("@acme.test"));
        assert!(!c.allows("you@example.com"));
        assert_eq!(
            mailbox_address("Acme <hello@acme.test>"),
            Some("hello@acme.test")
        );
        assert_eq!(mailbox_address("hello@acme.test"), Some("hello@acme.test"));
        assert_eq!(mailbox_address("Acme hello@acme.test"), None);
    }

    #[test]
    fn a_bad_send_section_says_where() {
        let text = format!(
            "{HEAD}[send]\nfrom = 'Acme <hello@acme.test>'\nallow = ['*@acme.test', 'nope']\n"
        );
        let d = ProjectConfig::parse(&text).unwrap_err();
        let loc = d.location.clone().unwrap();
        assert_eq!((loc.line, loc.column), (7, 25), "{}", d.message);
        assert!(d.message.contains("`nope`"), "{}", d.message);
        let text = format!("{HEAD}[send]\nsmtp = 'smtp://u:secret@host'\n");
        let d = ProjectConfig::parse(&text).unwrap_err();
        assert_eq!(d.location.clone().unwrap().line, 6);
        assert!(d.message.contains("keychain"), "{}", d.message);
        assert!(
            !d.message.contains("secret"),
            "the password is never echoed: {}",
            d.message
        );
        let ok = ProjectConfig::parse(&format!(
            "{HEAD}[send]\nfrom = 'Acme <hello@acme.test>'\nsmtp = 'smtp://127.0.0.1:2525'\n"
        ))
        .unwrap();
        assert_eq!(ok.send.smtp.unwrap().security, SmtpSecurity::Plain);
    }
}
