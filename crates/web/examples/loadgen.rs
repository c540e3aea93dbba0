//! A constant-rate HTTP load generator for the page benchmarks (BENCHMARKS.md,
//! issue #4), where wrk only measures a closed loop.
//!
//! `USERS` keep-alive connections each ask for the page on a fixed schedule: user
//! `k` sends its `j`-th request at `(k + j * USERS) / RATE` seconds, so together they
//! offer exactly `RATE` requests a second, whatever the server does. A late answer
//! delays that user's next request, but every latency is counted from the moment the
//! request was *due*, not sent (as wrk2 does), so a server that falls behind shows
//! it in the percentiles instead of hiding it by slowing the load ("coordinated
//! omission"). An answer other than 200, or a broken connection, is an error.
//!
//! Usage: `cargo run --release -p passerelle-web --example loadgen -- URL RATES
//! [SECONDS] [USERS] [HEADER…]`, RATES a comma-separated list run one after the
//! other (each after one second of warm-up at that rate), e.g.
//! `loadgen http://127.0.0.1:18089/cases/1 100,1000 20 100 "Cookie: s=…"`.
//! "answered" is pages a second over the measured seconds; "pages" counts every
//! answer, warm-up included (to divide the server's CPU time by).
//! Plain HTTP/1.1 on loopback only: it reads `Content-Length` or chunked bodies.

use std::time::{Duration, Instant};
use tokio::net::TcpStream;

struct Target {
    addr: String,
    request: Vec<u8>,
}

#[derive(Default)]
struct Tally {
    /// Microseconds from when each request was due to its full answer.
    latencies: Vec<u64>,
    errors: u64,
    /// Requests whose time came but that were not sent before the end.
    unsent: u64,
}

fn parse_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    Some((host.to_string(), path.to_string()))
}

/// A keep-alive connection with what it has read and not yet used.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn fill(&mut self) -> std::io::Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            self.stream.readable().await?;
            match self.stream.try_read(&mut chunk) {
                Ok(0) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "connection closed",
                    ));
                }
                Ok(k) => {
                    self.buf.extend_from_slice(&chunk[..k]);
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
    }

    async fn send(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            self.stream.writable().await?;
            match self.stream.try_write(bytes) {
                Ok(k) => bytes = &bytes[k..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads up to and including the next CRLF; returns the line without it.
    async fn line(&mut self) -> std::io::Result<String> {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[..i]).into_owned();
                self.buf.drain(..i + 2);
                return Ok(line);
            }
            self.fill().await?;
        }
    }

    async fn skip(&mut self, n: usize) -> std::io::Result<()> {
        while self.buf.len() < n {
            self.fill().await?;
        }
        self.buf.drain(..n);
        Ok(())
    }

    /// Reads one response; returns its status.
    async fn response(&mut self) -> std::io::Result<u16> {
        let status_line = self.line().await?;
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length: Option<usize> = None;
        let mut chunked = false;
        loop {
            let h = self.line().await?;
            if h.is_empty() {
                break;
            }
            if let Some((name, value)) = h.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.eq_ignore_ascii_case("chunked");
                }
            }
        }
        if chunked {
            loop {
                let size_line = self.line().await?;
                let size =
                    usize::from_str_radix(size_line.trim().split(';').next().unwrap_or(""), 16)
                        .map_err(|_| std::io::Error::other("bad chunk size"))?;
                self.skip(size + 2).await?;
                if size == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            self.skip(n).await?;
        }
        Ok(status)
    }
}

async fn user(
    t: std::sync::Arc<Target>,
    k: u64,
    users: u64,
    rate: f64,
    start: Instant,
    end: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut conn: Option<Conn> = None;
    for j in 0u64.. {
        let due = start + Duration::from_secs_f64((k + j * users) as f64 / rate);
        if due >= end {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        if Instant::now() >= end {
            tally.unsent += 1;
            continue;
        }
        if conn.is_none() {
            match TcpStream::connect(&t.addr).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    conn = Some(Conn {
                        stream: s,
                        buf: Vec::with_capacity(64 * 1024),
                    });
                }
                Err(_) => {
                    tally.errors += 1;
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        let answer = async {
            c.send(&t.request).await?;
            c.response().await
        }
        .await;
        match answer {
            Ok(200) => tally.latencies.push(due.elapsed().as_micros() as u64),
            Ok(_) => tally.errors += 1,
            Err(_) => {
                tally.errors += 1;
                conn = None;
            }
        }
    }
    tally
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i] as f64 / 1000.0
}

async fn run(t: std::sync::Arc<Target>, rate: f64, secs: f64, users: u64) -> Tally {
    let start = Instant::now() + Duration::from_millis(50);
    let end = start + Duration::from_secs_f64(secs);
    let tasks: Vec<_> = (0..users)
        .map(|k| tokio::spawn(user(t.clone(), k, users, rate, start, end)))
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        if let Ok(t) = task.await {
            all.latencies.extend(t.latencies);
            all.errors += t.errors;
            all.unsent += t.unsent;
        }
    }
    all.latencies.sort_unstable();
    all
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: loadgen URL RATES [SECONDS] [USERS] [HEADER…]";
    let (Some(url), Some(rates)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let Some((host, path)) = parse_url(url) else {
        eprintln!("{usage} (http:// only)");
        std::process::exit(2);
    };
    let secs: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20.0);
    let users: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n");
    for h in args.iter().skip(4) {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let t = std::sync::Arc::new(Target {
        addr: host,
        request: request.into_bytes(),
    });
    println!(
        "{:>8} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "offered",
        "answered",
        "errors",
        "unsent",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "p99.9",
        "max ms",
        "pages"
    );
    for rate in rates
        .split(',')
        .filter_map(|r| r.trim().parse::<f64>().ok())
    {
        let warm = run(t.clone(), rate, 1.0, users).await;
        let tally = run(t.clone(), rate, secs, users).await;
        let l = &tally.latencies;
        println!(
            "{:>8.0} {:>9.1} {:>7} {:>7} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>7}",
            rate,
            l.len() as f64 / secs,
            tally.errors,
            tally.unsent,
            pct(l, 50.0),
            pct(l, 90.0),
            pct(l, 99.0),
            pct(l, 99.9),
            l.last().map_or(f64::NAN, |m| *m as f64 / 1000.0),
            l.len() + warm.latencies.len(),
        );
    }
}
