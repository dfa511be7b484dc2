//! A request body must arrive in full within a deadline from its headers,
//! so a client trickling one byte at a time cannot hold a connection (and
//! the memory of a half-read body) for ever.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};
use tokio::time::Sleep;

/// The time a whole request body is given (`HELPDESK_BODY_READ_TIMEOUT_SECS`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyDeadline(pub Duration);

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub(crate) struct BodyTimedOut;

/// Gives the request's body its deadline, counted from now.
pub(crate) async fn limit(State(deadline): State<BodyDeadline>, request: Request, next: Next) -> Response {
    let request = request.map(|body| {
        Body::new(DeadlineBody {
            inner: body,
            deadline: Box::pin(tokio::time::sleep(deadline.0)),
        })
    });
    next.run(request).await
}

/// A body that fails once its deadline passes. A deadline for the whole
/// body, not an idle time per frame, which a trickle would keep resetting.
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<Sleep>>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Whether a body read failed because the deadline passed.
pub(crate) fn timed_out(err: &axum::Error) -> bool {
    caused_by::<BodyTimedOut>(err)
}

/// Whether `E` is somewhere in `err`'s chain of sources.
pub(crate) fn caused_by<E: std::error::Error + 'static>(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<E>() {
            return true;
        }
        source = e.source();
    }
    false
}
