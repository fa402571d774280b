//! Building the shared SDK configuration and the cached per-region clients.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// How to reach AWS: the CLI's global flags, plus knobs the tests and benchmarks turn.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    pub profile: Option<String>,
    /// `--endpoint-url`; `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` are read by the SDK.
    pub endpoint_url: Option<String>,
    /// Endpoints for single regions, for tests that make one region misbehave.
    pub region_endpoints: HashMap<String, String>,
    /// Endpoints for single services, by client name (`account`, `guardduty`, `support`...):
    /// a stub serving recorded replies where the emulator lacks the API.
    pub service_endpoints: HashMap<&'static str, String>,
    pub connect_timeout: Duration,
    /// The most one operation may take, retries included.
    pub operation_timeout: Duration,
    pub max_attempts: u32,
    /// Fixed credentials instead of the default chain (the emulator, tests, the demo).
    pub credentials: Option<aws_credential_types::Credentials>,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            endpoint_url: None,
            region_endpoints: HashMap::new(),
            service_endpoints: HashMap::new(),
            connect_timeout: Duration::from_secs(3),
            operation_timeout: Duration::from_secs(15),
            max_attempts: 3,
            credentials: None,
        }
    }
}

type ClientCache = Mutex<HashMap<(&'static str, String), Box<dyn Any + Send + Sync>>>;

/// The same access as another account's role, by role ARN; made once, so its credentials are
/// fetched once and renewed for every client made from it.
type AssumedCache = Mutex<HashMap<String, Aws>>;

/// The AWS access point: shared config plus a cache of clients per (service, region).
#[derive(Clone)]
pub struct Aws {
    sdk: SdkConfig,
    options: Arc<AwsOptions>,
    /// `None` for an assumed role's access: an organization's scan assumes one per account,
    /// and a client per account × region × service kept for the scan's length came to
    /// 148 MiB for 500 accounts × 17 regions (about 18 KiB a client). Each call makes its
    /// client and drops it; the credentials stay cached in the shared identity cache.
    clients: Option<Arc<ClientCache>>,
    assumed: Arc<AssumedCache>,
}

impl std::fmt::Debug for Aws {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aws")
            .field("profile", &self.options.profile)
            .field("endpoint", &self.endpoint())
            .finish_non_exhaustive()
    }
}

impl Aws {
    /// Resolves the default chain (env, profile, SSO, credential_process, IMDS) once. Credentials
    /// themselves are fetched lazily, on the first call.
    pub async fn load(options: AwsOptions, home_region: &str) -> Aws {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(home_region.to_string()))
            .retry_config(RetryConfig::standard().with_max_attempts(options.max_attempts.max(1)))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(options.connect_timeout)
                    .operation_timeout(options.operation_timeout)
                    .build(),
            );
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(creds) = &options.credentials {
            loader = loader.credentials_provider(creds.clone());
        }
        Aws {
            sdk: loader.load().await,
            options: Arc::new(options),
            clients: Some(Arc::new(Mutex::new(HashMap::new()))),
            assumed: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// This access as `role_arn` (sts:AssumeRole with the current credentials, in the home
    /// region). Nothing is called until a client made from it makes its first call; an
    /// AccessDenied then is that call's error. `session_policy` narrows what the session may
    /// do below what the role allows (a scan asks for reads only). Cached by role and policy.
    pub async fn assume(&self, role_arn: &str, session_policy: Option<&str>) -> Aws {
        let key = format!("{role_arn}\n{}", session_policy.unwrap_or_default());
        if let Some(hit) = self
            .assumed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
        {
            return hit.clone();
        }
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name("awsmon-tui")
            .configure(&self.sdk);
        if let Some(policy) = session_policy {
            builder = builder.policy(policy);
        }
        let provider = builder.build().await;
        // The SDK config's identity cache is shared by every client made from it, keyed by
        // provider: one AssumeRole per account, renewed before it expires.
        let sdk = self
            .sdk
            .to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            )
            .build();
        let aws = Aws {
            sdk,
            options: self.options.clone(),
            clients: None,
            assumed: self.assumed.clone(),
        };
        self.assumed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(key)
            .or_insert(aws)
            .clone()
    }

    pub fn sdk_config(&self) -> &SdkConfig {
        &self.sdk
    }

    pub fn profile(&self) -> Option<&str> {
        self.options.profile.as_deref()
    }

    /// The endpoint override in force, if not real AWS.
    pub fn endpoint(&self) -> Option<String> {
        self.sdk.endpoint_url().map(str::to_string).or_else(|| {
            std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|v| !v.is_empty())
        })
    }

    pub fn operation_timeout(&self) -> Duration {
        self.options.operation_timeout
    }

    fn cached<C: Clone + Send + Sync + 'static>(
        &self,
        service: &'static str,
        region: &str,
        make: impl FnOnce() -> C,
    ) -> C {
        let Some(clients) = &self.clients else {
            return make();
        };
        let mut cache = clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (service, region.to_string());
        if let Some(client) = cache.get(&key).and_then(|c| c.downcast_ref::<C>()) {
            return client.clone();
        }
        let client = make();
        cache.insert(key, Box::new(client.clone()));
        client
    }
}

impl Aws {
    /// S3 needs path-style addressing behind an endpoint override (an emulator has no
    /// per-bucket host names).
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        self.cached("s3", region, || {
            let mut conf = aws_sdk_s3::config::Builder::from(&self.sdk)
                .region(Region::new(region.to_string()));
            if self.endpoint().is_some() || !self.options.region_endpoints.is_empty() {
                conf = conf.force_path_style(true);
            }
            if let Some(url) = self.options.region_endpoints.get(region) {
                conf = conf.endpoint_url(url);
            }
            aws_sdk_s3::Client::from_conf(conf.build())
        })
    }
}

/// One accessor per SDK client: the shared config with the region (and any per-region
/// endpoint) applied, cached.
macro_rules! regional_clients {
    ($($name:ident => $krate:ident),* $(,)?) => {
        impl Aws {
            $(
                pub fn $name(&self, region: &str) -> $krate::Client {
                    self.cached(stringify!($name), region, || {
                        let mut conf = $krate::config::Builder::from(&self.sdk).region(Region::new(region.to_string()));
                        let endpoint = self
                            .options
                            .service_endpoints
                            .get(stringify!($name))
                            .or_else(|| self.options.region_endpoints.get(region));
                        if let Some(url) = endpoint {
                            conf = conf.endpoint_url(url);
                        }
                        $krate::Client::from_conf(conf.build())
                    })
                }
            )*
        }
    };
}

regional_clients! {
    sts => aws_sdk_sts,
    account => aws_sdk_account,
    guardduty => aws_sdk_guardduty,
    configservice => aws_sdk_config,
    inspector2 => aws_sdk_inspector2,
    securityhub => aws_sdk_securityhub,
    accessanalyzer => aws_sdk_accessanalyzer,
    support => aws_sdk_support,
    health => aws_sdk_health,
    budgets => aws_sdk_budgets,
    cloudformation => aws_sdk_cloudformation,
    ssm => aws_sdk_ssm,
    eventbridge => aws_sdk_eventbridge,
    cloudwatch => aws_sdk_cloudwatch,
    logs => aws_sdk_cloudwatchlogs,
    sqs => aws_sdk_sqs,
    dynamodb => aws_sdk_dynamodb,
    lambda => aws_sdk_lambda,
    organizations => aws_sdk_organizations,
}
