//! What sync needs from a sending service's template store, whatever the provider: the
//! trait every client implements and the content it reads and writes.

use crate::ProviderError;
use crate::http::ProviderKind;
use crate::sigv4::sha256_hex;

/// A remote email template's content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemplateContent {
    /// Subject.
    pub subject: String,
    /// HTML part.
    pub html: String,
    /// Text part.
    pub text: String,
    /// The provider-side layout the template is wrapped in (Postmark), if any. Letterpress
    /// resolves layouts when publishing and uploads none; one found remotely is drift.
    pub layout: Option<String>,
}

impl TemplateContent {
    /// A stable hash of the three parts (what sync state records).
    pub fn hash(&self) -> String {
        let mut buf =
            Vec::with_capacity(self.subject.len() + self.html.len() + self.text.len() + 32);
        for part in [&self.subject, &self.html, &self.text] {
            buf.extend_from_slice(format!("{}:", part.len()).as_bytes());
            buf.extend_from_slice(part.as_bytes());
        }
        // Only when present, so that hashes recorded before layouts existed stay valid.
        if let Some(layout) = &self.layout {
            buf.extend_from_slice(format!("layout:{}:{layout}", layout.len()).as_bytes());
        }
        sha256_hex(&buf)
    }
}

/// Outcome of a create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// Created now.
    Created,
    /// A template of that name exists (maybe from an earlier attempt whose answer was lost).
    AlreadyExists,
}

/// Outcome of an update or delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Done.
    Done,
    /// No template of that name.
    NotFound,
}

/// A sending service's templates, as plan and apply use them: listed by name prefix, read,
/// created, updated and deleted by their stable remote name.
pub trait RemoteTemplates: Send + Sync {
    /// Names of every remote template starting with `prefix` (all pages), sorted.
    fn list_names(&self, prefix: &str) -> Result<Vec<String>, ProviderError>;
    /// A template's content, `None` when it does not exist.
    fn get(&self, name: &str) -> Result<Option<TemplateContent>, ProviderError>;
    /// Creates a template.
    fn create(&self, name: &str, content: &TemplateContent) -> Result<Created, ProviderError>;
    /// Replaces a template's content.
    fn update(&self, name: &str, content: &TemplateContent) -> Result<Found, ProviderError>;
    /// Deletes a template.
    fn delete(&self, name: &str) -> Result<Found, ProviderError>;
    /// Attempts retried so far.
    fn retries(&self) -> usize;
    /// Concurrent reads while planning.
    fn read_concurrency(&self) -> usize;
}

/// A create's outcome from the provider's answer: a name that exists already is an outcome
/// (maybe our own earlier attempt whose answer was lost), not a failure.
pub(crate) fn created<T>(answer: Result<T, ProviderError>) -> Result<Created, ProviderError> {
    match answer {
        Ok(_) => Ok(Created::Created),
        Err(e) if e.is_answer(ProviderKind::AlreadyExists) => Ok(Created::AlreadyExists),
        Err(e) => Err(e),
    }
}

/// An update's or delete's outcome from the provider's answer: a missing name is an outcome,
/// not a failure.
pub(crate) fn found<T>(answer: Result<T, ProviderError>) -> Result<Found, ProviderError> {
    match answer {
        Ok(_) => Ok(Found::Done),
        Err(e) if e.is_answer(ProviderKind::NotFound) => Ok(Found::NotFound),
        Err(e) => Err(e),
    }
}
