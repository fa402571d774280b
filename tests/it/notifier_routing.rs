//! The notifier's routing source against the emulator: the SSM SecureString is read, cached
//! for the TTL, re-read after it, and a broken value fails loudly without echoing secrets.

use crate::common;

use std::time::Duration;

use aws_sdk_ssm::types::ParameterType;
use awsmon_notifier::lambda_main::{NotifyError, RoutingSource};
use awsmon_notifier::settings::Settings;
use awsmon_notifier::{Service, WebhookUrl};

const NAME: &str = "/monitoring/awsmon/routing";

async fn put(aws: &awsmon::aws::Aws, value: &str) {
    aws.ssm("us-east-1")
        .put_parameter()
        .name(NAME)
        .value(value)
        .r#type(ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .expect("put parameter");
}

fn settings_with(url: &str) -> String {
    let mut s = Settings::default();
    s.routes.default = vec![WebhookUrl::parse(url).expect("url")];
    s.routes.per_service.insert(
        Service::Budget,
        vec![
            WebhookUrl::parse("https://hooks.slack.com/services/T0FAKE/B0FAKE/BUDGETBUDGET")
                .expect("url"),
        ],
    );
    serde_json::to_string(&s).expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn routing_is_read_from_ssm_cached_and_refreshed() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    assert_eq!(
        awsmon::naming::routing_parameter(&awsmon::config::Config::default()),
        NAME
    );
    put(
        &aws,
        &settings_with("https://hooks.slack.com/services/T0FAKE/B0FAKE/FIRSTFIRST"),
    )
    .await;

    let source = RoutingSource::with_client(NAME, Duration::from_millis(800), aws.ssm("us-east-1"));
    let first = source.settings().await.expect("settings");
    assert_eq!(
        first.routes.default[0].expose(),
        "https://hooks.slack.com/services/T0FAKE/B0FAKE/FIRSTFIRST"
    );
    assert_eq!(
        first.routes.for_service(Service::Budget)[0].expose(),
        "https://hooks.slack.com/services/T0FAKE/B0FAKE/BUDGETBUDGET"
    );

    put(
        &aws,
        &settings_with("https://hooks.slack.com/services/T0FAKE/B0FAKE/SECONDSECOND"),
    )
    .await;
    let cached = source.settings().await.expect("settings");
    assert_eq!(
        cached.routes.default[0].expose(),
        "https://hooks.slack.com/services/T0FAKE/B0FAKE/FIRSTFIRST",
        "within the TTL the cached copy is used"
    );

    tokio::time::sleep(Duration::from_millis(900)).await;
    let fresh = source.settings().await.expect("settings");
    assert_eq!(
        fresh.routes.default[0].expose(),
        "https://hooks.slack.com/services/T0FAKE/B0FAKE/SECONDSECOND"
    );

    // A broken value after a good one: the stale copy keeps the notifier working.
    put(
        &aws,
        "{\"routes\": https://hooks.slack.com/services/T0FAKE/B0FAKE/LEAKLEAK",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    let stale = source.settings().await.expect("stale copy");
    assert_eq!(
        stale.routes.default[0].expose(),
        "https://hooks.slack.com/services/T0FAKE/B0FAKE/SECONDSECOND"
    );

    // With nothing cached, the same broken value fails the invocation, without the secret.
    let cold = RoutingSource::with_client(NAME, Duration::from_mins(1), aws.ssm("us-east-1"));
    match cold.settings().await {
        Err(NotifyError::Routing(why)) => {
            assert_eq!(
                why,
                "parameter /monitoring/awsmon/routing is not valid routing JSON (line 1, column 12)"
            );
        }
        other => panic!("expected a routing error, got {other:?}"),
    }
}

/// Account names beside the routing (past its 8 KB) only decorate messages: a page that is
/// missing or not a JSON map is logged and skipped, and the routing still applies with the
/// names the other pages hold.
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_broken_account_names_page_leaves_the_routing_working() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let mut s: Settings = serde_json::from_str(&settings_with(
        "https://hooks.slack.com/services/T0FAKE/B0FAKE/NAMES",
    ))
    .expect("json");
    s.account_pages = 3;
    put(&aws, &serde_json::to_string(&s).expect("json")).await;
    let page = |n: u32, value: &str| {
        let aws = aws.clone();
        let value = value.to_string();
        async move {
            aws.ssm("us-east-1")
                .put_parameter()
                .name(awsmon_notifier::settings::account_names_parameter(NAME, n))
                .value(value)
                .r#type(ParameterType::SecureString)
                .send()
                .await
                .expect("put page");
        }
    };
    page(
        1,
        r#"{"111122223333":"prod-web","444455556666":"prod-data"}"#,
    )
    .await;
    page(2, r#"["not", "a", "map"]"#).await;
    // Page 3 is missing.

    let source = RoutingSource::with_client(NAME, Duration::from_mins(1), aws.ssm("us-east-1"));
    let read = source.settings().await.expect("routing despite the names");
    assert_eq!(
        read.routes.default[0].expose(),
        "https://hooks.slack.com/services/T0FAKE/B0FAKE/NAMES"
    );
    assert_eq!(
        read.accounts
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>(),
        ["111122223333=prod-web", "444455556666=prod-data"]
    );
}
