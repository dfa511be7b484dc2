//! Mail ingestion: raw RFC 5322 messages posted to `POST /inbound/email` by
//! several senders at once, as a mail server's hook does. Three in four
//! start a thread; the fourth replies (In-Reply-To) to a mail its sender
//! posted and saw filed before, so threading is part of the load and the
//! census knows exactly how many tickets the mails start.

use std::time::{Duration, Instant};

use crate::Error;
use crate::latency::{Latencies, Report};
use crate::server::INBOUND_TOKEN;

pub struct Options {
    pub clients: usize,
    pub mails: usize,
    /// Names this run's Message-IDs, so the census finds them.
    pub run_id: String,
}

/// Mail `n` of `senders`: sender `n % senders` posts its mails in turn,
/// and every fourth of them replies to its own third-last, which was filed
/// before it was sent.
fn replies_to(n: usize, senders: usize) -> Option<usize> {
    let turn = n / senders;
    (turn % 4 == 3).then(|| n - 3 * senders)
}

/// How many tickets `mails` mails start.
pub fn threads(mails: usize, senders: usize) -> usize {
    (0..mails).filter(|n| replies_to(*n, senders).is_none()).count()
}

fn message_id(run_id: &str, n: usize) -> String {
    format!("load-{run_id}-{n}@load.example")
}

fn mail(run_id: &str, n: usize, senders: usize) -> String {
    let thread = replies_to(n, senders).unwrap_or(n);
    let sender = thread % 5000;
    let mut headers = format!(
        "From: Customer {sender} <customer{sender}@load.example>\r\nTo: support@desk.example\r\n\
         Subject: {}Order {thread} has not arrived\r\nMessage-ID: <{}>\r\nDate: Thu, 03 Dec 2026 06:00:00 +0000\r\n",
        if thread == n { "" } else { "Re: " },
        message_id(run_id, n),
    );
    if thread != n {
        let parent = message_id(run_id, thread);
        headers += &format!("In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n");
    }
    format!(
        "{headers}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Hello,\r\n\r\nmy order {thread} was due last week and the tracking page has not moved.\r\n\
         Could you look into it? (mail {n})\r\n\r\nThanks,\r\nCustomer {sender}\r\n"
    )
}

/// Sends every mail once; returns the figures and how many tickets the
/// mails should have started.
pub async fn run(base_url: &str, options: &Options) -> Result<(Report, usize), Error> {
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(options.clients);
    let senders = options.clients;
    for sender in 0..senders {
        let client = reqwest::Client::builder()
            .http1_only()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(60))
            .build()?;
        let url = format!("{base_url}/inbound/email");
        let run_id = options.run_id.clone();
        let total = options.mails;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            for n in (sender..total).step_by(senders) {
                let sent = Instant::now();
                match post(&client, &url, mail(&run_id, n, senders)).await {
                    Ok(()) => latencies.record(sent.elapsed()),
                    Err(err) => latencies.error(format!("mail {n}: {err}")),
                }
            }
            latencies
        }));
    }
    let mut all = Latencies::default();
    for task in tasks {
        all.merge(task.await?);
    }
    println!("ingestion: {} senders, {} mails", options.clients, options.mails);
    Ok((all.report(started.elapsed()), threads(options.mails, senders)))
}

async fn post(client: &reqwest::Client, url: &str, mail: String) -> Result<(), Error> {
    let response = client
        .post(url)
        .bearer_auth(INBOUND_TOKEN)
        .header("content-type", "message/rfc822")
        .body(mail)
        .send()
        .await?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        return Err(format!("HTTP {status}: {body}").into());
    }
    Ok(())
}
