//! One `SdkConfig` from the default credential chain, and per-region clients derived from it.

mod clients;
pub mod error;
pub mod regions;

pub use clients::{Aws, AwsOptions};
pub use error::{AwsError, AwsErrorKind};
