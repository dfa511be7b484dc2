//! A webhook receiver on loopback that records what it is sent.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;

type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

pub struct WebhookSink {
    pub url: String,
    received: Received,
    server: tokio::task::JoinHandle<()>,
}

impl WebhookSink {
    pub async fn start() -> Self {
        Self::serve(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).await
    }

    /// Receives on `listener` (bound on loopback), e.g. on a port a test
    /// chose before the receiver was up.
    pub async fn serve(listener: std::net::TcpListener) -> Self {
        let received: Received = Arc::default();
        async fn record(State(received): State<Received>, headers: HeaderMap, body: Bytes) -> &'static str {
            received
                .lock()
                .unwrap()
                .push((headers, String::from_utf8_lossy(&body).into_owned()));
            "ok"
        }
        let app = Router::new().route("/hook", post(record)).with_state(received.clone());
        listener.set_nonblocking(true).unwrap();
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, received, server }
    }

    pub fn received(&self) -> Vec<(HeaderMap, String)> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for WebhookSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A loopback port that must stay untouched: counts the connections it
/// accepts (and closes them), to prove a refused target was never reached.
pub struct UntouchedPort {
    pub port: u16,
    connections: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl UntouchedPort {
    /// Binds `addr`, e.g. `127.0.0.1:0` or `[::1]:0`.
    pub async fn bind(addr: &str) -> Self {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
        let counted = connections.clone();
        let task = tokio::spawn(async move {
            while listener.accept().await.is_ok() {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
        Self {
            port,
            connections,
            task,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for UntouchedPort {
    fn drop(&mut self) {
        self.task.abort();
    }
}
