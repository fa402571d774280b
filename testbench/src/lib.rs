//! awsmon's local test bench, a development-only crate (never part of a release binary): a moto
//! server from the project venv, a stub that serves recorded AWS JSON where moto has no API, a
//! socket that never answers, an overlay that answers what moto lacks and forwards the rest
//! (the demo's world), a latency-adding TCP proxy, a CBOR bridge for CloudWatch, seeding,
//! a local Slack receiver and a Lambda runtime-API emulator. The integration tests, the
//! benchmarks and the demo (`awsmon-demo`, run by `scripts/demo`) use it.

pub mod accessanalyzer;
mod cbor_bridge;
pub mod demo_world;
mod latency_proxy;
mod moto;
pub mod org_world;
pub mod overlay;
pub mod receiver;
pub mod runtime_api;
pub mod securityhub;
pub mod seed;
mod stub;

pub use cbor_bridge::CborBridge;
pub use latency_proxy::LatencyProxy;
pub use moto::{Moto, dummy_credentials, venv_dir};
pub use stub::{Blackhole, Stub, StubRequest, StubResponse};

/// SDK access to an emulator at `endpoint` for the benchmarks: fixed credentials, one attempt,
/// and a generous timeout (a proxied scan of many regions keeps calls waiting).
pub async fn bench_aws(endpoint: &str) -> awsmon::aws::Aws {
    let options = awsmon::aws::AwsOptions {
        endpoint_url: Some(endpoint.to_string()),
        credentials: Some(dummy_credentials()),
        max_attempts: 1,
        operation_timeout: std::time::Duration::from_mins(2),
        ..awsmon::aws::AwsOptions::default()
    };
    awsmon::aws::Aws::load(options, "us-east-1").await
}
