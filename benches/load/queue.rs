//! The agent queue: what an agent's screen asks for all day long. Each
//! client is one browser tab on its own keep-alive connection, asking for
//! the first 50 open tickets by SLA due time with what a queue row shows.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Error;
use crate::latency::{Latencies, Report};

/// The queue page; `totalCount` is left out with `with_total_count` false,
/// to measure what the count costs.
pub fn query(with_total_count: bool) -> String {
    let total_count = if with_total_count { "totalCount" } else { "" };
    format!(
        "query Queue {{
  tickets(first: 50, filter: {{ statuses: [NEW, OPEN, PENDING] }}, orderBy: {{ field: SLA_DUE_AT, direction: ASC }}) {{
    {total_count}
    edges {{ cursor node {{
      id number subject status priority channel createdAt updatedAt slaNextDueAt slaBreached tags
      customer {{ id name email }}
      assignee {{ id name }}
      team {{ id name }}
    }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"
    )
}

pub struct Options {
    pub clients: usize,
    pub warmup: Duration,
    pub measure: Duration,
    pub think: Duration,
    pub with_total_count: bool,
}

pub async fn run(base_url: &str, token: &str, options: &Options) -> Result<Report, Error> {
    let start = Instant::now();
    let measure_from = start + options.warmup;
    let until = measure_from + options.measure;
    let mut tasks = Vec::with_capacity(options.clients);
    for _ in 0..options.clients {
        let client = reqwest::Client::builder()
            .http1_only()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(30))
            .build()?;
        let url = format!("{base_url}/graphql");
        let token = token.to_owned();
        let query = query(options.with_total_count);
        let think = options.think;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            let mut rows = 0usize;
            while Instant::now() < until {
                let sent = Instant::now();
                let answer = ask(&client, &url, &token, &query).await;
                let took = sent.elapsed();
                if sent >= measure_from {
                    match answer {
                        Ok(n) => {
                            rows = n;
                            latencies.record(took);
                        }
                        Err(err) => latencies.error(err.to_string()),
                    }
                }
                if !think.is_zero() {
                    tokio::time::sleep(think).await;
                }
            }
            (latencies, rows)
        }));
    }
    let mut all = Latencies::default();
    let mut rows = 0;
    for task in tasks {
        let (latencies, n) = task.await?;
        all.merge(latencies);
        rows = rows.max(n);
    }
    println!(
        "queue: {} clients, {rows} tickets a page{}",
        options.clients,
        if options.with_total_count {
            ""
        } else {
            ", without totalCount"
        }
    );
    Ok(all.report(options.measure))
}

/// One queue page; how many tickets it held.
async fn ask(client: &reqwest::Client, url: &str, token: &str, query: &str) -> Result<usize, Error> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    if !status.is_success() || body.get("errors").is_some() {
        return Err(format!("HTTP {status}: {body}").into());
    }
    body["data"]["tickets"]["edges"]
        .as_array()
        .map(Vec::len)
        .ok_or_else(|| format!("no edges in {body}").into())
}
