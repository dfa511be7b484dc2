//! A real headless Chromium driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`), for the pages a person uses.
//!
//! The tests that need it run when `HELPDESK_TEST_BROWSER` is set, as
//! `.ci/run` does after installing the packages; set and missing, they
//! fail; unset, they say they were skipped.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::smtp::free_port;

pub const BROWSER_ENV: &str = "HELPDESK_TEST_BROWSER";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Whether browser tests run; prints why not when they do not.
pub fn wanted(test: &str) -> bool {
    let wanted = std::env::var(BROWSER_ENV).is_ok_and(|v| !v.is_empty() && v != "0");
    if !wanted {
        eprintln!("{BROWSER_ENV} unset: browser test {test} skipped");
    }
    wanted
}

/// A headless Chromium session; the driver is stopped when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a phone-sized
    /// window, with or without JavaScript.
    pub async fn start(javascript: bool) -> Self {
        for program in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                std::path::Path::new(program).exists(),
                "{BROWSER_ENV} is set but {program} is missing: install Debian's chromium and chromium-driver"
            );
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen within 20 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut prefs = serde_json::Map::new();
        if !javascript {
            prefs.insert("profile.managed_default_content_settings.javascript".into(), json!(2));
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                // CI runs as root, where Chromium's sandbox cannot start.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=412,915", "--lang=en-US"],
                "prefs": prefs,
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Self { client, driver }
    }

    pub async fn close(mut self) {
        self.client.clone().close().await.ok();
        self.driver.kill().ok();
        self.driver.wait().ok();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.driver.kill().ok();
    }
}
