//! `barpel migrate`, `barpel accounts …`, `barpel keys …`: operations on the
//! database, configured by the same environment variables as the services.

use barpel_gateway::keys::{Limits, Plan, store};
use barpel_platform::{config::Env, db};
use sqlx::PgPool;

/// Applies every service's migrations (creating the database if missing).
pub async fn migrate() -> anyhow::Result<()> {
    let env = Env::os();
    let gateway = barpel_gateway::Config::from_env(&env)?;
    db::ensure_database(&gateway.database.url).await?;
    barpel_gateway::connect_and_migrate(&gateway.database).await?;
    println!("gateway: migrated schema {}", gateway.database.schema);
    let calls = barpel_call_service::Config::from_env(&env)?;
    barpel_call_service::migrate(&calls).await?;
    println!(
        "call-service: migrated schema {}",
        calls.backend.database.schema
    );
    let orders = barpel_orders_service::Config::from_env(&env)?;
    barpel_orders_service::migrate(&orders).await?;
    println!(
        "orders-service: migrated schema {}",
        orders.backend.database.schema
    );
    let analytics = barpel_analytics_service::Config::from_env(&env)?;
    barpel_analytics_service::migrate(&analytics).await?;
    println!(
        "analytics-service: migrated schema {}",
        analytics.backend.database.schema
    );
    let webhooks = barpel_webhook_dispatcher::Config::from_env(&env)?;
    barpel_webhook_dispatcher::migrate(&webhooks).await?;
    println!(
        "webhook-dispatcher: migrated schema {}",
        webhooks.backend.database.schema
    );
    Ok(())
}

pub async fn create_account(
    name: &str,
    plan: Plan,
    limits: (Option<u32>, Option<u32>),
    max_concurrent_calls: Option<u32>,
) -> anyhow::Result<()> {
    let custom = match limits {
        (None, None) => None,
        (Some(per_minute), Some(per_second)) => Some(Limits {
            per_minute,
            per_second,
        }),
        _ => anyhow::bail!("give both --per-minute and --per-second, or neither"),
    };
    let pool = pool().await?;
    let account = store::create_account(&pool, name, plan, custom).await?;
    let calls = match max_concurrent_calls {
        Some(calls) => {
            store::set_max_concurrent_calls(&pool, &account.id, calls).await?;
            calls
        }
        None => plan.max_concurrent_calls(),
    };
    println!(
        "created account {} ({}, {} plan: {}/min, {}/s burst, {calls} concurrent calls)",
        account.id,
        account.name,
        account.plan,
        account.limits.per_minute,
        account.limits.per_second
    );
    println!(
        "next: barpel keys create --account {} --mode test",
        account.id
    );
    Ok(())
}

pub async fn list_accounts() -> anyhow::Result<()> {
    let accounts = store::list_accounts(&pool().await?).await?;
    println!(
        "{:<28} {:<24} {:<11} {:>8} {:>6}",
        "ID", "NAME", "PLAN", "PER MIN", "PER S"
    );
    for a in accounts {
        println!(
            "{:<28} {:<24} {:<11} {:>8} {:>6}",
            a.id,
            a.name,
            a.plan.as_str(),
            a.limits.per_minute,
            a.limits.per_second
        );
    }
    Ok(())
}

pub async fn create_key(account: &str, livemode: bool) -> anyhow::Result<()> {
    let pool = pool().await?;
    let account = store::find_account(&pool, account)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account {account:?}; see `barpel accounts list`"))?;
    let (key, secret) = store::create_key(&pool, &account.id, livemode).await?;
    println!(
        "created {} key {} for {}",
        mode(key.livemode),
        key.id,
        account.name
    );
    println!("{secret}");
    println!("This is the only time the key is shown. Store it somewhere safe.");
    Ok(())
}

pub async fn list_keys(account: &str) -> anyhow::Result<()> {
    let pool = pool().await?;
    let account = store::find_account(&pool, account)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account {account:?}; see `barpel accounts list`"))?;
    println!(
        "{:<27} {:<5} {:<30} {:<25} STATUS",
        "ID", "MODE", "KEY", "CREATED"
    );
    for k in store::list_keys(&pool, &account.id).await? {
        let status = k
            .revoked_at
            .map(|t| format!("revoked {}", t.format("%Y-%m-%d %H:%M")))
            .unwrap_or_else(|| "active".into());
        println!(
            "{:<27} {:<5} {:<30} {:<25} {status}",
            k.id,
            mode(k.livemode),
            format!("{}…{}", k.prefix, k.last4),
            k.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
        );
    }
    Ok(())
}

pub async fn revoke_key(key_id: &str) -> anyhow::Result<()> {
    let key = store::revoke_key(&pool().await?, key_id).await?;
    println!(
        "revoked {} ({}…{}); gateways stop accepting it within a minute",
        key.id, key.prefix, key.last4
    );
    Ok(())
}

fn mode(livemode: bool) -> &'static str {
    if livemode { "live" } else { "test" }
}

/// The gateway's schema, migrated (so these commands work before `up`).
async fn pool() -> anyhow::Result<PgPool> {
    let config = barpel_gateway::Config::from_env(&Env::os())?;
    db::ensure_database(&config.database.url).await?;
    barpel_gateway::connect_and_migrate(&config.database).await
}
