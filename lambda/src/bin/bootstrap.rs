//! The Lambda entry point (provided.al2023): build the notifier once, then serve invocations.

use awsmon_notifier::lambda_main::{Notifier, init_tracing};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::value::RawValue;

#[global_allocator]
static ALLOCATOR: awsmon_notifier::Allocator = awsmon_notifier::Allocator;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let notifier = Notifier::from_env()?;
    let notifier = &notifier;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<Box<RawValue>>| async move { notifier.handle(event).await },
    ))
    .await
}
