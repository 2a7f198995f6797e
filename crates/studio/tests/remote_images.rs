//! Remote preview images against a real local HTTP server: fetched by the app within its
//! bounds, without cookies, checked by their bytes, cached.

use letterpress_studio::remote_images::{RemoteImageLimits, RemoteImages};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// Requests the server saw: (path, headers in lower case).
type Seen = Arc<Mutex<Vec<(String, Vec<String>)>>>;

/// A local HTTP/1.1 server with one route per test situation.
fn server() -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || answer(stream, &log));
        }
    });
    (base, seen)
}

fn answer(mut stream: TcpStream, seen: &Seen) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        headers.push(line.trim().to_ascii_lowercase());
    }
    seen.lock().unwrap().push((path.clone(), headers));
    let respond = |stream: &mut TcpStream, status: &str, extra: &str, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    };
    match path.as_str() {
        "/logo.png" => respond(
            &mut stream,
            "200 OK",
            "Content-Type: image/png\r\nSet-Cookie: tracker=1; Path=/\r\n",
            PNG,
        ),
        "/again.png" => respond(&mut stream, "200 OK", "Content-Type: image/png\r\n", PNG),
        "/moved.png" => respond(&mut stream, "302 Found", "Location: /again.png\r\n", b""),
        "/loop.png" => respond(&mut stream, "302 Found", "Location: /loop.png\r\n", b""),
        "/big.png" => {
            let mut body = PNG.to_vec();
            body.resize(3 * 1024 * 1024, 0);
            respond(&mut stream, "200 OK", "Content-Type: image/png\r\n", &body);
        }
        "/page.png" => respond(
            &mut stream,
            "200 OK",
            "Content-Type: image/png\r\n",
            b"<html><body>not an image</body></html>",
        ),
        "/slow.png" => {
            std::thread::sleep(Duration::from_secs(5));
            respond(&mut stream, "200 OK", "Content-Type: image/png\r\n", PNG);
        }
        "/icon.svg" => respond(
            &mut stream,
            "200 OK",
            "Content-Type: text/plain\r\n",
            b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ),
        _ => respond(&mut stream, "404 Not Found", "", b"missing"),
    }
}

fn limits() -> RemoteImageLimits {
    RemoteImageLimits {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_millis(1500),
        max_bytes: 1024 * 1024,
        per_call: 16,
        redirects: 3,
        cache_bytes: 1024 * 1024,
    }
}

#[test]
fn remote_images_are_fetched_within_bounds_without_cookies_and_cached() {
    let (base, seen) = server();
    let images = RemoteImages::new(limits());
    let url = |p: &str| format!("{base}{p}");
    let asked: Vec<String> = [
        "/logo.png",
        "/moved.png",
        "/loop.png",
        "/big.png",
        "/page.png",
        "/slow.png",
        "/icon.svg",
        "/gone.png",
    ]
    .iter()
    .map(|p| url(p))
    .chain(["file:///etc/passwd".to_owned()])
    .collect();
    let started = Instant::now();
    let got = images.fetch(&asked);
    let took = started.elapsed();

    assert!(got.images[&url("/logo.png")].starts_with("data:image/png;base64,"));
    assert!(
        got.images[&url("/moved.png")].starts_with("data:image/png;base64,"),
        "redirect followed"
    );
    assert!(
        got.images[&url("/icon.svg")].starts_with("data:image/svg+xml;base64,"),
        "typed by its bytes"
    );
    let why = |p: &str| got.failed.get(&url(p)).cloned().unwrap_or_default();
    assert!(
        why("/big.png").contains("larger than 1048576 bytes"),
        "{}",
        why("/big.png")
    );
    assert!(
        why("/page.png").contains("not an image"),
        "{}",
        why("/page.png")
    );
    assert!(why("/gone.png").contains("404"), "{}", why("/gone.png"));
    assert!(!why("/loop.png").is_empty(), "a redirect loop stops");
    assert!(!why("/slow.png").is_empty(), "a slow server times out");
    assert_eq!(
        got.failed.get("file:///etc/passwd").map(String::as_str),
        Some("only http and https images are loaded")
    );
    assert_eq!(got.images.len() + got.failed.len(), asked.len());
    // Fetched in parallel and bounded: well under one slow answer plus the rest in a row.
    assert!(took < Duration::from_secs(5), "took {took:?}");

    // The cookie the server set is not sent back; nothing identifies the user.
    images.fetch(&[url("/again.png")]);
    let log = seen.lock().unwrap().clone();
    for (path, headers) in &log {
        assert!(
            !headers
                .iter()
                .any(|h| h.starts_with("cookie:") || h.starts_with("authorization:")),
            "{path}: {headers:?}"
        );
    }

    // Cached: asking again reaches the server for nothing.
    let before = seen.lock().unwrap().len();
    let again = images.fetch(&asked);
    assert_eq!(seen.lock().unwrap().len(), before);
    assert_eq!(again, got, "the same answers, from the cache");
}
