//! AWS Signature Version 4, by hand (hmac + sha2). The AWS SDK would do this for us, but it
//! cost ~5.5 min to build cold on this kind of machine for four REST calls; the algorithm is
//! small, stable and checked below against AWS's published test-suite vectors.

use crate::credentials::AwsCredentials;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// What one signature covers besides the request itself.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// Region (`eu-west-1`).
    pub region: &'a str,
    /// Service signing name (`ses`).
    pub service: &'a str,
    /// Request time as `YYYYMMDDTHHMMSSZ`.
    pub amz_date: &'a str,
}

/// A request to sign: method, path (already percent-encoded), query pairs (raw; encoded
/// here), headers to sign (`host` must be among them) and the body.
#[derive(Debug, Clone, Copy)]
pub struct RequestToSign<'a> {
    /// `GET`, `POST`...
    pub method: &'a str,
    /// Canonical path, e.g. `/v2/email/templates/name`.
    pub path: &'a str,
    /// Query parameters, unencoded.
    pub query: &'a [(String, String)],
    /// Headers to sign, any case.
    pub headers: &'a [(String, String)],
    /// Request body.
    pub body: &'a [u8],
}

/// `YYYYMMDDTHHMMSSZ` for a Unix time (UTC).
pub fn amz_date(unix_seconds: i64) -> String {
    // "YYYY-MM-DD HH:MM" from the shared civil-time formatter, then the seconds.
    let civil = letterpress_protocol::format_local_time(unix_seconds, 0);
    let digits: String = civil.chars().filter(char::is_ascii_digit).collect();
    format!(
        "{}T{}{:02}Z",
        &digits[..8.min(digits.len())],
        &digits[8.min(digits.len())..],
        unix_seconds.rem_euclid(60)
    )
}

/// RFC 3986 percent-encoding of everything but unreserved characters (what SigV4 wants).
pub fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The canonical (and sent) query string: pairs encoded and sorted.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (uri_encode(k), uri_encode(v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; the error branch cannot happen.
    match HmacSha256::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The `Authorization` header value (and the signed header list) for `request`.
pub fn authorization(
    credentials: &AwsCredentials,
    scope: &Scope<'_>,
    request: &RequestToSign<'_>,
) -> String {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        request.path,
        canonical_query(request.query),
        canonical_headers,
        signed_headers,
        sha256_hex(request.body)
    );
    let date = &scope.amz_date[..8.min(scope.amz_date.len())];
    let credential_scope = format!("{date}/{}/{}/aws4_request", scope.region, scope.service);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{credential_scope}\n{}",
        scope.amz_date,
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac(
        format!("AWS4{}", credentials.secret.expose()).as_bytes(),
        date.as_bytes(),
    );
    let k_region = hmac(&k_date, scope.region.as_bytes());
    let k_service = hmac(&k_region, scope.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let signature = hex::encode(hmac(&k_signing, string_to_sign.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{credential_scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    fn example() -> AwsCredentials {
        AwsCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into()),
            session_token: None,
        }
    }

    const SCOPE: Scope<'static> = Scope {
        region: "us-east-1",
        service: "service",
        amz_date: "20150830T123600Z",
    };

    fn headers() -> Vec<(String, String)> {
        vec![
            ("Host".into(), "example.amazonaws.com".into()),
            ("X-Amz-Date".into(), "20150830T123600Z".into()),
        ]
    }

    /// AWS SigV4 test suite, `get-vanilla`.
    #[test]
    fn aws_test_suite_get_vanilla() {
        let auth = authorization(
            &example(),
            &SCOPE,
            &RequestToSign {
                method: "GET",
                path: "/",
                query: &[],
                headers: &headers(),
                body: b"",
            },
        );
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    /// AWS SigV4 test suite, `get-vanilla-query-order-key-case`: the query is sorted.
    #[test]
    fn aws_test_suite_query_order() {
        let query = [
            ("Param2".to_owned(), "value2".to_owned()),
            ("Param1".to_owned(), "value1".to_owned()),
        ];
        let auth = authorization(
            &example(),
            &SCOPE,
            &RequestToSign {
                method: "GET",
                path: "/",
                query: &query,
                headers: &headers(),
                body: b"",
            },
        );
        assert!(auth.ends_with(
            "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ));
    }

    #[test]
    fn dates_and_encoding() {
        assert_eq!(amz_date(1_440_938_160), "20150830T123600Z");
        assert_eq!(amz_date(1_440_938_161), "20150830T123601Z");
        assert_eq!(uri_encode("a b/c~d=é"), "a%20b%2Fc~d%3D%C3%A9");
        assert_eq!(
            canonical_query(&[("b".into(), "x y".into()), ("a".into(), "1".into())]),
            "a=1&b=x%20y"
        );
    }
}
