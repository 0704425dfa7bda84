//! Accounts and API keys in the gateway's schema.

use super::{
    format::{self, NewKey},
    plan::{Limits, Plan},
};
use barpel_platform::ids;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row, postgres::PgRow};

/// A customer of the platform.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub plan: Plan,
    /// The limits in force: the plan's, or the account's own on enterprise.
    pub limits: Limits,
    pub created_at: DateTime<Utc>,
}

/// An API key as stored (never the secret itself).
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: String,
    pub account_id: String,
    pub livemode: bool,
    pub prefix: String,
    pub last4: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Who a valid key speaks for: what authentication hands to every route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: String,
    pub livemode: bool,
    pub key_id: String,
    pub plan: Plan,
    pub limits: Limits,
    /// Calls the account may run at once in this mode.
    pub max_concurrent_calls: u32,
}

/// The result of looking a key's hash up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLookup {
    Active(Principal),
    Revoked,
    Unknown,
}

/// Creates an account. `custom` limits are required on enterprise and
/// refused on other plans, so an account's limits always have one source.
pub async fn create_account(
    pool: &PgPool,
    name: &str,
    plan: Plan,
    custom: Option<Limits>,
) -> anyhow::Result<Account> {
    let name = name.trim();
    anyhow::ensure!(!name.is_empty(), "the account name must not be empty");
    let limits = match (plan.limits(), custom) {
        (Some(limits), None) => limits,
        (None, Some(custom)) => custom,
        (None, None) => anyhow::bail!(
            "the enterprise plan needs its own limits: pass --per-minute and --per-second"
        ),
        (Some(_), Some(_)) => anyhow::bail!(
            "custom limits are only for the enterprise plan; the {plan} plan has fixed limits"
        ),
    };
    if limits.per_minute == 0 || limits.per_second == 0 {
        anyhow::bail!("limits must be at least 1 request");
    }
    let row = sqlx::query(
        "INSERT INTO accounts (id, name, plan, per_minute, per_second) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, name, plan, per_minute, per_second, created_at",
    )
    .bind(ids::new_id("acct"))
    .bind(name)
    .bind(plan.as_str())
    .bind(custom.map(|l| l.per_minute as i32))
    .bind(custom.map(|l| l.per_second as i32))
    .fetch_one(pool)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.constraint() == Some("accounts_name") => {
            anyhow::anyhow!("an account named {name:?} already exists")
        }
        _ => e.into(),
    })?;
    account(&row)
}

/// Sets how many calls the account may run at once (per mode).
pub async fn set_max_concurrent_calls(
    pool: &PgPool,
    account_id: &str,
    calls: u32,
) -> anyhow::Result<()> {
    anyhow::ensure!(calls > 0, "the concurrent-call limit must be at least 1");
    let done = sqlx::query("UPDATE accounts SET max_concurrent_calls = $2 WHERE id = $1")
        .bind(account_id)
        .bind(calls.min(i32::MAX as u32) as i32)
        .execute(pool)
        .await?;
    anyhow::ensure!(done.rows_affected() == 1, "no account {account_id:?}");
    Ok(())
}

/// Finds an account by id (`acct_…`) or by name.
pub async fn find_account(pool: &PgPool, id_or_name: &str) -> anyhow::Result<Option<Account>> {
    let row = sqlx::query(
        "SELECT id, name, plan, per_minute, per_second, created_at FROM accounts \
         WHERE id = $1 OR name = $1",
    )
    .bind(id_or_name)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(account).transpose()
}

/// Every account, oldest first.
pub async fn list_accounts(pool: &PgPool) -> anyhow::Result<Vec<Account>> {
    let rows = sqlx::query(
        "SELECT id, name, plan, per_minute, per_second, created_at FROM accounts ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(account).collect()
}

/// Creates a key; the returned secret is the only copy there will be.
pub async fn create_key(
    pool: &PgPool,
    account_id: &str,
    livemode: bool,
) -> anyhow::Result<(ApiKey, String)> {
    let NewKey {
        secret,
        hash,
        prefix,
        last4,
    } = format::generate(livemode);
    let row = sqlx::query(
        "INSERT INTO api_keys (id, account_id, livemode, key_hash, prefix, last4) \
         SELECT $1, id, $3, $4, $5, $6 FROM accounts WHERE id = $2 \
         RETURNING id, account_id, livemode, prefix, last4, created_at, revoked_at",
    )
    .bind(ids::new_id("key"))
    .bind(account_id)
    .bind(livemode)
    .bind(&hash[..])
    .bind(prefix)
    .bind(last4)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| anyhow::anyhow!("no account {account_id:?}; see `barpel accounts list`"))?;
    Ok((api_key(&row)?, secret))
}

/// An account's keys, oldest first.
pub async fn list_keys(pool: &PgPool, account_id: &str) -> anyhow::Result<Vec<ApiKey>> {
    let rows = sqlx::query(
        "SELECT id, account_id, livemode, prefix, last4, created_at, revoked_at FROM api_keys \
         WHERE account_id = $1 ORDER BY id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(api_key).collect()
}

/// Revokes a key; it stops working once gateway caches expire (≤ 60 s).
pub async fn revoke_key(pool: &PgPool, key_id: &str) -> anyhow::Result<ApiKey> {
    let row = sqlx::query(
        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 \
         RETURNING id, account_id, livemode, prefix, last4, created_at, revoked_at",
    )
    .bind(key_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| anyhow::anyhow!("no API key {key_id:?}; see `barpel keys list --account …`"))?;
    api_key(&row)
}

/// Looks a key up by its hash.
pub async fn lookup(pool: &PgPool, hash: &[u8; 32]) -> anyhow::Result<KeyLookup> {
    let row = sqlx::query(
        "SELECT k.id, k.account_id, k.livemode, k.revoked_at, a.plan, a.per_minute, a.per_second, \
         a.max_concurrent_calls \
         FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = $1",
    )
    .bind(&hash[..])
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(KeyLookup::Unknown);
    };
    if row
        .try_get::<Option<DateTime<Utc>>, _>("revoked_at")?
        .is_some()
    {
        return Ok(KeyLookup::Revoked);
    }
    let plan: Plan = row
        .try_get::<String, _>("plan")?
        .parse()
        .map_err(anyhow::Error::msg)?;
    Ok(KeyLookup::Active(Principal {
        key_id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        livemode: row.try_get("livemode")?,
        limits: limits(plan, &row)?,
        max_concurrent_calls: row
            .try_get::<Option<i32>, _>("max_concurrent_calls")?
            .map_or(plan.max_concurrent_calls(), |n| n.max(1) as u32),
        plan,
    }))
}

fn account(row: &PgRow) -> anyhow::Result<Account> {
    let plan: Plan = row
        .try_get::<String, _>("plan")?
        .parse()
        .map_err(anyhow::Error::msg)?;
    Ok(Account {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        limits: limits(plan, row)?,
        plan,
        created_at: row.try_get("created_at")?,
    })
}

fn limits(plan: Plan, row: &PgRow) -> anyhow::Result<Limits> {
    if let Some(limits) = plan.limits() {
        return Ok(limits);
    }
    let per_minute: Option<i32> = row.try_get("per_minute")?;
    let per_second: Option<i32> = row.try_get("per_second")?;
    match (per_minute, per_second) {
        (Some(m), Some(s)) => Ok(Limits {
            per_minute: m as u32,
            per_second: s as u32,
        }),
        _ => anyhow::bail!("enterprise account without limits"),
    }
}

fn api_key(row: &PgRow) -> anyhow::Result<ApiKey> {
    Ok(ApiKey {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        livemode: row.try_get("livemode")?,
        prefix: row.try_get("prefix")?,
        last4: row.try_get("last4")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}
