//! The Postgres pool. Every service owns one schema of the shared database:
//! its connections put that schema first on `search_path`, so migrations
//! and queries use unqualified names and tests can isolate themselves by
//! giving each run its own schema.

use crate::config::{ConfigError, Env, check_name};
use sqlx::{
    ConnectOptions, Connection, PgConnection, PgPool,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use std::{str::FromStr, time::Duration};

/// The default local database, as in the README.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/barpel";

/// How a service reaches its schema.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `postgres://…` of the shared database.
    pub url: String,
    /// The schema this service owns (created when missing).
    pub schema: String,
    /// Pool size.
    pub max_connections: u32,
    /// How long start-up keeps retrying an unreachable database.
    pub connect_timeout: Duration,
}

impl DatabaseConfig {
    /// Reads `DATABASE_URL`, `DATABASE_MAX_CONNECTIONS`,
    /// `DATABASE_CONNECT_TIMEOUT_MS` and `<prefix>_DB_SCHEMA`.
    pub fn from_env(
        env: &Env,
        schema_var: &str,
        default_schema: &str,
    ) -> Result<Self, ConfigError> {
        let url = env.url(
            "DATABASE_URL",
            DEFAULT_DATABASE_URL,
            &["postgres", "postgresql"],
        )?;
        PgConnectOptions::from_str(&url).map_err(|e| ConfigError {
            var: "DATABASE_URL".into(),
            value: url.clone(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            url,
            schema: env.name(schema_var, default_schema)?,
            max_connections: env.parse(
                "DATABASE_MAX_CONNECTIONS",
                10,
                "a number of connections",
            )?,
            connect_timeout: env.millis("DATABASE_CONNECT_TIMEOUT_MS", Duration::from_secs(15))?,
        })
    }

    /// The same database, another schema (for tests and for `barpel up`).
    pub fn with_schema(&self, schema: &str) -> Self {
        Self {
            schema: schema.to_owned(),
            ..self.clone()
        }
    }
}

/// Failures that stop a service from starting.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "cannot reach Postgres at {url}: {reason}. Is it running? Start it, or set DATABASE_URL."
    )]
    Unreachable { url: String, reason: String },
    #[error("bad schema name {0:?}: {1}")]
    BadSchema(String, String),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migrating schema {schema}: {reason}")]
    Migrate { schema: String, reason: String },
}

/// Connects (retrying for `connect_timeout`), creates the schema if missing
/// and returns a pool whose connections use it.
pub async fn connect(config: &DatabaseConfig) -> Result<PgPool, DbError> {
    check_name(&config.schema).map_err(|e| DbError::BadSchema(config.schema.clone(), e))?;
    let options = options(&config.url)?;
    let mut conn = connect_with_retry(&options, config).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE SCHEMA IF NOT EXISTS \"{}\"",
        config.schema
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await.ok();
    let pool = PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy_with(options.options([("search_path", config.schema.as_str())]));
    Ok(pool)
}

/// Creates the database named in `url` when it does not exist yet, by
/// connecting to the server's `postgres` database. Used by `barpel up` and
/// by tests; services themselves expect their database to exist.
pub async fn ensure_database(url: &str) -> Result<(), DbError> {
    let options = options(url)?;
    let Some(name) = options.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let admin = options.clone().database("postgres");
    let mut conn = admin
        .connect()
        .await
        .map_err(|source| DbError::Unreachable {
            url: redact(url),
            reason: source.to_string(),
        })?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
        match sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
        {
            Ok(_) => tracing::info!(database = %name, "created database"),
            // Another process created it between our check and our CREATE.
            Err(e) if is_duplicate_database(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    conn.close().await.ok();
    Ok(())
}

/// Applies a migrator to the pool's schema. `sqlx` keeps its bookkeeping
/// table in the same schema, so each service's history is its own.
pub async fn migrate(pool: &PgPool, schema: &str, migrator: &Migrator) -> Result<(), DbError> {
    migrator.run(pool).await.map_err(|e| DbError::Migrate {
        schema: schema.to_owned(),
        reason: e.to_string(),
    })
}

/// The URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn options(url: &str) -> Result<PgConnectOptions, DbError> {
    PgConnectOptions::from_str(url).map_err(|source| DbError::Unreachable {
        url: redact(url),
        reason: source.to_string(),
    })
}

async fn connect_with_retry(
    options: &PgConnectOptions,
    config: &DatabaseConfig,
) -> Result<PgConnection, DbError> {
    let deadline = tokio::time::Instant::now() + config.connect_timeout;
    let mut delay = Duration::from_millis(100);
    loop {
        match options.connect().await {
            Ok(conn) => return Ok(conn),
            Err(source) if tokio::time::Instant::now() + delay > deadline => {
                return Err(DbError::Unreachable {
                    url: redact(&config.url),
                    reason: source.to_string(),
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "Postgres not reachable yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        }
    }
}

fn is_duplicate_database(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("42P04") || db.code().as_deref() == Some("23505"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
