//! Search as agents use it: each client is one agent typing queries back to
//! back on its own keep-alive connection, asking for the first 20 hits with
//! their snippets and what a result row shows. The queries are of the
//! kinds agents type, drawn from the seeded store: a customer's address, a
//! customer's name, a phrase from a subject, a word with an exclusion, a
//! word from agents' notes, and a word in a third of all tickets (more
//! matches than a search lists: the newest are ranked).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Error;
use crate::latency::{Latencies, Report};

const SEARCH: &str = "query Search($q: String!) {
  search(query: $q, first: 20) {
    edges { rank snippet node { id number subject status priority customer { name email } } }
    pageInfo { hasNextPage endCursor }
  }
}";

pub struct Options {
    pub clients: usize,
    pub warmup: Duration,
    pub measure: Duration,
}

/// The queries, by kind, from the store's own customers (`customers`
/// lists the newest).
async fn queries(client: &reqwest::Client, url: &str, token: &str) -> Result<Vec<(&'static str, String)>, Error> {
    let body = graphql(
        client,
        url,
        token,
        "{ customers(first: 40) { nodes { name email } } }",
        json!({}),
    )
    .await?;
    let customers = body["data"]["customers"]["nodes"]
        .as_array()
        .ok_or_else(|| format!("no customers in {body}"))?;
    let mut queries = Vec::new();
    for (n, customer) in customers.iter().enumerate() {
        if let Some(email) = customer["email"].as_str() {
            queries.push(("customer address", email.to_owned()));
        }
        if let Some(name) = customer["name"].as_str() {
            queries.push(("customer name", name.to_owned()));
        }
        let fixed = [
            (
                "subject phrase",
                [
                    "\"password reset\"",
                    "\"card declined\"",
                    "\"return label\"",
                    "\"empty file\"",
                ],
            ),
            (
                "word -exclusion",
                ["refund -invoice", "login -password", "parcel -damaged", "app -android"],
            ),
            ("word in notes", ["warehouse", "escalating", "annual", "logs"]),
            ("word in a third", ["account", "order", "thanks", "could"]),
        ];
        for (kind, texts) in fixed {
            queries.push((kind, texts[n % texts.len()].to_owned()));
        }
    }
    if queries.is_empty() {
        return Err("the store has no customers to search for: seed it first".into());
    }
    Ok(queries)
}

pub async fn run(base_url: &str, token: &str, options: &Options) -> Result<Vec<(String, Report)>, Error> {
    let url = format!("{base_url}/graphql");
    let queries = queries(&reqwest::Client::new(), &url, token).await?;
    let start = Instant::now();
    let measure_from = start + options.warmup;
    let until = measure_from + options.measure;
    let mut tasks = Vec::with_capacity(options.clients);
    for n in 0..options.clients {
        let client = reqwest::Client::builder()
            .http1_only()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(60))
            .build()?;
        let (url, token, queries) = (url.clone(), token.to_owned(), queries.clone());
        tasks.push(tokio::spawn(async move {
            let mut by_kind: BTreeMap<&'static str, Latencies> = BTreeMap::new();
            let mut i = n * 7;
            while Instant::now() < until {
                let (kind, text) = &queries[i % queries.len()];
                i += 1;
                let sent = Instant::now();
                let answer = graphql(&client, &url, &token, SEARCH, json!({ "q": text })).await;
                let took = sent.elapsed();
                if sent >= measure_from {
                    let latencies = by_kind.entry(kind).or_default();
                    match answer.and_then(|body| {
                        body["data"]["search"]["edges"]
                            .as_array()
                            .map(Vec::len)
                            .ok_or_else(|| format!("no edges in {body}").into())
                    }) {
                        Ok(_) => latencies.record(took),
                        Err(err) => latencies.error(format!("{text}: {err}")),
                    }
                }
            }
            by_kind
        }));
    }
    let mut all: BTreeMap<&'static str, Latencies> = BTreeMap::new();
    let mut overall = Latencies::default();
    for task in tasks {
        for (kind, latencies) in task.await? {
            overall.merge(latencies.clone());
            all.entry(kind).or_default().merge(latencies);
        }
    }
    println!(
        "search: {} clients, {} queries of {} kinds, 20 hits a page with snippets",
        options.clients,
        queries.len(),
        all.len()
    );
    let mut reports: Vec<(String, Report)> = all
        .into_iter()
        .map(|(kind, latencies)| (format!("search, {kind}"), latencies.report(options.measure)))
        .collect();
    reports.push(("search, all kinds".to_owned(), overall.report(options.measure)));
    Ok(reports)
}

async fn graphql(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Result<Value, Error> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    if !status.is_success() || body.get("errors").is_some() {
        return Err(format!("HTTP {status}: {body}").into());
    }
    Ok(body)
}
