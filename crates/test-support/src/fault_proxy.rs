//! A fault-injecting TCP proxy between a provider client and a peer: timeouts, dropped
//! connections, 500s and 429s drawn from a seeded RNG (reproducible), before or after the
//! request reaches the peer; or a proxy that holds the answer of the k-th write, so a
//! process can be killed right after a remote write.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A seeded xorshift RNG (reproducible fault sequences).
pub struct Rng(u64);

impl Rng {
    /// From a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What the proxy injects, as probabilities per request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Hold the request longer than the client waits (before or after forwarding it).
    pub timeout: f64,
    /// Drop the connection without an answer (before or after forwarding).
    pub reset: f64,
    /// Answer 500 (before or after forwarding).
    pub server_error: f64,
    /// Answer 429 with `Retry-After: 1` (not forwarded).
    pub throttle: f64,
    /// How long a "timeout" holds the request.
    pub hold: Duration,
}

/// Counts of what the proxy did.
#[derive(Debug, Default, Clone, Copy)]
pub struct FaultStats {
    /// Requests seen.
    pub requests: usize,
    /// Forwarded to the peer.
    pub forwarded: usize,
    /// Writes (POST/PUT/DELETE) forwarded to the peer.
    pub writes_forwarded: usize,
    /// Timeouts injected.
    pub timeouts: usize,
    /// Connections dropped.
    pub resets: usize,
    /// 500s injected.
    pub server_errors: usize,
    /// 429s injected.
    pub throttles: usize,
    /// Injected after the peer had carried out the request (answer lost).
    pub after_forwarding: usize,
}

struct ProxyShared {
    upstream: u16,
    faults: Faults,
    rng: Mutex<Rng>,
    stats: Mutex<FaultStats>,
    /// Forward writes up to this count, then forward the next one and never answer it.
    stall_after_writes: Option<usize>,
    stalled: AtomicBool,
    stop: AtomicBool,
    writes: AtomicUsize,
}

/// A TCP proxy between the client and the peer that injects faults.
pub struct FaultProxy {
    shared: Arc<ProxyShared>,
    /// Its port.
    pub port: u16,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` with `faults` drawn from `seed`.
    pub fn start(upstream: u16, seed: u64, faults: Faults) -> FaultProxy {
        Self::start_with(upstream, seed, faults, None)
    }

    /// A proxy without faults that forwards `k` writes, then forwards the next one to the
    /// peer and holds its answer (so a process can be killed right after a remote write).
    pub fn stalling_after(upstream: u16, k: usize) -> FaultProxy {
        Self::start_with(upstream, 1, Faults::default(), Some(k))
    }

    fn start_with(upstream: u16, seed: u64, faults: Faults, stall: Option<usize>) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(ProxyShared {
            upstream,
            faults,
            rng: Mutex::new(Rng::new(seed)),
            stats: Mutex::new(FaultStats::default()),
            stall_after_writes: stall,
            stalled: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            writes: AtomicUsize::new(0),
        });
        let s = shared.clone();
        listener.set_nonblocking(true).expect("nonblocking");
        thread::spawn(move || {
            while !s.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let s = s.clone();
                        thread::spawn(move || serve(&s, conn));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FaultProxy { shared, port }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What happened so far.
    pub fn stats(&self) -> FaultStats {
        *self.shared.stats.lock().unwrap()
    }

    /// True once a write was forwarded and its answer is being held.
    pub fn stalled(&self) -> bool {
        self.shared.stalled.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads one request (head + Content-Length body).
fn read_request(conn: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((head, buf[head_end..head_end + len].to_vec()))
}

fn forward(upstream: u16, head: &str, body: &[u8]) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    // One request per upstream connection, so the answer ends at EOF.
    let mut rewritten = String::new();
    for line in head.trim_end().split("\r\n") {
        if line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        rewritten.push_str(line);
        rewritten.push_str("\r\n");
    }
    rewritten.push_str("Connection: close\r\n\r\n");
    up.write_all(rewritten.as_bytes()).ok()?;
    up.write_all(body).ok()?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).ok()?;
    Some(answer)
}

fn respond(conn: &mut TcpStream, status: &str, extra: &str, body: &str) {
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    );
}

#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    Timeout,
    Reset,
    ServerError,
    Throttle,
}

fn serve(s: &ProxyShared, mut conn: TcpStream) {
    // One request per connection: every answer says `Connection: close`, so the client opens
    // a new connection for its next request (and a fault never leaks into the next one).
    if let Some((head, body)) = read_request(&mut conn) {
        let method = head.split_whitespace().next().unwrap_or("").to_owned();
        let is_write = matches!(method.as_str(), "POST" | "PUT" | "DELETE");
        let (fault, after) = {
            let mut rng = s.rng.lock().unwrap();
            let r = rng.unit();
            let f = &s.faults;
            let fault = if r < f.timeout {
                Fault::Timeout
            } else if r < f.timeout + f.reset {
                Fault::Reset
            } else if r < f.timeout + f.reset + f.server_error {
                Fault::ServerError
            } else if r < f.timeout + f.reset + f.server_error + f.throttle {
                Fault::Throttle
            } else {
                Fault::None
            };
            (fault, rng.unit() < 0.5 && fault != Fault::Throttle)
        };
        s.stats.lock().unwrap().requests += 1;
        if let Some(k) = s.stall_after_writes
            && is_write
            && s.writes.load(Ordering::SeqCst) >= k
        {
            let _ = forward(s.upstream, &head, &body);
            {
                let mut st = s.stats.lock().unwrap();
                st.forwarded += 1;
                st.writes_forwarded += 1;
            }
            s.stalled.store(true, Ordering::SeqCst);
            while !s.stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(20));
            }
            return;
        }
        let answer = if fault == Fault::None || after {
            let answer = forward(s.upstream, &head, &body);
            let mut st = s.stats.lock().unwrap();
            st.forwarded += 1;
            if is_write {
                st.writes_forwarded += 1;
                s.writes.fetch_add(1, Ordering::SeqCst);
            }
            if fault != Fault::None {
                st.after_forwarding += 1;
            }
            answer
        } else {
            None
        };
        match fault {
            Fault::None => match answer {
                Some(a) => {
                    // The upstream answer says `Connection: close`; so do we.
                    let _ = conn.write_all(&a);
                    let _ = conn.shutdown(Shutdown::Both);
                }
                None => {
                    respond(
                        &mut conn,
                        "502 Bad Gateway",
                        "",
                        "{\"message\":\"upstream\"}",
                    );
                }
            },
            Fault::Timeout => {
                s.stats.lock().unwrap().timeouts += 1;
                thread::sleep(s.faults.hold);
            }
            Fault::Reset => {
                s.stats.lock().unwrap().resets += 1;
                let _ = conn.shutdown(Shutdown::Both);
            }
            Fault::ServerError => {
                s.stats.lock().unwrap().server_errors += 1;
                respond(
                    &mut conn,
                    "500 Internal Server Error",
                    "",
                    "{\"message\":\"injected failure\"}",
                );
            }
            Fault::Throttle => {
                s.stats.lock().unwrap().throttles += 1;
                respond(
                    &mut conn,
                    "429 Too Many Requests",
                    "Retry-After: 1\r\n",
                    "{\"type\":\"TooManyRequestsException\",\"message\":\"slow down\"}",
                );
            }
        }
    }
}
