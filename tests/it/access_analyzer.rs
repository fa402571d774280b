//! IAM Access Analyzer through awsmon's plan, engine, probe and findings fetch, against the
//! test bench's stand-in (moto has no Access Analyzer): an analyzer created once and kept on
//! redeploy, the identity check before deleting it, an adopted analyzer never touched, and
//! findings shown as the notifier sends them.

use crate::common::{self, routed};

use awsmon::aws::Aws;
use awsmon::config::Config;
use awsmon::deploy::plan::{self, Intent, Target};
use awsmon::findings::{self, Request};
use awsmon::services::accessanalyzer;
use awsmon_notifier::Service;

const ACCOUNT: &str = "123456789012";

fn cfg() -> Config {
    Config {
        settings: routed(),
        ..Config::default()
    }
}

async fn draw_up(aws: &Aws, region: &str, intent: Intent<'_>) -> plan::Plan {
    let (_, p) = plan::draw_up(
        aws,
        &cfg(),
        Target::Service(Service::AccessAnalyzer),
        &[region.to_string()],
        intent,
    )
    .await
    .expect("plan");
    p
}

/// The plan's lines about Access Analyzer (the hub's own stacks left out).
fn lines(p: &plan::Plan) -> Vec<String> {
    p.steps
        .iter()
        .map(ToString::to_string)
        .filter(|l| l.contains("analyzer") || l.contains("accessanalyzer"))
        .collect()
}

/// The plan for `destroy --delete-service-data` in `region`.
async fn destroy_with_data(aws: &Aws, region: &str) -> plan::Plan {
    draw_up(
        aws,
        region,
        Intent::Destroy {
            delete_service_data: true,
        },
    )
    .await
}

async fn run(aws: &Aws, p: &plan::Plan, zip: &awsmon::deploy::artifact::Artifact) -> Vec<String> {
    common::execute_failures(aws, &cfg(), p, zip).await
}

#[tokio::test(flavor = "multi_thread")]
async fn awsmons_analyzer_is_created_once_kept_on_redeploy_and_deleted_only_while_it_is_awsmons() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let analyzers = common::access_analyzer(&moto.endpoint);
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let region = "us-east-1";

    let on = draw_up(&aws, region, Intent::Deploy(&zip)).await;
    assert_eq!(
        lines(&on),
        [
            "create the IAM Access Analyzer analyzer awsmon-analyzer in us-east-1 (zone of trust: the account)",
            "create stack awsmon-accessanalyzer in us-east-1: analyzer awsmon-analyzer created by awsmon (zone of trust: the account); the hub's rules forward here",
        ]
    );
    assert_eq!(run(&aws, &on, &zip).await, Vec::<String>::new());
    assert_eq!(analyzers.names(region), ["awsmon-analyzer"]);
    let status = accessanalyzer::probe::status(&aws, region)
        .await
        .expect("probe");
    assert_eq!(
        (status.state, status.detail.as_str()),
        (
            awsmon::inventory::State::Enabled,
            "account analyzer awsmon-analyzer"
        )
    );

    // Again: nothing created twice, the record kept.
    let again = draw_up(&aws, region, Intent::Deploy(&zip)).await;
    assert!(
        !lines(&again).iter().any(|l| l.starts_with("create the")),
        "{:?}",
        lines(&again)
    );
    let (_, p) = common::stack_params(&aws, region, "awsmon-accessanalyzer").await;
    assert_eq!(p["CreatedAnalyzer"], "awsmon-analyzer");

    // Off, keeping data: the analyzer is named as kept.
    let keep = draw_up(
        &aws,
        region,
        Intent::Destroy {
            delete_service_data: false,
        },
    )
    .await;
    assert_eq!(
        keep.kept_data,
        [
            "delete the analyzer awsmon-analyzer in us-east-1 (created by awsmon), which deletes its findings and archive rules"
        ]
    );

    // Someone deletes awsmon's analyzer and makes one by the same name after the spoke last
    // changed: it is theirs, so the plan has no step for it, and the step itself refuses.
    let off_before = destroy_with_data(&aws, region).await;
    let Some(plan::Step::DeleteAnalyzer {
        spoke_changed_at, ..
    }) = off_before
        .steps
        .iter()
        .find(|s| matches!(s, plan::Step::DeleteAnalyzer { .. }))
        .cloned()
    else {
        panic!("no DeleteAnalyzer step: {:?}", lines(&off_before));
    };
    let remade_by_someone = async |created_at: &str, tagged_awsmon: bool| {
        aws.accessanalyzer(region)
            .delete_analyzer()
            .analyzer_name("awsmon-analyzer")
            .send()
            .await
            .expect("delete");
        analyzers.add(region, "awsmon-analyzer", "ACCOUNT", "ACTIVE", created_at);
        if tagged_awsmon {
            analyzers.tag_as_awsmon(region, "awsmon-analyzer");
        }
        accessanalyzer::delete(&aws, region, "awsmon-analyzer", &spoke_changed_at).await
    };
    // Made after the spoke changed, even with awsmon's tag: refused by its time.
    let refused = remade_by_someone("2099-01-01T00:00:00Z", true).await;
    assert!(
        refused.as_ref().is_err_and(|e| e
            .to_string()
            .contains("was created at 2099-01-01T00:00:00Z, after awsmon's spoke last changed")),
        "{refused:?}"
    );
    // Made (by the clock it reports) before the spoke changed, but without awsmon's tag:
    // refused by the tag, and no plan offers to delete it.
    let refused = remade_by_someone("2000-01-01T00:00:00Z", false).await;
    assert!(
        refused.as_ref().is_err_and(|e| e.to_string().contains(
            "lacks awsmon's tag (awsmon=created); it is not the analyzer awsmon created"
        )),
        "{refused:?}"
    );
    let off = destroy_with_data(&aws, region).await;
    assert!(off.destructive().is_empty(), "{:?}", off.destructive());
    assert_eq!(
        lines(&off),
        [
            "delete stack awsmon-accessanalyzer in us-east-1: remove awsmon's forwarding; the adopted analyzer is not touched"
        ]
    );
    assert_eq!(run(&aws, &off, &zip).await, Vec::<String>::new());
    assert_eq!(analyzers.names(region), ["awsmon-analyzer"], "theirs stays");
}

#[tokio::test(flavor = "multi_thread")]
async fn destroy_with_data_deletes_the_analyzer_awsmon_created_and_never_an_adopted_one() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let analyzers = common::access_analyzer(&moto.endpoint);
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    // eu-west-1 has someone's organization analyzer; us-east-1 none.
    analyzers.add(
        "eu-west-1",
        "org-wide",
        "ORGANIZATION",
        "ACTIVE",
        "2026-10-01T09:00:00Z",
    );
    for region in ["us-east-1", "eu-west-1"] {
        let on = draw_up(&aws, region, Intent::Deploy(&zip)).await;
        assert_eq!(run(&aws, &on, &zip).await, Vec::<String>::new(), "{region}");
    }
    assert_eq!(
        analyzers.names("eu-west-1"),
        ["org-wide"],
        "adopted, not doubled"
    );
    for region in ["us-east-1", "eu-west-1"] {
        let off = destroy_with_data(&aws, region).await;
        assert_eq!(
            run(&aws, &off, &zip).await,
            Vec::<String>::new(),
            "{region}"
        );
    }
    assert_eq!(analyzers.names("us-east-1"), Vec::<String>::new());
    assert_eq!(analyzers.names("eu-west-1"), ["org-wide"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn findings_are_shown_as_the_notifier_sends_them() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let analyzers = common::access_analyzer(&moto.endpoint);
    analyzers.add_console_analyzer("eu-west-1");
    // AWS's samples, updated now; a resolved one is not listed (only ACTIVE is asked for), and
    // an old one is outside the window.
    let now = awsmon::text::iso_now();
    let fresh = |name: &str| {
        let mut e = awsmon_testbench::seed::sample(name).expect("sample");
        e["detail"]["updatedAt"] = serde_json::Value::from(now.as_str());
        e
    };
    let mut resolved = fresh("accessanalyzer-kms-public");
    resolved["detail"]["id"] = serde_json::json!("resolved-0001");
    resolved["detail"]["status"] = serde_json::json!("RESOLVED");
    let old = awsmon_testbench::seed::sample("accessanalyzer-kms-public").expect("sample");
    let mut old = old;
    old["detail"]["id"] = serde_json::json!("old-0001");
    analyzers.seed_findings(
        "eu-west-1",
        &[
            fresh("accessanalyzer-s3-cross-account"),
            fresh("accessanalyzer-kms-public"),
            resolved,
            old,
        ],
    );
    let request = Request {
        regions: vec!["eu-west-1".into(), "us-east-1".into()],
        services: vec![Service::AccessAnalyzer],
        since: std::time::Duration::from_hours(24),
        concurrency: 4,
    };
    let fetched = findings::fetch(&aws, &cfg(), ACCOUNT, &request).await;
    assert_eq!(fetched.errors, Vec::<String>::new());
    let mut rows: Vec<(String, Option<String>, String)> = fetched
        .findings
        .iter()
        .map(|f| {
            (
                f.summary.title.clone(),
                f.summary.severity.clone(),
                f.summary.reason.clone(),
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            (
                "KMS key 1234abcd-12ab-34cd-56ef-1234567890ab is reachable by anyone (public)"
                    .to_string(),
                Some("CRITICAL".to_string()),
                "mention channel".to_string()
            ),
            (
                "S3 bucket amzn-s3-demo-bucket is reachable by account 999988887777".to_string(),
                Some("MEDIUM".to_string()),
                "mention none".to_string()
            ),
        ]
    );
    // The region is the analyzer's, and the id AWS's.
    assert!(
        fetched
            .findings
            .iter()
            .all(|f| f.summary.region == "eu-west-1" && !f.summary.id.is_empty())
    );
}
