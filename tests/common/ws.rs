//! A minimal `graphql-transport-ws` client over a real websocket.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

pub struct GraphqlWs {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl GraphqlWs {
    /// Connects to `/graphql/ws` and completes `connection_init` with `payload`.
    pub async fn connect(base_url: &str, payload: Value) -> Self {
        let url = format!("{}/graphql/ws", base_url.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
        let (socket, response) = connect_async(request).await.expect("websocket connect");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some("graphql-transport-ws")
        );
        let mut ws = Self { socket };
        ws.send(json!({ "type": "connection_init", "payload": payload })).await;
        let ack = ws.receive(Duration::from_secs(5)).await.expect("connection_ack");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        ws
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }

    /// Starts subscription `id`, then gives the server a moment to register
    /// it (a live feed does not replay what happened before it started).
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    /// The next protocol message other than pings, or `None` after `timeout`.
    pub async fn receive(&mut self, timeout: Duration) -> Option<Value> {
        loop {
            let frame = tokio::time::timeout(timeout, self.socket.next()).await.ok()??.ok()?;
            match frame {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(&text).expect("JSON frame");
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Some(value);
                }
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The payload of the next `next` message, failing the test on anything else.
    pub async fn next_payload(&mut self) -> Value {
        let message = self
            .receive(Duration::from_secs(10))
            .await
            .expect("a subscription message in time");
        assert_eq!(message["type"], "next", "{message}");
        message["payload"].clone()
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
