//! `helpdesk`: the command-line entry point (server and operator commands).

mod cli;
mod import;
mod ingest_email;
mod malloc_arenas;
mod seed;
mod serve;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    malloc_arenas::limit();
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("helpdesk: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let result = match cli.command {
            Command::Serve(args) => serve::run(&cli.database_url, *args).await,
            Command::Migrate => migrate(&cli.database_url).await,
            Command::Schema => {
                print!("{}", helpdesk_api::sdl());
                Ok(())
            }
            // Answers the MTA that piped the mail in with sysexits codes.
            Command::IngestEmail(args) => return ingest_email::run(&cli.database_url, &args).await,
            // Both report with sysexits codes, as their --help says.
            Command::Import(args) => return import::run(&cli.database_url, &args).await,
            Command::Seed(args) => return seed::run(&cli.database_url, &args).await,
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("helpdesk: {err:#}");
                ExitCode::FAILURE
            }
        }
    })
}

async fn migrate(database_url: &str) -> anyhow::Result<()> {
    let store =
        helpdesk_persistence::Store::connect_with(database_url, helpdesk_persistence::StoreOptions::command()).await?;
    store.migrate().await?;
    tracing::info!("migrations applied");
    Ok(())
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
