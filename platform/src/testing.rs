//! Test support for the workspace's integration tests: every test gets its
//! own schema in the shared test database and its own JetStream stream and
//! subject prefix, so tests run in parallel against the real servers.

use crate::{
    bus::BusConfig,
    db::{self, DatabaseConfig},
};
use rand::RngExt;
use std::{net::SocketAddr, path::PathBuf, process::Stdio, time::Duration};
use tokio::{process::Child, sync::OnceCell};

/// The test database (`TEST_DATABASE_URL`, default `…/barpel_test`).
pub fn database_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/barpel_test".into())
}

/// `NATS_URL` of the shared server.
pub fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// `REDIS_URL` of the shared server.
pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A name no other test run uses: `t` + time + randomness, lower case.
pub fn unique(hint: &str) -> String {
    let millis = chrono::Utc::now().timestamp_millis() % 100_000_000;
    let random: u32 = rand::rng().random_range(0..1_000_000);
    format!("t{millis}{random:06}_{hint}")
}

static DATABASE: OnceCell<()> = OnceCell::const_new();

/// A fresh schema in the test database.
pub async fn database(hint: &str) -> DatabaseConfig {
    let url = database_url();
    DATABASE
        .get_or_init(|| async {
            if let Err(e) = db::ensure_database(&url).await {
                panic!("test database: {e}");
            }
        })
        .await;
    DatabaseConfig {
        url,
        schema: unique(hint),
        max_connections: 5,
        connect_timeout: Duration::from_secs(5),
    }
}

/// A private in-memory stream and subject prefix on the shared server.
pub fn bus(hint: &str) -> BusConfig {
    let name = unique(hint);
    BusConfig {
        url: nats_url(),
        stream: name.to_uppercase(),
        subject_prefix: name,
        max_age: Duration::from_secs(3600),
        memory: true,
        connect_timeout: Duration::from_secs(5),
    }
}

/// An address on loopback with port 0 (the OS picks a free port).
pub fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A server process of a test's own on a free port, which the test can
/// kill and start again on the same port.
struct ServerProcess {
    port: u16,
    child: Option<Child>,
}

impl ServerProcess {
    fn new() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        Self { port, child: None }
    }

    /// Runs `command` and waits until the port accepts connections.
    async fn run(&mut self, mut command: tokio::process::Command) {
        let name = command
            .as_std()
            .get_program()
            .to_string_lossy()
            .into_owned();
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("private {name} did not start on port {}", self.port);
    }

    async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }
}

/// A nats-server of the test's own, which it can stop and start again (same
/// port, same JetStream store) to show what happens during an outage.
pub struct PrivateNats {
    pub port: u16,
    store: PathBuf,
    server: ServerProcess,
}

impl PrivateNats {
    /// Starts `nats-server -js` on a free port with a fresh store directory.
    pub async fn start() -> Self {
        let server = ServerProcess::new();
        let mut nats = Self {
            port: server.port,
            store: std::env::temp_dir().join(unique("nats")),
            server,
        };
        nats.resume().await;
        nats
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server.
    pub async fn stop(&mut self) {
        self.server.kill().await;
    }

    /// Starts the server again and waits until it accepts connections.
    pub async fn resume(&mut self) {
        let binary = ["/usr/sbin/nats-server", "/usr/bin/nats-server"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or("nats-server");
        let mut command = tokio::process::Command::new(binary);
        command
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(&self.store);
        self.server.run(command).await;
    }
}

impl Drop for PrivateNats {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

/// A redis-server of the test's own (in memory, no persistence), which it
/// can stop and start again on the same port, or freeze to play a Redis
/// that accepts connections but never answers. Tests that take Redis away
/// use this, never the shared server.
pub struct PrivateRedis {
    pub port: u16,
    server: ServerProcess,
}

impl PrivateRedis {
    /// Starts `redis-server` on a free port.
    pub async fn start() -> Self {
        let server = ServerProcess::new();
        let mut redis = Self {
            port: server.port,
            server,
        };
        redis.resume().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (its data goes with it).
    pub async fn stop(&mut self) {
        self.server.kill().await;
    }

    /// Starts the server again and waits until it accepts connections.
    pub async fn resume(&mut self) {
        let mut command = tokio::process::Command::new("redis-server");
        command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"]);
        self.server.run(command).await;
    }

    /// Suspends the process (SIGSTOP): connections hang unanswered.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Lets a frozen server run again (SIGCONT).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let Some(pid) = self.server.pid() else {
            return;
        };
        let _ = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status();
    }
}

/// Polls `check` every 20 ms until it returns `Some`, or panics with `what`
/// after `limit`. Tests wait for asynchronous outcomes with this instead of
/// sleeping a fixed time.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A backend on a free port with its own schema, on the given bus.
pub async fn backend(hint: &str, bus: &BusConfig) -> crate::service::BackendConfig {
    crate::service::BackendConfig {
        listen: any_port(),
        database: database(hint).await,
        bus: bus.clone(),
    }
}
