use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    barpel_platform::process::run_service(
        barpel_call_service::NAME,
        barpel_call_service::Config::from_env,
        barpel_call_service::start,
    )
    .await
}
