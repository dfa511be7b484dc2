//! The webhook courier at send time: it refuses targets that are not
//! public before connecting, reaches them when the operator allows it, and
//! never follows a redirect. Every listener here is on loopback.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use helpdesk_channels::webhook::{WebhookAllowList, WebhookSender};
use helpdesk_channels::worker::{Attempt, Courier};
use helpdesk_persistence::webhooks::WebhookDelivery;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A loopback listener that counts connections and answers each request
/// with `response`.
struct Listener {
    port: u16,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Listener {
    async fn start(addr: &str, response: String) -> Self {
        let listener = TcpListener::bind(addr).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let response = response.clone();
                tokio::spawn(async move {
                    // Read the request head and its body, then answer.
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = socket.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        seen.extend_from_slice(&buf[..n]);
                        let text = String::from_utf8_lossy(&seen);
                        if let Some(end) = text.find("\r\n\r\n") {
                            let length = text[..end]
                                .lines()
                                .find_map(|l| {
                                    let (name, value) = l.split_once(':')?;
                                    name.eq_ignore_ascii_case("content-length")
                                        .then(|| value.trim().parse::<usize>().ok())?
                                })
                                .unwrap_or(0);
                            if seen.len() >= end + 4 + length {
                                break;
                            }
                        }
                    }
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self {
            port,
            connections,
            task,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const OK: &str = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

fn delivery(url: String) -> WebhookDelivery {
    WebhookDelivery {
        id: uuid::Uuid::now_v7(),
        url,
        secret: "0123456789abcdef".into(),
        payload: "{\"kind\":\"SLA_BREACHED\"}".into(),
        attempts: 0,
    }
}

fn sender(allow: &str) -> WebhookSender {
    WebhookSender::new(allow.parse::<WebhookAllowList>().unwrap()).unwrap()
}

#[tokio::test]
async fn loopback_targets_are_refused_before_any_connection() {
    let v4 = Listener::start("127.0.0.1:0", OK.into()).await;
    let v6 = Listener::start("[::1]:0", OK.into()).await;
    let sender = sender("");
    for url in [
        format!("http://127.0.0.1:{}/hook", v4.port),
        format!("http://localhost:{}/hook", v4.port),
        format!("http://[::1]:{}/hook", v6.port),
        format!("http://[::ffff:127.0.0.1]:{}/hook", v4.port),
        format!("http://2130706433:{}/hook", v4.port),
        format!("http://127.1:{}/hook", v4.port),
    ] {
        match sender.attempt(&delivery(url.clone())).await {
            Attempt::GiveUp(reason) => assert!(reason.contains("loopback"), "{url}: {reason}"),
            Attempt::Retry(reason) => panic!("{url}: retried: {reason}"),
            Attempt::Delivered => panic!("{url}: delivered"),
        }
    }
    assert_eq!(v4.connections(), 0, "no connection reached the IPv4 listener");
    assert_eq!(v6.connections(), 0, "no connection reached the IPv6 listener");
}

#[tokio::test]
async fn other_schemes_are_refused() {
    let sender = sender("127.0.0.1");
    for url in ["ftp://127.0.0.1/hook", "file:///etc/passwd", "gopher://127.0.0.1:70/"] {
        assert!(
            matches!(sender.attempt(&delivery(url.into())).await, Attempt::GiveUp(_)),
            "{url}"
        );
    }
}

#[tokio::test]
async fn the_allow_list_admits_loopback_receivers() {
    let v4 = Listener::start("127.0.0.1:0", OK.into()).await;
    let v6 = Listener::start("[::1]:0", OK.into()).await;
    let by_address = sender("127.0.0.1, ::1");
    assert!(matches!(
        by_address
            .attempt(&delivery(format!("http://127.0.0.1:{}/hook", v4.port)))
            .await,
        Attempt::Delivered
    ));
    assert!(matches!(
        by_address
            .attempt(&delivery(format!("http://[::1]:{}/hook", v6.port)))
            .await,
        Attempt::Delivered
    ));
    let by_name = sender("localhost");
    assert!(matches!(
        by_name
            .attempt(&delivery(format!("http://localhost:{}/hook", v4.port)))
            .await,
        Attempt::Delivered
    ));
    assert!(v4.connections() >= 1);
    assert_eq!(v6.connections(), 1);
}

#[tokio::test]
async fn a_redirect_is_a_failed_attempt_and_is_not_followed() {
    let second = Listener::start("127.0.0.1:0", OK.into()).await;
    let first = Listener::start(
        "127.0.0.1:0",
        format!(
            "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{}/hook\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            second.port
        ),
    )
    .await;
    let sender = sender("127.0.0.1");
    match sender
        .attempt(&delivery(format!("http://127.0.0.1:{}/hook", first.port)))
        .await
    {
        Attempt::Retry(reason) => assert!(reason.contains("302"), "{reason}"),
        Attempt::GiveUp(reason) => panic!("gave up: {reason}"),
        Attempt::Delivered => panic!("a redirect is not a delivery"),
    }
    assert_eq!(first.connections(), 1);
    assert_eq!(second.connections(), 0, "the redirect was not followed");
}
