use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    barpel_platform::process::run_service(
        barpel_gateway::NAME,
        barpel_gateway::Config::from_env,
        barpel_gateway::start,
    )
    .await
}
