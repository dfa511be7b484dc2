//! A real SMTP server on loopback, inside the test process, that keeps what
//! it receives, for tests of outgoing mail. It needs nothing but the Rust
//! toolchain. The protocol (commands, replies, DATA and its dot-stuffing) is
//! the `mailin` crate's; this file listens, runs a session per connection and
//! keeps each message.
//!
//! Not `mailin-embedded`: its server loop never returns, so it could not let
//! go of its port, and the retry tests stop a server and start one again on
//! the same port.

use std::io::{self, BufRead, BufReader, ErrorKind};
use std::net::{IpAddr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use mailin::{Action, Handler, Response, SessionBuilder, response};

/// How often the idle server looks whether it was told to stop.
const POLL: Duration = Duration::from_millis(10);

pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    server: Option<JoinHandle<()>>,
}

/// A loopback port nobody listens on (yet).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpSink {
    /// Starts a server on a free port.
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    /// Starts a server on `port`; it accepts connections when this returns.
    pub fn start_on(port: u16) -> Self {
        let listener = bind(port);
        // Non-blocking, so the server can look at `stop` between connections
        // instead of waiting in accept for a client that may never come.
        listener.set_nonblocking(true).unwrap();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let server = {
            let (mails, stop) = (Arc::clone(&mails), Arc::clone(&stop));
            thread::Builder::new()
                .name(format!("smtp-sink-{port}"))
                .spawn(move || serve(listener, &mails, &stop))
                .unwrap()
        };
        Self {
            port,
            mails,
            stop,
            server: Some(server),
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The raw messages received so far, oldest first, with LF line ends.
    pub fn received(&self) -> Vec<String> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits until `n` messages have arrived and returns them.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(Instant::now() < deadline, "expected {n} mails, got {}", got.len());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Stops the server: once this returns the port is closed and every
/// connection to it is cut, as when a real mail server goes down.
impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

/// Binds 127.0.0.1:`port`. The standard library sets SO_REUSEADDR on Unix,
/// so connections of a stopped server lingering in TIME_WAIT do not keep the
/// port; the retries cover a port whose previous listener is still closing.
fn bind(port: u16) -> TcpListener {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(listener) => return listener,
            Err(err) => {
                assert!(
                    Instant::now() < deadline,
                    "SMTP server cannot listen on port {port}: {err}"
                );
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Accepts connections until told to stop, then closes the listener and cuts
/// the connections still open.
fn serve(listener: TcpListener, mails: &Arc<Mutex<Vec<String>>>, stop: &AtomicBool) {
    let mut sessions: Vec<(TcpStream, JoinHandle<()>)> = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => {
                let Ok(handle) = stream.try_clone() else { continue };
                let mails = Arc::clone(mails);
                let session = thread::spawn(move || {
                    // A client that goes away mid-session is its own business.
                    let _ = session(stream, peer.ip(), mails);
                });
                sessions.push((handle, session));
            }
            Err(err) if err.kind() == ErrorKind::WouldBlock => thread::sleep(POLL),
            Err(_) => thread::sleep(POLL),
        }
        sessions.retain(|(_, session)| !session.is_finished());
    }
    drop(listener);
    for (stream, session) in sessions {
        let _ = stream.shutdown(Shutdown::Both);
        let _ = session.join();
    }
}

/// One client's SMTP session, from the greeting to QUIT or hang-up.
fn session(stream: TcpStream, peer: IpAddr, mails: Arc<Mutex<Vec<String>>>) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let keeper = Keeper {
        accepted: Arc::clone(&accepted),
        data: Vec::new(),
    };
    let mut session = SessionBuilder::new("smtp-sink.test").build(peer, keeper);
    session.greeting().write_to(&mut writer)?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let reply = session.process(&line);
        match reply.action {
            Action::NoReply => {}
            // STARTTLS is not offered, so no client asks to upgrade.
            Action::Reply | Action::UpgradeTls => reply.write_to(&mut writer)?,
            Action::Close => {
                reply.write_to(&mut writer)?;
                return Ok(());
            }
        }
        // A message counts as received once its 250 is on the wire, as for
        // the client: tests then see it no earlier than the sender can know.
        let mut accepted = accepted.lock().map_err(|_| io::Error::other("poisoned"))?;
        if !accepted.is_empty() {
            mails
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .append(&mut accepted);
        }
    }
}

/// Collects each message once its DATA ends, as the client sent it (after
/// dot-unstuffing), with CRLF turned into LF as a mailbox file would have it.
struct Keeper {
    /// Accepted by this session, not yet acknowledged to the client.
    accepted: Arc<Mutex<Vec<String>>>,
    data: Vec<u8>,
}

impl Handler for Keeper {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let raw = String::from_utf8_lossy(&self.data).replace("\r\n", "\n");
        self.data.clear();
        match self.accepted.lock() {
            Ok(mut accepted) => {
                accepted.push(raw);
                response::OK
            }
            Err(_) => response::INTERNAL_ERROR,
        }
    }
}

/// The value of header `name` in a raw message (first occurrence, unfolded).
pub fn header(raw: &str, name: &str) -> Option<String> {
    let raw = raw.replace("\r\n", "\n");
    let head = raw.split("\n\n").next().unwrap_or(&raw);
    let mut lines = head.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some((key, value)) = line.split_once(':')
            && key.eq_ignore_ascii_case(name)
        {
            let mut value = value.trim().to_owned();
            while let Some(next) = lines.peek().filter(|l| l.starts_with([' ', '\t'])) {
                value.push(' ');
                value.push_str(next.trim());
                lines.next();
            }
            return Some(value);
        }
    }
    None
}
