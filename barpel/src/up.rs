//! `barpel up`: every service and the gateway in one process.

use barpel_gateway::keys::{Plan, store};
use barpel_platform::{
    ServiceHandle, Shutdown,
    config::Env,
    db,
    shutdown::cancel_on_signal,
    telemetry::{self, TelemetryConfig},
};

/// The name of the account `barpel up` creates on first start.
const DEV_ACCOUNT: &str = "dev";

/// Each service's configuration, read (and checked) before anything starts.
struct Configs {
    gateway: barpel_gateway::Config,
    backends: BackendConfigs,
}

struct BackendConfigs {
    calls: barpel_call_service::Config,
    orders: barpel_orders_service::Config,
    analytics: barpel_analytics_service::Config,
    webhooks: barpel_webhook_dispatcher::Config,
}

impl Configs {
    fn from_env(env: &Env) -> anyhow::Result<Self> {
        Ok(Self {
            gateway: barpel_gateway::Config::from_env(env)?,
            backends: BackendConfigs {
                calls: barpel_call_service::Config::from_env(env)?,
                orders: barpel_orders_service::Config::from_env(env)?,
                analytics: barpel_analytics_service::Config::from_env(env)?,
                webhooks: barpel_webhook_dispatcher::Config::from_env(env)?,
            },
        })
    }
}

pub async fn run() -> anyhow::Result<()> {
    let env = Env::os();
    let configs = Configs::from_env(&env)?;
    let _telemetry = telemetry::init("barpel", &TelemetryConfig::from_env(&env)?)?;
    db::ensure_database(&configs.gateway.database.url).await?;
    // The gateway stops first (draining HTTP), then the backends it calls.
    let front = Shutdown::new();
    let back = Shutdown::new();
    tokio::spawn(cancel_on_signal(front.clone()));
    let backends = match start_backends(configs.backends, &back).await {
        Ok(services) => services,
        Err(e) => {
            back.cancel();
            return Err(e);
        }
    };
    let gateway = barpel_gateway::start(configs.gateway, front.clone()).await?;
    welcome(&env, &gateway).await?;
    front.cancelled().await;
    tracing::info!("stopping the gateway");
    let mut outcome = gateway.wait().await;
    tracing::info!("stopping the services");
    back.cancel();
    for service in backends {
        let name = service.name;
        if let Err(e) = service.wait().await {
            tracing::error!(service = name, "stopped with an error: {e:#}");
            outcome = Err(e);
        }
    }
    tracing::info!("all stopped");
    outcome
}

/// Starts the gRPC services, those others call first.
async fn start_backends(
    configs: BackendConfigs,
    shutdown: &Shutdown,
) -> anyhow::Result<Vec<ServiceHandle>> {
    Ok(vec![
        barpel_orders_service::start(configs.orders, shutdown.clone()).await?,
        barpel_call_service::start(configs.calls, shutdown.clone()).await?,
        barpel_analytics_service::start(configs.analytics, shutdown.clone()).await?,
        barpel_webhook_dispatcher::start(configs.webhooks, shutdown.clone()).await?,
    ])
}

/// On first start, creates the `dev` account and a test key, and prints
/// them with a request to paste.
async fn welcome(env: &Env, gateway: &ServiceHandle) -> anyhow::Result<()> {
    let config = barpel_gateway::Config::from_env(env)?;
    let pool = db::connect(&config.database).await?;
    let base = format!("http://{}", gateway.addr);
    if let Some(account) = store::find_account(&pool, DEV_ACCOUNT).await? {
        println!("\nBarpel is up at {base}  (API reference: {base}/docs)");
        println!(
            "The dev account ({}) exists already; its test key was shown when it was created.",
            account.id
        );
        println!("New key: barpel keys create --account {DEV_ACCOUNT} --mode test\n");
        return Ok(());
    }
    let account = store::create_account(&pool, DEV_ACCOUNT, Plan::Starter, None).await?;
    let (_, secret) = store::create_key(&pool, &account.id, false).await?;
    println!("\nBarpel is up at {base}  (API reference: {base}/docs)\n");
    println!(
        "Created the dev account ({}) and its test key (shown only now):\n",
        account.id
    );
    println!("  {secret}\n");
    println!("Try it:\n");
    println!(
        r#"  curl -X POST {base}/v1/calls \
    -H "Authorization: Bearer {secret}" \
    -H "Content-Type: application/json" \
    -d '{{"phone_number": "+14155551234", "purpose": "cart_recovery", "context": {{"cart_items": ["Blue Running Shoes", "White T-Shirt"], "cart_value": 89.99, "customer_name": "Sarah"}}}}'
"#
    );
    Ok(())
}
