use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    barpel_platform::process::run_service(
        barpel_orders_service::NAME,
        barpel_orders_service::Config::from_env,
        barpel_orders_service::start,
    )
    .await
}
