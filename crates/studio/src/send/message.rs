//! The one place a rendered email becomes a MIME message: test sends now, the bulk sender
//! later. `multipart/alternative` with the text part first and the HTML last (clients show
//! the last part they can), the subject RFC 2047-encoded when it is not ASCII, bodies in
//! 7bit, quoted-printable or base64 (lettre picks the shortest safe one), CRLF line ends.
//! The preheader is inside the HTML (the engine renders it as the hidden first block).
//!
//! Nothing here reads the clock or a random source: the date, the Message-ID and the MIME
//! boundary come in with [`Envelope`], so the same inputs give the same bytes.

use super::SendError;
use letterpress_engine::RenderOutput;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use std::time::{Duration, SystemTime};

/// Who and when, for one message.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The From mailbox (`Acme <hello@acme.test>`).
    pub from: String,
    /// The recipient's address.
    pub to: String,
    /// The subject (the render's, or with a test token in front).
    pub subject: String,
    /// The Date header, as Unix seconds.
    pub date: i64,
    /// A unique part for the Message-ID (`<unique@from-domain>`) and the MIME boundary.
    pub unique: String,
    /// Extra headers (name, value), e.g. `X-Letterpress-Test`.
    pub headers: Vec<(String, String)>,
}

/// A message ready to go out.
#[derive(Debug, Clone)]
pub struct BuiltMessage {
    /// The whole message as sent (headers and body, CRLF line ends).
    pub bytes: Vec<u8>,
    /// The envelope sender (From's address).
    pub from_address: String,
    /// The envelope recipient.
    pub to_address: String,
    /// The subject written in the message.
    pub subject: String,
}

impl BuiltMessage {
    /// The encoded size: the bytes a server receives.
    pub fn encoded_size(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// Builds the message of a render. Refuses a render with errors (its first error, with its
/// place) and addresses that cannot be used.
pub fn build_message(
    render: &RenderOutput,
    envelope: &Envelope,
) -> Result<BuiltMessage, SendError> {
    if let Some(d) = render.diagnostics.iter().find(|d| d.is_error()) {
        return Err(SendError::Render(Box::new(d.clone())));
    }
    let from: Mailbox = envelope.from.parse().map_err(|e| {
        SendError::InvalidAddress(format!("From `{}` cannot be used: {e}", envelope.from))
    })?;
    let to: Mailbox = envelope.to.trim().parse().map_err(|e| {
        SendError::InvalidAddress(format!("`{}` is not an email address: {e}", envelope.to))
    })?;
    let from_address = from.email.to_string();
    let to_address = to.email.to_string();
    let domain = from.email.domain().to_owned();
    let date =
        SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(envelope.date).unwrap_or(0));
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(envelope.subject.clone())
        .date(date)
        .message_id(Some(format!("<{}@{domain}>", envelope.unique)));
    for (name, value) in &envelope.headers {
        let name = HeaderName::new_from_ascii(name.clone())
            .map_err(|_| SendError::Message(format!("`{name}` is not a header name")))?;
        builder = builder.raw_header(HeaderValue::new(name, value.clone()));
    }
    let body = MultiPart::alternative()
        .boundary(format!("=_lp_{}", envelope.unique))
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(render.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(render.html.clone()),
        );
    let message = builder
        .multipart(body)
        .map_err(|e| SendError::Message(e.to_string()))?;
    Ok(BuiltMessage {
        bytes: message.formatted(),
        from_address,
        to_address,
        subject: envelope.subject.clone(),
    })
}
