//! `smtp-discard DIR`: an SMTP server on 127.0.0.1 that takes every message and throws it away
//! (the idea of Postfix's `smtp-sink`), for measuring how fast a sender hands messages over
//! when the server costs next to nothing — aiosmtpd, the tests' real server, tops out at
//! about 450 messages/s on this machine by itself. Not a test peer: it checks nothing but
//! the SMTP dialogue's shape (EHLO/HELO, MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP,
//! QUIT). It writes its port to `DIR/port`, and after each connection closes, the number of
//! messages and bytes taken so far to `DIR/count` (`messages bytes`).

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
struct Counts {
    messages: AtomicU64,
    bytes: AtomicU64,
}

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args_os().nth(1).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "usage: smtp-discard DIR")
    })?);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    std::fs::write(dir.join("port"), listener.local_addr()?.port().to_string())?;
    let counts = Arc::new(Counts::default());
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let (counts, dir) = (counts.clone(), dir.clone());
        std::thread::spawn(move || {
            // A broken connection ends that session only.
            let _ = session(stream, &counts);
            let _ = write_counts(&dir, &counts);
        });
    }
    Ok(())
}

fn write_counts(dir: &Path, counts: &Counts) -> std::io::Result<()> {
    let text = format!(
        "{} {}\n",
        counts.messages.load(Ordering::SeqCst),
        counts.bytes.load(Ordering::SeqCst)
    );
    let tmp = dir.join("count.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, dir.join("count"))
}

fn session(stream: TcpStream, counts: &Counts) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = BufWriter::new(stream);
    out.write_all(b"220 smtp-discard ready\r\n")?;
    out.flush()?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).to_ascii_uppercase();
        let verb = command.split_whitespace().next().unwrap_or("");
        match verb {
            "EHLO" => out.write_all(b"250-smtp-discard\r\n250-8BITMIME\r\n250 SIZE 0\r\n")?,
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => out.write_all(b"250 OK\r\n")?,
            "DATA" => {
                out.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
                out.flush()?;
                let mut size = 0u64;
                loop {
                    line.clear();
                    if reader.read_until(b'\n', &mut line)? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    size += line.len() as u64;
                }
                counts.messages.fetch_add(1, Ordering::SeqCst);
                counts.bytes.fetch_add(size, Ordering::SeqCst);
                out.write_all(b"250 OK: discarded\r\n")?;
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                out.flush()?;
                return Ok(());
            }
            _ => out.write_all(b"502 not implemented\r\n")?,
        }
        out.flush()?;
    }
}
