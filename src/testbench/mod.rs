//! The local AWS test bench, shared by the integration tests, the benchmarks and the demo:
//! a moto server, a stub that serves recorded AWS JSON where moto has no API, a socket that
//! never answers, a latency-adding TCP proxy, and a CBOR bridge for CloudWatch.

mod cbor_bridge;
mod latency_proxy;
mod moto;
pub mod seed;
mod stub;

pub use cbor_bridge::CborBridge;
pub use latency_proxy::LatencyProxy;
pub use moto::{Moto, dummy_credentials, venv_dir};
pub use stub::{Blackhole, Stub, StubRequest, StubResponse};
