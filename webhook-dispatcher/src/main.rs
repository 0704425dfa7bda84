use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    barpel_platform::process::run_service(
        barpel_webhook_dispatcher::NAME,
        barpel_webhook_dispatcher::Config::from_env,
        barpel_webhook_dispatcher::start,
    )
    .await
}
