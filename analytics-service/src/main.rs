use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    barpel_platform::process::run_service(
        barpel_analytics_service::NAME,
        barpel_analytics_service::Config::from_env,
        barpel_analytics_service::start,
    )
    .await
}
