//! The status scan against moto: a seeded account, denied access, and a region that hangs.

use crate::common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use awsmon::aws::{Aws, AwsOptions};
use awsmon::config::Config;
use awsmon::inventory::{self, Cell, Regions, ScanRequest, State};
use awsmon_notifier::Service;
use awsmon_testbench::Blackhole;

const ACCOUNT: &str = "123456789012";

fn by_key(cells: &[Cell]) -> HashMap<(String, Service), Cell> {
    cells
        .iter()
        .map(|c| ((c.region.clone(), c.service), c.clone()))
        .collect()
}

fn request(cfg: &Config, regions: &[&str]) -> ScanRequest<'static> {
    let cfg: &'static Config = Box::leak(Box::new(cfg.clone()));
    ScanRequest {
        config: cfg,
        regions: Regions::Discover(Some(regions.iter().map(|r| (*r).to_string()).collect())),
        services: Service::ALL.to_vec(),
        concurrency: 16,
    }
}

fn cell(
    region: &str,
    service: Service,
    state: State,
    managed: bool,
    notifying: bool,
    detail: &str,
) -> Cell {
    Cell {
        region: region.into(),
        service,
        state,
        managed,
        notifying,
        detail: detail.into(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn seeded_layout_gives_every_cell_exactly() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    awsmon_testbench::seed::demo_account(&aws)
        .await
        .expect("seed");

    // IAM Access Analyzer (the test bench's stand-in): an analyzer someone made in eu-west-1,
    // and in eu-central-1 an organization analyzer the Organization's trusted access stopped.
    let analyzers = common::access_analyzer(&moto.endpoint);
    analyzers.add_console_analyzer("eu-west-1");
    analyzers.add(
        "eu-central-1",
        "org-wide",
        "ORGANIZATION",
        "DISABLED",
        "2026-10-01T09:00:00Z",
    );
    let regions = ["us-east-1", "eu-west-1", "eu-central-1"];
    let (scan, _) = inventory::scan(&aws, request(&Config::default(), &regions))
        .await
        .expect("scan");
    assert_eq!(scan.account, ACCOUNT);
    assert_eq!(scan.home_region, "us-east-1");
    let cells = by_key(&scan.cells);
    assert_eq!(
        scan.cells.len(),
        3 * 6 + 2,
        "3 regions x 6 services + 2 global cells"
    );

    let detector_detail = |region: &str| {
        cells[&(region.to_string(), Service::GuardDuty)]
            .detail
            .clone()
    };
    // Detector ids are random; check their shape, then compare the rest exactly.
    for (region, status) in [
        ("us-east-1", "ENABLED"),
        ("eu-west-1", "SUSPENDED"),
        ("eu-central-1", "ENABLED"),
    ] {
        let d = detector_detail(region);
        assert!(
            d.starts_with("detector ") && d.ends_with(&format!("… {status}")),
            "{region}: {d}"
        );
    }
    let expected = [
        cell(
            "us-east-1",
            Service::GuardDuty,
            State::Enabled,
            false,
            true,
            &detector_detail("us-east-1"),
        ),
        cell(
            "us-east-1",
            Service::Config,
            State::Enabled,
            false,
            true,
            "recorder default, recording",
        ),
        cell(
            "us-east-1",
            Service::Inspector,
            State::Partial,
            false,
            true,
            "EC2+ECR enabled, LAMBDA disabled",
        ),
        cell(
            "eu-west-1",
            Service::GuardDuty,
            State::Disabled,
            false,
            false,
            &detector_detail("eu-west-1"),
        ),
        cell(
            "eu-west-1",
            Service::Config,
            State::Disabled,
            false,
            false,
            "recorder default, not recording",
        ),
        cell(
            "eu-west-1",
            Service::Inspector,
            State::Disabled,
            false,
            false,
            "not enabled",
        ),
        cell(
            "eu-central-1",
            Service::GuardDuty,
            State::Enabled,
            true,
            true,
            &detector_detail("eu-central-1"),
        ),
        cell(
            "eu-central-1",
            Service::Config,
            State::Disabled,
            false,
            false,
            "no recorder",
        ),
        cell(
            "eu-central-1",
            Service::Inspector,
            State::Disabled,
            false,
            false,
            "not enabled",
        ),
        cell(
            "global",
            Service::TrustedAdvisor,
            State::Enabled,
            false,
            false,
            &cells[&("global".to_string(), Service::TrustedAdvisor)].detail,
        ),
        cell(
            "global",
            Service::Budget,
            State::Enabled,
            true,
            true,
            "limit 100.00 USD; this month actual 0.00 USD, forecast 0.00 USD",
        ),
    ];
    for want in expected {
        let got = &cells[&(want.region.clone(), want.service)];
        assert_eq!(got, &want);
    }
    // AWS Health is always on. awsmon's spoke is not deployed in the demo account, so it
    // notifies only in the home region, where the hub's own rule sees its events.
    for region in regions {
        let got = &cells[&(region.to_string(), Service::Health)];
        assert_eq!(
            got,
            &cell(
                region,
                Service::Health,
                State::Enabled,
                false,
                region == "us-east-1",
                "always on: its events about this account need no support plan"
            )
        );
    }
    // The demo account has no Security Hub anywhere (tests/it/securityhub.rs covers a hub).
    for region in regions {
        let got = &cells[&(region.to_string(), Service::SecurityHub)];
        assert_eq!(
            got,
            &cell(
                region,
                Service::SecurityHub,
                State::Disabled,
                false,
                false,
                "not enabled"
            )
        );
    }
    for (region, state, detail) in [
        ("us-east-1", State::Disabled, "no external-access analyzer"),
        (
            "eu-west-1",
            State::Enabled,
            "account analyzer ConsoleAnalyzer-3f1a",
        ),
        (
            "eu-central-1",
            State::Partial,
            "organization analyzer org-wide disabled",
        ),
    ] {
        let got = &cells[&(region.to_string(), Service::AccessAnalyzer)];
        assert_eq!(
            got,
            &cell(region, Service::AccessAnalyzer, state, false, false, detail)
        );
    }
    let ta = &cells[&("global".to_string(), Service::TrustedAdvisor)].detail;
    assert!(
        ta.ends_with(" checks available") && !ta.starts_with("0 "),
        "{ta}"
    );
    // Cells come sorted by region (as requested) then service.
    let order: Vec<(&str, Service)> = scan
        .cells
        .iter()
        .map(|c| (c.region.as_str(), c.service))
        .collect();
    assert_eq!(order[0], ("us-east-1", Service::GuardDuty));
    assert_eq!(order[6], ("eu-west-1", Service::GuardDuty));
    assert_eq!(order[19], ("global", Service::Budget));
}

#[tokio::test(flavor = "multi_thread")]
async fn access_denied_names_the_action_and_spares_other_cells() {
    let moto = common::start_moto();
    let admin = common::aws(&moto.endpoint).await;
    let iam = aws_sdk_iam_like::user_with_policy(&admin, &moto.endpoint).await;
    moto.enable_iam_checks().await.expect("reset-auth");

    let aws = Aws::load(
        AwsOptions {
            credentials: Some(iam),
            ..common::options(&moto.endpoint)
        },
        "us-east-1",
    )
    .await;
    let (scan, _) = inventory::scan(
        &aws,
        request(&Config::default(), &["us-east-1", "eu-west-1"]),
    )
    .await
    .expect("scan");
    let cells = by_key(&scan.cells);
    for region in ["us-east-1", "eu-west-1"] {
        let gd = &cells[&(region.to_string(), Service::GuardDuty)];
        assert_eq!(gd.state, State::Error);
        assert_eq!(gd.detail, "AccessDenied: guardduty:ListDetectors");
        let cfg = &cells[&(region.to_string(), Service::Config)];
        assert_eq!(
            (cfg.state, cfg.detail.as_str()),
            (State::Disabled, "no recorder")
        );
    }
}

/// IAM set-up for the access-denied test, through moto's IAM API (signed by the SDK).
mod aws_sdk_iam_like {
    use aws_credential_types::Credentials;
    use awsmon::aws::Aws;

    /// Creates a user allowed everything except guardduty:ListDetectors; returns its keys.
    pub async fn user_with_policy(_admin: &Aws, endpoint: &str) -> Credentials {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"guardduty:ListDetectors","Resource":"*"}]}"#;
        let query =
            |action: &str, extra: &str| format!("Action={action}&Version=2010-05-08{extra}");
        let enc = |s: &str| {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        iam_call(endpoint, &query("CreateUser", "&UserName=scanner")).await;
        iam_call(
            endpoint,
            &query(
                "PutUserPolicy",
                &format!(
                    "&UserName=scanner&PolicyName=p&PolicyDocument={}",
                    enc(policy)
                ),
            ),
        )
        .await;
        let body = iam_call(endpoint, &query("CreateAccessKey", "&UserName=scanner")).await;
        let grab = |tag: &str| {
            body.split(&format!("<{tag}>"))
                .nth(1)
                .and_then(|rest| rest.split(&format!("</{tag}>")).next())
                .unwrap_or_default()
                .to_string()
        };
        Credentials::new(
            grab("AccessKeyId"),
            grab("SecretAccessKey"),
            None,
            None,
            "test-user",
        )
    }

    /// moto accepts unsigned IAM query calls while auth is off.
    async fn iam_call(endpoint: &str, body: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = endpoint.trim_start_matches("http://");
        let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let req = format!(
            "POST / HTTP/1.1\r\nhost: iam.amazonaws.com\r\nauthorization: AWS4-HMAC-SHA256 Credential=AKIAEMULATOR00000000/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).await.expect("read");
        assert!(out.starts_with("HTTP/1.1 200"), "IAM call failed: {out}");
        out
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_region_that_never_answers_becomes_an_error_cell_within_the_timeout() {
    let moto = common::start_moto();
    let hole = Blackhole::start().await.expect("blackhole");
    let timeout = Duration::from_millis(1500);
    let mut options = common::options(&moto.endpoint);
    options.operation_timeout = timeout;
    options
        .region_endpoints
        .insert("eu-west-1".into(), hole.endpoint.clone());
    let aws = Aws::load(options, "us-east-1").await;

    // moto loads each service's code on its first request; warm it up so the timing below
    // measures the scan, not the emulator's start. Retries, as the warm-up is not what is
    // tested: a fresh moto on a loaded machine once answered its first call with a 500.
    let mut patient_options = common::options(&moto.endpoint);
    patient_options.max_attempts = 4;
    let patient = Aws::load(patient_options, "us-east-1").await;
    let warm = inventory::scan(&patient, request(&Config::default(), &["us-east-1"]))
        .await
        .expect("warm-up scan");
    assert_eq!(warm.0.cells.len(), 8);

    let started = Instant::now();
    let (scan, _) = inventory::scan(
        &aws,
        request(
            &Config::default(),
            &["us-east-1", "eu-west-1", "eu-central-1"],
        ),
    )
    .await
    .expect("scan");
    let took = started.elapsed();
    // The hanging region's calls run concurrently, not in turn: in turn, its four services
    // above would take four timeouts. Three leave room for a loaded 2-core machine.
    assert!(took < timeout * 3, "scan took {took:?}");
    assert!(
        took >= timeout,
        "the hanging region was not waited for: {took:?}"
    );

    let cells = by_key(&scan.cells);
    for service in [
        Service::GuardDuty,
        Service::Config,
        Service::Inspector,
        Service::SecurityHub,
    ] {
        let c = &cells[&("eu-west-1".to_string(), service)];
        assert_eq!(c.state, State::Error, "{c:?}");
        assert!(c.detail.starts_with("timeout: "), "{c:?}");
        for region in ["us-east-1", "eu-central-1"] {
            let ok = &cells[&(region.to_string(), service)];
            assert_eq!(ok.state, State::Disabled, "{ok:?}");
        }
    }
    assert_eq!(
        cells[&("eu-west-1".to_string(), Service::GuardDuty)].detail,
        "timeout: guardduty:ListDetectors"
    );
}
