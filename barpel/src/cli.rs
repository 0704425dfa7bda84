//! The command line.

use crate::{manage, up};
use barpel_gateway::keys::Plan;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "barpel",
    version,
    about = "Run and operate a Barpel installation."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every service and the gateway in this process, against the local
    /// Postgres, NATS and Redis (creating the database when missing).
    Up,
    /// Apply every service's migrations, then exit.
    Migrate,
    /// Print the REST API's OpenAPI 3.1 document.
    Openapi,
    /// Manage accounts.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
enum AccountsCommand {
    /// Create an account.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "starter", value_parser = parse_plan)]
        plan: Plan,
        /// Enterprise only: sustained requests per minute.
        #[arg(long)]
        per_minute: Option<u32>,
        /// Enterprise only: burst requests per second.
        #[arg(long)]
        per_second: Option<u32>,
        /// Calls the account may run at once per mode (default: the plan's).
        #[arg(long)]
        max_concurrent_calls: Option<u32>,
    },
    /// List accounts.
    List,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Create an API key; it is printed once and never stored.
    Create {
        /// Account id (`acct_…`) or name.
        #[arg(long)]
        account: String,
        #[arg(long, value_enum, default_value_t = Mode::Test)]
        mode: Mode,
    },
    /// List an account's keys (prefix and last 4 only).
    List {
        /// Account id (`acct_…`) or name.
        #[arg(long)]
        account: String,
    },
    /// Revoke a key by id (`key_…`); it stops working within a minute.
    Revoke { key_id: String },
}

/// A key's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    Test,
    Live,
}

fn parse_plan(s: &str) -> Result<Plan, String> {
    s.parse()
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Up => up::run().await,
            Command::Migrate => manage::migrate().await,
            Command::Openapi => {
                println!("{}", barpel_gateway::routes::openapi_json());
                Ok(())
            }
            Command::Accounts(AccountsCommand::Create {
                name,
                plan,
                per_minute,
                per_second,
                max_concurrent_calls,
            }) => {
                manage::create_account(&name, plan, (per_minute, per_second), max_concurrent_calls)
                    .await
            }
            Command::Accounts(AccountsCommand::List) => manage::list_accounts().await,
            Command::Keys(KeysCommand::Create { account, mode }) => {
                manage::create_key(&account, mode == Mode::Live).await
            }
            Command::Keys(KeysCommand::List { account }) => manage::list_keys(&account).await,
            Command::Keys(KeysCommand::Revoke { key_id }) => manage::revoke_key(&key_id).await,
        }
    }
}
