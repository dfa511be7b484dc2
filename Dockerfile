# syntax=docker/dockerfile:1

# ---- build stage -----------------------------------------------------------
FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin helpdesk

# ---- runtime stage ---------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# ca-certificates for outbound TLS (rustls uses the webpki roots / system store),
# curl only for the HEALTHCHECK below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system helpdesk \
    && useradd --system --gid helpdesk --home-dir /var/lib/helpdesk --shell /usr/sbin/nologin helpdesk \
    && mkdir -p /var/lib/helpdesk \
    && chown helpdesk:helpdesk /var/lib/helpdesk

COPY --from=builder /src/target/release/helpdesk /usr/local/bin/helpdesk

ENV HELPDESK_LISTEN=0.0.0.0:8080 \
    HELPDESK_DATABASE_URL=sqlite:///var/lib/helpdesk/helpdesk.db?mode=rwc

VOLUME ["/var/lib/helpdesk"]
WORKDIR /var/lib/helpdesk
USER helpdesk
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1

ENTRYPOINT ["/usr/local/bin/helpdesk"]
CMD ["serve"]
