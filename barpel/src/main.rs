//! `barpel`: the operator CLI. `barpel up` runs the whole platform in one
//! process for a single host or development; the other commands manage the
//! database, accounts and API keys.

mod cli;
mod manage;
mod up;

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("barpel: {e:#}");
            ExitCode::FAILURE
        }
    }
}
