//! Which stores a benchmark runs on. SQLite always, PostgreSQL when
//! `HELPDESK_BENCH_POSTGRES_URL` (or `HELPDESK_TEST_POSTGRES_URL`) names a
//! server; `HELPDESK_BENCH_STORES` (`sqlite`, `postgres`, or both separated
//! by a comma) narrows that, so a run at 1,000,000 tickets can time one
//! store without seeding the other for an hour.

type Error = Box<dyn std::error::Error>;

pub struct Stores {
    pub sqlite: bool,
    /// The PostgreSQL server's URL, when PostgreSQL runs.
    pub postgres: Option<String>,
}

pub fn stores() -> Result<Stores, Error> {
    let server = std::env::var("HELPDESK_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("HELPDESK_TEST_POSTGRES_URL"))
        .ok()
        .filter(|u| !u.is_empty());
    let Ok(wanted) = std::env::var("HELPDESK_BENCH_STORES") else {
        return Ok(Stores {
            sqlite: true,
            postgres: server,
        });
    };
    let (mut sqlite, mut postgres) = (false, false);
    for name in wanted.split(',').map(str::trim) {
        match name {
            "sqlite" => sqlite = true,
            "postgres" => postgres = true,
            other => return Err(format!("HELPDESK_BENCH_STORES: unknown store {other:?} (sqlite, postgres)").into()),
        }
    }
    if postgres && server.is_none() {
        return Err("HELPDESK_BENCH_STORES names postgres but HELPDESK_BENCH_POSTGRES_URL is unset".into());
    }
    Ok(Stores {
        sqlite,
        postgres: server.filter(|_| postgres),
    })
}
