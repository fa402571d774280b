//! Org mode's scan (issue 14) against moto's Organizations: a seeded organization with OUs,
//! a delegated administrator, one account whose access role cannot be assumed and one
//! suspended account. moto lacks GuardDuty's member listing and organization configuration,
//! and lets any role be assumed: the org overlay (`awsmon_testbench::org_world`) serves those
//! from recorded reply shapes and denies AssumeRole for the chosen account.

use std::fmt::Write as _;
use std::sync::Arc;

use aws_sdk_inspector2::types::{AutoEnable, ResourceScanType};
use awsmon::aws::Aws;
use awsmon::inventory::Regions;
use awsmon::org::scan::{self, OrgScan, OrgScanRequest};
use awsmon_notifier::Service;
use awsmon_testbench::org_world::{self, OrgFaults, OrgLayout, SeededOrg};

use crate::common;

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

fn layout() -> OrgLayout {
    let ou = |name: &str, accounts: &[&str]| {
        (
            name.to_string(),
            accounts.iter().map(ToString::to_string).collect(),
        )
    };
    OrgLayout {
        ous: vec![
            ou("Security", &["security-tooling"]),
            ou("Prod", &["prod-web", "prod-data", "prod-locked"]),
            ou("Sandbox", &["sandbox-old"]),
        ],
    }
}

/// The organization as the scan should find it:
/// - GuardDuty: the administrator's detector in us-east-1 only; members prod-web and the
///   management account enabled, prod-data's relationship disabled, prod-locked enabled;
/// - Inspector: EC2+ECR+LAMBDA for the administrator and prod-web in us-east-1, EC2 only for
///   prod-data (partial);
/// - Config: recording in prod-web's us-east-1 only, read through the access role;
/// - prod-locked denies AssumeRole; sandbox-old is suspended.
async fn seeded_world(moto: &str, faults: &Arc<OrgFaults>) -> (Aws, SeededOrg) {
    let direct = common::aws(moto).await;
    let org = org_world::seed(&direct, &layout()).await;
    let admin_id = org.id("security-tooling");
    let admin = org_world::as_account(&direct, &admin_id).await;
    admin
        .guardduty("us-east-1")
        .create_detector()
        .enable(true)
        .send()
        .await
        .expect("admin detector");
    *faults.guardduty_members.lock().expect("lock") = vec![
        (org.management.clone(), "Enabled".to_string()),
        (org.id("prod-web"), "Enabled".to_string()),
        (org.id("prod-data"), "Disabled".to_string()),
        (org.id("prod-locked"), "Enabled".to_string()),
    ];
    *faults.guardduty_auto_enable.lock().expect("lock") = "ALL".to_string();
    *faults.deny_assume_role.lock().expect("lock") = vec![org.id("prod-locked")];

    let inspector = admin.inspector2("us-east-1");
    inspector
        .enable()
        .account_ids(&admin_id)
        .account_ids(org.id("prod-web"))
        .resource_types(ResourceScanType::Ec2)
        .resource_types(ResourceScanType::Ecr)
        .resource_types(ResourceScanType::Lambda)
        .send()
        .await
        .expect("inspector enable");
    inspector
        .enable()
        .account_ids(org.id("prod-data"))
        .resource_types(ResourceScanType::Ec2)
        .send()
        .await
        .expect("inspector enable");
    inspector
        .update_organization_configuration()
        .auto_enable(
            AutoEnable::builder()
                .ec2(true)
                .ecr(true)
                .build()
                .expect("auto enable"),
        )
        .send()
        .await
        .expect("inspector org config");

    let prod_web = org_world::as_account(&direct, &org.id("prod-web")).await;
    awsmon_testbench::seed::config_recorder(&prod_web, "us-east-1", &org.id("prod-web"), true)
        .await
        .expect("config recorder");

    direct
        .organizations("us-east-1")
        .close_account()
        .account_id(org.id("sandbox-old"))
        .send()
        .await
        .expect("close account");
    (direct, org)
}

/// A config for `regions` in org mode, with a (fake) default webhook so it can be deployed.
fn org_config(regions: &[&str]) -> awsmon::config::Config {
    let mut cfg = common::config_with_regions(regions);
    cfg.settings.routes.default = vec![
        awsmon_notifier::WebhookUrl::parse(
            "https://hooks.slack.com/services/T0FAKE/B0FAKE/SECRETSECRETSECRET",
        )
        .expect("url"),
    ];
    cfg.org.enabled = true;
    cfg
}

/// moto, the org overlay in front of it, and the seeded organization.
struct World {
    moto: awsmon_testbench::Moto,
    overlay: awsmon_testbench::overlay::Overlay,
    faults: Arc<OrgFaults>,
    org: SeededOrg,
}

impl World {
    async fn start() -> World {
        let moto = common::start_moto();
        let faults = Arc::new(OrgFaults::default());
        let overlay = org_world::overlay(&moto.endpoint, faults.clone())
            .await
            .expect("overlay");
        let (_, org) = seeded_world(&moto.endpoint, &faults).await;
        World {
            moto,
            overlay,
            faults,
            org,
        }
    }
}

/// Every cell, with account ids (random in moto) written as names.
fn layout_text(scan: &OrgScan, org: &SeededOrg) -> String {
    let name = |id: &str| {
        if id == org.management {
            "management".to_string()
        } else {
            org.accounts
                .iter()
                .find(|(_, i)| i == id)
                .map_or_else(|| id.to_string(), |(n, _)| n.clone())
        }
    };
    let mut out = format!(
        "admin {}  regions {}\n",
        name(&scan.admin_account),
        scan.regions.join(",")
    );
    for a in &scan.accounts {
        let _ = write!(out, "{} [{}]", name(&a.account.id), a.account.ou_path);
        if let Some(why) = &a.skipped {
            let _ = writeln!(out, " {why}");
            continue;
        }
        out.push('\n');
        for s in &scan.services {
            let _ = writeln!(out, "  {:<10} {}", s.display_name(), a.tally(*s).label());
        }
        for c in &a.cells {
            let mut detail = c.detail.clone();
            for (n, id) in &org.accounts {
                detail = detail.replace(id.as_str(), n);
            }
            let _ = writeln!(
                out,
                "    {:<9} {:<10} {:<8} {}",
                c.region,
                c.service.display_name(),
                c.state.as_str(),
                detail
            );
        }
    }
    for auto in &scan.auto_enable {
        let _ = writeln!(
            out,
            "auto-enable {} {} {}",
            auto.region,
            auto.service.display_name(),
            auto.setting
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scan_of_a_seeded_organization_reports_every_account_region_and_service() {
    let World {
        moto: _moto,
        overlay,
        faults,
        org,
    } = World::start().await;
    faults.requests.lock().expect("lock").clear();
    let aws = common::aws(&overlay.endpoint).await;
    let mut cfg = common::config_with_regions(&REGIONS);
    cfg.org.enabled = true;
    cfg.org.delegated_admin = Some(org.id("security-tooling"));

    let scan = scan::scan(
        &aws,
        OrgScanRequest {
            config: &cfg,
            regions: Regions::Discover(Some(REGIONS.iter().map(ToString::to_string).collect())),
            services: vec![Service::GuardDuty, Service::Config, Service::Inspector],
            concurrency: 8,
            org_apis: true,
        },
    )
    .await
    .expect("scan");

    assert_eq!(scan.management_account, org.management);
    assert_eq!(
        scan.accounts.len(),
        6,
        "the management account and five others"
    );
    insta::assert_snapshot!("org_scan_layout", layout_text(&scan, &org));

    // The scan only reads: every call it made is a List, Describe, Get or BatchGet (REST
    // reads are GETs, or POSTs to a read operation's path), or the AssumeRole it needs.
    let requests = faults.requests.lock().expect("lock").clone();
    assert!(requests.len() > 20, "{requests:?}");
    let writes: Vec<&String> = requests.iter().filter(|r| !is_read(r)).collect();
    assert!(writes.is_empty(), "calls that are not reads: {writes:?}");
}

/// Config through an organization aggregator (issue 14): one paged listing of its sources'
/// status and one resource count per region answer the accounts it shows on (an up-to-date
/// source with resources recorded); every other account (no row, OUTDATED, FAILED, nothing
/// recorded) and every region it does not aggregate go through the access role, so the
/// aggregator never makes a cell say "off". moto keeps aggregators but neither their sources'
/// status nor aggregated resources: the org overlay serves both.
#[tokio::test(flavor = "multi_thread")]
async fn config_status_comes_from_the_aggregator_and_only_what_it_lacks_through_the_role() {
    use aws_sdk_config::types::OrganizationAggregationSource;
    use awsmon_testbench::org_world::ConfigSource;

    fn request(cfg: &awsmon::config::Config) -> OrgScanRequest<'_> {
        OrgScanRequest {
            config: cfg,
            regions: Regions::Discover(Some(REGIONS.iter().map(ToString::to_string).collect())),
            services: vec![Service::Config],
            concurrency: 8,
            org_apis: true,
        }
    }

    let World {
        moto,
        overlay,
        faults,
        org,
    } = World::start().await;
    let direct = common::aws(&moto.endpoint).await;
    let admin = org_world::as_account(&direct, &org.id("security-tooling")).await;
    admin
        .configservice("us-east-1")
        .put_configuration_aggregator()
        .configuration_aggregator_name("org-all")
        .organization_aggregation_source(
            OrganizationAggregationSource::builder()
                .role_arn("arn:aws:iam::111122223333:role/aws-service-role/config-aggregator")
                .aws_regions("us-east-1")
                .build()
                .expect("source"),
        )
        .send()
        .await
        .expect("aggregator");
    let row = |account: &str, status: &'static str, error: Option<(&str, &str)>| ConfigSource {
        source_id: account.to_string(),
        source_type: "ACCOUNT",
        region: "us-east-1".to_string(),
        status,
        error: error.map(|(c, m)| (c.to_string(), m.to_string())),
    };
    let mut rows = vec![
        row(
            &org.management,
            "FAILED",
            Some(("AccessDeniedException", "not authorized to read the source")),
        ),
        row(&org.id("security-tooling"), "SUCCEEDED", None),
        // prod-web has no row yet (it joined since): through its role, which finds its recorder.
        row(&org.id("prod-data"), "OUTDATED", None),
        // Up to date but nothing recorded: the aggregator cannot say it is on.
        row(&org.id("prod-locked"), "SUCCEEDED", None),
    ];
    // Accounts outside the scan's scope (left the Organization): 230 rows, so the listing
    // takes three pages of 100.
    rows.extend((0..226).map(|n| {
        row(
            &format!("9999000{n:05}"),
            "FAILED",
            Some(("AccessDeniedException", "gone")),
        )
    }));
    *faults.config_sources.lock().expect("lock") = rows;
    *faults.config_counts.lock().expect("lock") = vec![
        (org.id("security-tooling"), "us-east-1".to_string(), 40),
        (org.id("prod-data"), "us-east-1".to_string(), 12),
    ];
    faults.requests.lock().expect("lock").clear();

    let aws = common::aws(&overlay.endpoint).await;
    let mut cfg = common::config_with_regions(&REGIONS);
    cfg.org.enabled = true;
    cfg.org.delegated_admin = Some(org.id("security-tooling"));
    let scan = scan::scan(&aws, request(&cfg)).await.expect("scan");
    insta::assert_snapshot!("org_scan_config_aggregator", layout_text(&scan, &org));

    let requests = faults.requests.lock().expect("lock").clone();
    let count = |action: &str| requests.iter().filter(|r| r.ends_with(action)).count();
    assert_eq!(
        count(".DescribeConfigurationAggregators"),
        1,
        "{requests:?}"
    );
    assert_eq!(
        count(".DescribeConfigurationAggregatorSourcesStatus"),
        3,
        "one listing of 230 rows for both regions"
    );
    assert_eq!(
        count(".GetAggregateDiscoveredResourceCounts"),
        1,
        "once for the one aggregated region"
    );
    // Only security-tooling is answered by the aggregator. Through the role: in us-east-1 the
    // management account (FAILED), prod-web (no row), prod-data (OUTDATED) and prod-locked
    // (nothing recorded; its role is refused); in eu-west-1, not aggregated, all four
    // reachable accounts.
    assert_eq!(count(".DescribeConfigurationRecorders"), 7, "{requests:?}");
    let writes: Vec<&String> = requests.iter().filter(|r| !is_read(r)).collect();
    assert!(writes.is_empty(), "calls that are not reads: {writes:?}");

    // A CONFIG_AGGREGATOR that does not exist is every account's error in every region, not a
    // silent fallback.
    cfg.org.config_aggregator = Some("missing".to_string());
    let scan = scan::scan(&aws, request(&cfg)).await.expect("scan");
    let cells: Vec<_> = scan.accounts.iter().flat_map(|a| &a.cells).collect();
    assert_eq!(cells.len(), 10, "five active accounts × two regions");
    for c in cells {
        assert_eq!(c.state, awsmon::inventory::State::Error, "{c:?}");
        assert!(
            c.detail.contains("NoSuchConfigurationAggregatorException"),
            "{}",
            c.detail
        );
    }
}

/// A recorded request (`METHOD path action`) that only reads.
fn is_read(request: &str) -> bool {
    let mut parts = request.split(' ');
    let (method, path, action) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let action = action.rsplit('.').next().unwrap_or_default();
    let read_action = ["List", "Describe", "Get", "BatchGet"]
        .iter()
        .any(|p| action.starts_with(p))
        || action == "AssumeRole";
    match method {
        "GET" | "HEAD" => true,
        "POST" if !action.is_empty() => read_action,
        // REST reads that are POSTs: account:ListRegions (/listRegions), and Inspector2's
        // BatchGetAccountStatus, ListFindings, DescribeOrganizationConfiguration and
        // ListDelegatedAdminAccounts.
        "POST" => {
            path.starts_with("/list")
                || matches!(
                    path,
                    "/status/batch/get"
                        | "/findings/list"
                        | "/organizationconfiguration/describe"
                        | "/delegatedadminaccounts/list"
                )
        }
        _ => false,
    }
}

/// `status` in org mode, as the CLI prints it: the account × service summary, grouped by OU,
/// and one JSON document with every account's cells.
#[tokio::test(flavor = "multi_thread")]
async fn status_in_org_mode_prints_the_account_summary_and_json_with_accounts() {
    let World {
        moto: _moto,
        overlay,
        faults: _,
        org,
    } = World::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        format!(
            "ORGANIZATION: true\nDELEGATED_ADMIN_ACCOUNT: \"{}\"\nREGIONS: [us-east-1, eu-west-1]\nEXCLUDE_ACCOUNTS: [\"{}\"]\n",
            org.id("security-tooling"),
            org.management
        ),
    )
    .expect("config");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_awsmon-tui"))
            .args(args)
            .arg("--config")
            .arg(&config)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", &overlay.endpoint)
            // IAM Access Analyzer, which moto lacks: the test bench's stand-in.
            .env(
                "AWS_ENDPOINT_URL_ACCESSANALYZER",
                &common::access_analyzer(&overlay.endpoint).endpoint,
            )
            .env("AWS_ACCESS_KEY_ID", "AKIAEMULATOR00000000")
            .env("AWS_SECRET_ACCESS_KEY", "emulator")
            .env("NO_COLOR", "1")
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let table = tokio::task::block_in_place(|| run(&["status"]));
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("organization o-") && lines[0].ends_with("2 regions"),
        "{table}"
    );
    assert!(
        lines[1].split_whitespace().collect::<Vec<_>>()
            == [
                "ACCOUNT",
                "NAME",
                "OU",
                "GuardDuty",
                "AWS",
                "Config",
                "Inspector",
                "Security",
                "Hub",
                "IAM",
                "Access",
                "Analyzer",
                "AWS",
                "Health"
            ],
        "{table}"
    );
    let row = |name: &str| {
        lines
            .iter()
            .find(|l| l.contains(&format!(" {name} ")))
            .map_or_else(
                || panic!("no row for {name}:\n{table}"),
                |l| l.split_whitespace().skip(3).collect::<Vec<_>>().join(" "),
            )
    };
    // AWS Health is always on: on wherever the account can be read.
    assert_eq!(row("prod-web"), "1/2 ⚠ 1/2 ⚠ 1/2 ⚠ 0/2 ⚠ 0/2 ⚠ 2/2");
    // eu-west-1's GuardDuty has no administrator detector: each account is read through its
    // role there, and prod-locked's cannot be assumed.
    assert_eq!(row("prod-locked"), "1/2 ✖ 0/2 ✖ 0/2 ⚠ 0/2 ✖ 0/2 ✖ 0/2 ✖");
    assert_eq!(row("sandbox-old"), ["suspended: not scanned"; 6].join(" "));
    assert!(
        !lines.iter().any(|l| l.starts_with(&org.management)),
        "EXCLUDE_ACCOUNTS leaves the management account out:\n{table}"
    );
    assert!(
        table.contains("auto-enable  us-east-1      GuardDuty  ALL"),
        "{table}"
    );

    // One account's regions: `--account`.
    let one = tokio::task::block_in_place(|| run(&["status", "--account", &org.id("prod-web")]));
    let lines_one: Vec<&str> = one.lines().collect();
    assert_eq!(
        lines_one[0],
        format!("account {} prod-web (Root/Prod)", org.id("prod-web")),
        "{one}"
    );
    assert_eq!(
        lines_one[1].split_whitespace().collect::<Vec<_>>(),
        ["REGION", "SERVICE", "STATE", "DETAIL"]
    );
    assert_eq!(
        lines_one.len(),
        2 + 12,
        "two regions × six services:\n{one}"
    );
    assert!(
        lines_one.iter().any(|l| l.starts_with("us-east-1")
            && l.contains("config")
            && l.contains("enabled")
            && l.contains("recorder default, recording")),
        "{one}"
    );

    let doc: serde_json::Value = serde_json::from_str(&tokio::task::block_in_place(|| {
        run(&["status", "--output", "json"])
    }))
    .expect("one JSON document");
    assert_eq!(doc["admin_account"], org.id("security-tooling").as_str());
    let accounts = doc["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 5);
    let web = accounts
        .iter()
        .find(|a| a["account"]["name"] == "prod-web")
        .expect("prod-web");
    assert_eq!(web["account"]["ou_path"], "Root/Prod");
    assert_eq!(web["cells"].as_array().map(Vec::len), Some(12));
    assert!(
        web["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .any(|c| c["region"] == "us-east-1"
                && c["service"] == "config"
                && c["state"] == "enabled")
    );
}

/// Deploying the notifier in org mode tells the hub the Organization's id, read from
/// Organizations, so its bus admits that Organization's accounts only (moto skips the
/// EventBusPolicy resource itself: the stack's parameter is what is checked here, the
/// template's statement in `templates::the_hub_bus_admits_the_organization_and_no_one_else`).
#[tokio::test(flavor = "multi_thread")]
async fn deploying_the_hub_in_org_mode_names_the_organization() {
    use awsmon::deploy::engine;
    use awsmon::deploy::plan::{Intent, Target};

    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let created = aws
        .organizations("us-east-1")
        .create_organization()
        .send()
        .await
        .expect("organization");
    let org_id = created
        .organization()
        .and_then(|o| o.id())
        .expect("id")
        .to_string();
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let cfg = org_config(&["us-east-1"]);
    let the_plan = plan_of(
        &aws,
        &cfg,
        Target::Notifier,
        &["us-east-1".to_string()],
        Intent::Deploy(&zip),
    )
    .await;
    assert!(the_plan.blockers.is_empty(), "{:?}", the_plan.blockers);
    let report = run_plan(&aws, &cfg, &the_plan, Some(&zip)).await;
    assert_eq!(report.failures(), Vec::<&engine::StepOutcome>::new());
    let (_, params) =
        common::stack_params(&aws, "us-east-1", &awsmon::naming::hub_stack(&cfg)).await;
    assert_eq!(params["OrganizationId"], org_id);

    // The routing carries the Organization's account names, so messages name accounts.
    let management = created
        .organization()
        .and_then(|o| o.master_account_id())
        .expect("management")
        .to_string();
    let routing = common::routing_parameter(&aws).await.expect("routing");
    let settings: awsmon_notifier::Settings =
        serde_json::from_str(routing.value().expect("value")).expect("routing json");
    let names = awsmon::org::names(&awsmon::org::load(&aws, "us-east-1").await.expect("org"));
    assert!(names.contains_key(&management), "{names:?}");
    assert_eq!(settings.accounts, names);
}

/// Issue 14: ROUTING_OVERRIDES per OU reach the notifier resolved. The deploy writes each OU
/// entry with the accounts below it (read from the seeded Organization in moto), and the
/// notifier's own pipeline, reading that parameter, sends a Prod account's GuardDuty finding
/// (AWS's sample, as the administrator receives it) to Prod's webhook and drops a Sandbox
/// account's medium one. Without a readable Organization, OU entries refuse to be written.
#[tokio::test(flavor = "multi_thread")]
async fn ou_routing_overrides_are_written_resolved_and_route_the_notifiers_messages() {
    use awsmon::deploy::engine;
    use awsmon::deploy::plan::{Intent, Target};
    use awsmon_notifier::settings::{MinSeverity, RouteOverride};

    const PROD_HOOK: &str = "https://hooks.slack.com/services/T0PROD/B0PROD/PRODSECRETPRODSECRET";
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let org = org_world::seed(&aws, &layout()).await;
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let mut cfg = org_config(&["us-east-1"]);
    let prod_ou = org.ous["Prod"].clone();
    let sandbox_ou = org.ous["Sandbox"].clone();
    cfg.settings.overrides.insert(
        prod_ou.clone(),
        RouteOverride {
            webhooks: vec![awsmon_notifier::WebhookUrl::parse(PROD_HOOK).expect("url")],
            ..RouteOverride::default()
        },
    );
    cfg.settings.overrides.insert(
        sandbox_ou.clone(),
        RouteOverride {
            min_severity: Some(MinSeverity::High),
            ..RouteOverride::default()
        },
    );
    // prod-data has its own entry (a floor): it wins over its OU's for what it sets.
    cfg.settings.overrides.insert(
        org.id("prod-data"),
        RouteOverride {
            min_severity: Some(MinSeverity::Critical),
            ..RouteOverride::default()
        },
    );
    let the_plan = plan_of(
        &aws,
        &cfg,
        Target::Notifier,
        &["us-east-1".to_string()],
        Intent::Deploy(&zip),
    )
    .await;
    assert!(the_plan.blockers.is_empty(), "{:?}", the_plan.blockers);
    let report = run_plan(&aws, &cfg, &the_plan, Some(&zip)).await;
    assert_eq!(report.failures(), Vec::<&engine::StepOutcome>::new());

    let routing = common::routing_parameter(&aws).await.expect("routing");
    let settings: awsmon_notifier::Settings =
        serde_json::from_str(routing.value().expect("value")).expect("routing json");
    let mut prod_accounts = vec![org.id("prod-web"), org.id("prod-locked")];
    prod_accounts.sort();
    assert_eq!(settings.overrides[&prod_ou].accounts, prod_accounts);
    assert_eq!(
        settings.overrides[&sandbox_ou].accounts,
        [org.id("sandbox-old")]
    );
    assert!(settings.overrides[&org.id("prod-data")].accounts.is_empty());

    // The notifier's pipeline on that parameter, as the deployed function reads it.
    let finding = |account: &str, severity: f64| {
        let mut event: serde_json::Value = serde_json::from_str(include_str!(
            "../../lambda/tests/fixtures/guardduty-crypto-high.json"
        ))
        .expect("fixture");
        event["detail"]["accountId"] = account.into();
        event["detail"]["severity"] = severity.into();
        awsmon_notifier::prepare(&event, &settings).remove(0)
    };
    let prod = finding(&org.id("prod-web"), 8.0);
    assert_eq!(prod.routes.len(), 1);
    assert_eq!(prod.routes[0].expose(), PROD_HOOK);
    assert_eq!(prod.via.as_deref(), Some(prod_ou.as_str()));
    let text = prod
        .body()
        .map(|b| String::from_utf8(b).expect("utf8"))
        .expect("body");
    assert!(
        text.contains("prod-web"),
        "the message names the account: {text}"
    );
    let sandbox = finding(&org.id("sandbox-old"), 5.0);
    assert!(!sandbox.decision.is_send(), "{:?}", sandbox.decision);
    let data = finding(&org.id("prod-data"), 8.0);
    // Its own entry sets only a floor: the webhook still comes from its OU.
    assert!(
        !data.decision.is_send(),
        "its own CRITICAL floor: {:?}",
        data.decision
    );
    assert_eq!(data.routes[0].expose(), PROD_HOOK);
    assert_eq!(data.via, Some(format!("{prod_ou}+{}", org.id("prod-data"))));

    // No Organization to read: OU entries are not written unresolved; account entries are.
    let bare = common::start_moto();
    let bare_aws = common::aws(&bare.endpoint).await;
    let err = engine::routing_settings(&bare_aws, &cfg)
        .await
        .expect_err("OU entries need the tree");
    assert!(err.contains("cannot be read"), "{err}");
    // A deploy's plan says so up front instead of failing at its routing step.
    let blocked = plan_of(
        &bare_aws,
        &cfg,
        Target::Notifier,
        &["us-east-1".to_string()],
        Intent::Deploy(&zip),
    )
    .await;
    assert!(
        blocked
            .blockers
            .iter()
            .any(|b| b.starts_with("ROUTING_OVERRIDES has OU entries")),
        "{:?}",
        blocked.blockers
    );
    cfg.settings.overrides.retain(|k, _| !k.starts_with("ou-"));
    let ok = engine::routing_settings(&bare_aws, &cfg)
        .await
        .expect("account entries");
    assert_eq!(ok.overrides.len(), 1);
}

/// Account names past SSM's 8 KB (issue 14): an Organization of 150 accounts with 50-character
/// names is written as the routing plus 4 KB pages beside it, which the notifier's routing
/// source reads back to every name; unchanged names are not rewritten, and pages the routing
/// no longer needs are deleted.
#[tokio::test(flavor = "multi_thread")]
async fn account_names_past_8_kb_are_written_beside_the_routing_and_read_back_by_the_notifier() {
    use awsmon::deploy::engine::{self, Expect, RoutingWrite};
    use awsmon_notifier::lambda_main::RoutingSource;

    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let names: Vec<String> = (0..150)
        .map(|n| format!("{:-<50}", format!("workload-{n:03}-")))
        .collect();
    let org = org_world::seed(
        &aws,
        &OrgLayout {
            ous: vec![("Workloads".to_string(), names.clone())],
        },
    )
    .await;
    let cfg = org_config(&["us-east-1"]);
    let parameter = awsmon::naming::routing_parameter(&cfg);
    let write = || engine::write_routing(&aws, &cfg, "us-east-1", &parameter, Expect::Any);
    let (done, _) = write().await.expect("write");
    assert_eq!(done, RoutingWrite::Written);

    let ssm = aws.ssm("us-east-1");
    let main = ssm
        .get_parameter()
        .name(&parameter)
        .with_decryption(true)
        .send()
        .await
        .expect("routing");
    let main: awsmon_notifier::Settings =
        serde_json::from_str(main.parameter().and_then(|p| p.value()).expect("value"))
            .expect("json");
    assert!(main.accounts.is_empty(), "the names are beside it");
    // 151 entries of 68 bytes: 60 to a 4 KB page.
    assert_eq!(main.account_pages, 3);

    let source =
        RoutingSource::with_client(&parameter, std::time::Duration::from_mins(1), ssm.clone());
    let read = source.settings().await.expect("settings");
    assert_eq!(
        read.accounts.len(),
        151,
        "every account and the management account"
    );
    assert_eq!(read.accounts[&org.id(&names[149])], names[149]);

    let (again, _) = write().await.expect("write");
    assert_eq!(
        again,
        RoutingWrite::Unchanged,
        "same names, nothing rewritten"
    );

    // Out of org mode the routing holds no names: the pages go.
    let mut single = cfg.clone();
    single.org.enabled = false;
    let (done, _) = engine::write_routing(&aws, &single, "us-east-1", &parameter, Expect::Any)
        .await
        .expect("write");
    assert_eq!(done, RoutingWrite::Written);
    let pages = ssm
        .get_parameters()
        .set_names(Some(
            (1..=3)
                .map(|n| awsmon_notifier::settings::account_names_parameter(&parameter, n))
                .collect(),
        ))
        .send()
        .await
        .expect("get parameters");
    assert!(pages.parameters().is_empty(), "{:?}", pages.parameters());
    assert_eq!(pages.invalid_parameters().len(), 3);

    // Destroying the routing takes the pages it points at with it.
    write().await.expect("write");
    let plan = awsmon::deploy::plan::Plan {
        steps: vec![awsmon::deploy::plan::Step::DeleteRouting {
            region: "us-east-1".into(),
            parameter: parameter.clone(),
        }],
        ..Default::default()
    };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let report = engine::execute(
        &aws,
        &cfg,
        &plan,
        None,
        awsmon::deploy::stack_ops::Waiting::default(),
        1,
        tx,
    )
    .await;
    let outcome = &report.outcomes[0];
    assert_eq!(
        outcome.result.as_deref().map_err(ToString::to_string),
        Ok("deleted, with 3 account-name pages"),
    );
    let left = ssm
        .describe_parameters()
        .send()
        .await
        .expect("describe parameters");
    assert!(left.parameters().is_empty(), "{:?}", left.parameters());
}

/// The console in org mode (issue 14): the runtime's org scan against the seeded
/// organization, its progress fed to `update` as the event loop does. The account list
/// arrives before the answers are all in, every streamed cell is in the final scan, the
/// screen groups the accounts by OU with each one's tally, and every call was a read.
#[tokio::test(flavor = "multi_thread")]
async fn the_console_streams_the_organization_scan_and_shows_it_by_ou() {
    use awsmon::org::scan::OrgProgress;
    use awsmon::tui::app::{Action, App, Effect, Env};
    use awsmon::tui::runtime::run_effect;
    use awsmon::tui::screens::Screen;

    let World {
        moto: _moto,
        overlay,
        faults,
        org,
    } = World::start().await;
    faults.requests.lock().expect("lock").clear();
    let dir = tempfile::tempdir().expect("dir");
    let text = format!(
        "ORGANIZATION: true\nDELEGATED_ADMIN_ACCOUNT: \"{}\"\nREGIONS: us-east-1,eu-west-1\n",
        org.id("security-tooling")
    );
    let shared =
        crate::tui_runtime::shared(common::aws(&overlay.endpoint).await, dir.path(), &text);
    let cfg = shared.cfg.read().expect("cfg").clone();
    let mut app = App::new(
        Env {
            read_only: true,
            ..Env::default()
        },
        cfg,
        Vec::new(),
    );
    assert_eq!(app.screen, Screen::Accounts);
    let effects = app.start();
    assert!(matches!(effects[..], [Effect::Scan, Effect::OrgScan]));

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let done = run_effect(Effect::OrgScan, &shared, &tx).await;
    drop(tx);
    let mut streamed = Vec::new();
    while let Some(a) = rx.recv().await {
        streamed.push(a);
    }
    let kinds: Vec<&str> = streamed
        .iter()
        .map(|a| match a {
            Action::OrgProgress(OrgProgress::Regions(_)) => "regions",
            Action::OrgProgress(OrgProgress::Accounts { .. }) => "accounts",
            Action::OrgProgress(OrgProgress::Cells(_)) => "cells",
            Action::OrgProgress(OrgProgress::AutoEnable(_)) => "auto",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "accounts").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "regions").count(),
        1,
        "{kinds:?}"
    );
    // Two regions × six services, each one task.
    assert_eq!(
        kinds.iter().filter(|k| **k == "cells").count(),
        12,
        "{kinds:?}"
    );
    let streamed_cells: usize = streamed
        .iter()
        .map(|a| match a {
            Action::OrgProgress(OrgProgress::Cells(c)) => c.len(),
            _ => 0,
        })
        .sum();
    let [done] = done.as_slice() else {
        panic!("one final action: {done:?}");
    };
    let Action::OrgScanFinished(Ok(scan)) = done else {
        panic!("the scan failed: {done:?}");
    };
    let final_cells: usize = scan.accounts.iter().map(|a| a.cells.len()).sum();
    // Five active accounts (sandbox-old is suspended) × 2 regions × 6 services.
    assert_eq!((streamed_cells, final_cells), (60, 60));

    for a in streamed {
        app.update(a);
    }
    let mid = crate::tui::draw(&app, 120, 40);
    assert!(mid.contains("ORG MODE: "), "{mid}");
    app.update(Action::OrgScanFinished(Ok(scan.clone())));
    let mut frame = crate::tui::draw(&app, 120, 40);
    frame = frame.replace(&scan.organization, "o-…");
    for (name, id) in &org.accounts {
        frame = frame.replace(id.as_str(), &format!("{name:<12}"));
    }
    frame = frame.replace(org.management.as_str(), "(management)");
    // The account list, without the header (the emulator's hub state is not this test's).
    let list = frame
        .lines()
        .skip(2)
        .take(14)
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("org_console_accounts", list);

    let requests = faults.requests.lock().expect("lock").clone();
    let writes: Vec<&String> = requests.iter().filter(|r| !is_read(r)).collect();
    assert!(writes.is_empty(), "calls that are not reads: {writes:?}");
}

/// Org-wide enablement (issue 14), the AWS way, against moto with the org overlay (moto lacks
/// GuardDuty's UpdateOrganizationConfiguration and its organization configuration; the
/// overlay keeps that setting). awsmon runs as the management account: the plan registers
/// security-tooling as GuardDuty's and Inspector's delegated administrator in each region and
/// sets ORG_AUTO_ENABLE: ALL from it, saying which accounts are turned on and which are on
/// already; planning only reads; a second plan has nothing left to do.
#[tokio::test(flavor = "multi_thread")]
async fn turning_a_service_on_for_the_organization_registers_the_administrator_and_auto_enables() {
    use awsmon::config::AutoEnableMode;
    use awsmon::deploy::engine;
    use awsmon::deploy::plan::{Intent, Step, Target};

    let World {
        moto: _moto,
        overlay,
        faults,
        org,
    } = World::start().await;
    "NONE".clone_into(&mut faults.guardduty_auto_enable.lock().expect("lock"));
    let admin_id = org.id("security-tooling");
    let direct = common::aws(&overlay.endpoint).await;
    // The administrator's own detector in the second region (GuardDuty makes it when the
    // administrator is registered; moto does not).
    org_world::as_account(&direct, &admin_id)
        .await
        .guardduty("eu-west-1")
        .create_detector()
        .enable(true)
        .send()
        .await
        .expect("admin detector");
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let mut cfg = org_config(&REGIONS);
    cfg.org.delegated_admin = Some(admin_id.clone());
    cfg.org.auto_enable = Some(AutoEnableMode::All);
    let regions: Vec<String> = REGIONS.iter().map(ToString::to_string).collect();
    let names = |text: String| {
        let mut text = text.replace(&org.management, "management");
        for (name, id) in &org.accounts {
            text = text.replace(id.as_str(), name);
        }
        text
    };

    for service in [
        Service::GuardDuty,
        Service::Inspector,
        Service::AccessAnalyzer,
    ] {
        faults.requests.lock().expect("lock").clear();
        let the_plan = plan_of(
            &direct,
            &cfg,
            Target::Service(service),
            &regions,
            Intent::Deploy(&zip),
        )
        .await;
        assert!(the_plan.blockers.is_empty(), "{:?}", the_plan.blockers);
        let requests = faults.requests.lock().expect("lock").clone();
        let writes: Vec<&String> = requests.iter().filter(|r| !is_read(r)).collect();
        assert!(writes.is_empty(), "planning wrote: {writes:?}");
        let org_lines: Vec<String> = the_plan
            .steps
            .iter()
            .filter(|s| {
                matches!(
                    s,
                    Step::RegisterDelegatedAdmin { .. } | Step::OrgAutoEnable { .. }
                )
            })
            .map(|s| names(s.to_string()))
            .collect();
        insta::assert_snapshot!(format!("org_enable_plan_{service}"), org_lines.join("\n"));

        let report = run_plan(&direct, &cfg, &the_plan, Some(&zip)).await;
        assert_eq!(report.failures(), Vec::<&engine::StepOutcome>::new());

        // Done: nothing org-wide is planned again, and the plan says who administers it.
        let again = plan_of(
            &direct,
            &cfg,
            Target::Service(service),
            &regions,
            Intent::Deploy(&zip),
        )
        .await;
        let left: Vec<String> = again
            .steps
            .iter()
            .filter(|s| {
                matches!(
                    s,
                    Step::RegisterDelegatedAdmin { .. } | Step::OrgAutoEnable { .. }
                )
            })
            .map(ToString::to_string)
            .collect();
        assert!(left.is_empty(), "{service}: still planned {left:?}");
        if service == Service::GuardDuty {
            // prod-data's membership is disabled (the overlay's member list, which GuardDuty
            // would update over up to a day): ALL is set and setting it again would change
            // nothing, so the plan says so instead.
            assert!(
                again.notes.iter().any(|n| names(n.clone())
                    == "GuardDuty auto-enables ALL in us-east-1; prod-data prod-data not on yet: GuardDuty turns existing members on over up to 24 hours"),
                "{:?}",
                again.notes
            );
        }
        assert!(
            again.notes.iter().any(|n| names(n.clone())
                == format!(
                    "security-tooling (security-tooling) is already {}'s delegated administrator in us-east-1, eu-west-1",
                    service.display_name()
                )),
            "{:?}",
            again.notes
        );
    }

    // In AWS's own terms: the administrators registered, the settings in place, and every
    // active in-scope account's Inspector on (ALL).
    for region in REGIONS {
        let gd = direct
            .guardduty(region)
            .list_organization_admin_accounts()
            .send()
            .await
            .expect("gd admins");
        assert_eq!(
            gd.admin_accounts()
                .iter()
                .filter_map(|a| a.admin_account_id())
                .collect::<Vec<_>>(),
            [admin_id.as_str()]
        );
        let insp = direct
            .inspector2(region)
            .list_delegated_admin_accounts()
            .send()
            .await
            .expect("inspector admins");
        assert_eq!(
            insp.delegated_admin_accounts()
                .iter()
                .filter_map(|a| a.account_id())
                .collect::<Vec<_>>(),
            [admin_id.as_str()]
        );
    }
    assert_eq!(*faults.guardduty_auto_enable.lock().expect("lock"), "ALL");
    // Access Analyzer: one administrator for the Organization (Organizations', not per
    // region), trusted access on, an organization analyzer in each region made by the
    // administrator, and no account analyzer beside it in the account awsmon runs as.
    let aa_admins = direct
        .organizations("us-east-1")
        .list_delegated_administrators()
        .service_principal("access-analyzer.amazonaws.com")
        .send()
        .await
        .expect("access analyzer admins");
    assert_eq!(
        aa_admins
            .delegated_administrators()
            .iter()
            .filter_map(|a| a.id())
            .collect::<Vec<_>>(),
        [admin_id.as_str()]
    );
    let access = direct
        .organizations("us-east-1")
        .list_aws_service_access_for_organization()
        .send()
        .await
        .expect("trusted access");
    assert!(
        access
            .enabled_service_principals()
            .iter()
            .any(|p| p.service_principal() == Some("access-analyzer.amazonaws.com")),
        "{access:?}"
    );
    let analyzers = common::access_analyzer(&overlay.endpoint);
    for region in REGIONS {
        assert_eq!(
            analyzers.zones(region),
            [format!(
                "{}-org-analyzer ORGANIZATION",
                cfg.prefix_service_name
            )],
            "{region}"
        );
    }
    // Inspector with ALL: every active account of the Organization is on in both regions,
    // and new members get EC2, ECR and Lambda scanning.
    let admin = org_world::as_account(&direct, &admin_id).await;
    let active: Vec<String> = std::iter::once(org.management.clone())
        .chain(
            org.accounts
                .iter()
                .filter(|(n, _)| n != "sandbox-old")
                .map(|(_, id)| id.clone()),
        )
        .collect();
    for region in REGIONS {
        let status = admin
            .inspector2(region)
            .batch_get_account_status()
            .set_account_ids(Some(active.clone()))
            .send()
            .await
            .expect("status");
        let mut on: Vec<String> = status
            .accounts()
            .iter()
            .filter(|a| a.state().map(|s| s.status().as_str()) == Some("ENABLED"))
            .map(|a| names(a.account_id().to_string()))
            .collect();
        on.sort();
        assert_eq!(
            on,
            [
                "management",
                "prod-data",
                "prod-locked",
                "prod-web",
                "security-tooling"
            ],
            "{region}"
        );
        let config = admin
            .inspector2(region)
            .describe_organization_configuration()
            .send()
            .await
            .expect("org config");
        let auto = config.auto_enable().expect("auto-enable");
        assert!(
            auto.ec2() && auto.ecr() && auto.lambda() == Some(true),
            "{region}: {auto:?}"
        );
    }
}

/// Issue 14: while a StackSet operation runs, a failed instance is reported (account, region,
/// reason) as soon as CloudFormation lists it, once, before the operation ends; the rest come
/// with the final report. The overlay keeps the operation RUNNING for three polls and lists
/// the failure in ListStackSetOperationResults (moto's operations end at once and report
/// every instance succeeded).
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_stack_instance_is_reported_while_the_operation_still_runs() {
    use awsmon::deploy::plan::{Intent, Target};
    use awsmon::deploy::stack_ops::Progress;

    let World {
        moto: _moto,
        overlay,
        faults,
        org,
    } = World::start().await;
    let locked = org.id("prod-locked");
    let reason =
        "Resource handler returned message: Rate exceeded (Service: Iam, Status Code: 400)";
    faults
        .stackset_details
        .store(true, std::sync::atomic::Ordering::SeqCst);
    *faults.failing_instance.lock().expect("lock") =
        Some((locked.clone(), "eu-west-1".into(), reason.into()));
    *faults.account_ous.lock().expect("lock") = layout()
        .ous
        .iter()
        .flat_map(|(ou, names)| names.iter().map(|n| (org.id(n), org.ous[ou].clone())))
        .collect();
    let aws = common::aws(&overlay.endpoint).await;
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let mut cfg = org_config(&["us-east-1", "eu-west-1"]);
    cfg.org.accounts = vec![org.ous["Prod"].clone()];
    let regions: Vec<String> = ["us-east-1", "eu-west-1"].map(String::from).to_vec();
    let the_plan = plan_of(
        &aws,
        &cfg,
        Target::Service(Service::Config),
        &regions,
        Intent::Deploy(&zip),
    )
    .await;
    assert!(the_plan.blockers.is_empty(), "{:?}", the_plan.blockers);
    // The instances' operation is the last one: RUNNING for its first three polls.
    let waiting = awsmon::deploy::stack_ops::Waiting {
        timeout: std::time::Duration::from_secs(30),
        poll: std::time::Duration::from_millis(50),
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    faults
        .running_polls
        .store(3, std::sync::atomic::Ordering::SeqCst);
    let report =
        awsmon::deploy::engine::execute(&aws, &cfg, &the_plan, Some(&zip), waiting, 8, tx).await;
    let mut events = Vec::new();
    while let Ok(p) = rx.try_recv() {
        events.push(p);
    }
    let failed_at: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            matches!(p, Progress::Resource { resource, status, reason: Some(r), region, .. }
                if *resource == format!("instance {locked}") && status == "FAILED"
                    && r == reason && region == "eu-west-1")
        })
        .map(|(i, _)| i)
        .collect();
    let notes: Vec<(usize, String)> = events
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p {
            Progress::Note { stack, text, .. } if stack == "awsmon-org-config" => {
                Some((i, text.clone()))
            }
            _ => None,
        })
        .collect();
    let running = notes
        .iter()
        .find(|(_, t)| t.ends_with(": RUNNING"))
        .unwrap_or_else(|| panic!("{notes:?}"));
    let ended = notes
        .iter()
        .rfind(|(_, t)| t.ends_with(": SUCCEEDED"))
        .unwrap_or_else(|| panic!("{notes:?}"));
    // Reported live (before RUNNING is even noted), once while polling, then again in the
    // final report with its detailed status.
    assert_eq!(failed_at.len(), 2, "{events:?}");
    assert!(failed_at[0] < running.0, "{events:?}");
    assert!(failed_at[1] > ended.0, "{events:?}");
    // The step still fails by the instance's name.
    let failures = report.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
}

/// Member accounts' spokes (issue 14) as one service-managed StackSet: deploying Config in
/// org mode puts the forwarding spoke on two OUs × three regions less one excluded account,
/// with auto-deployment, awsmon's tag and the operation preferences; one instance fails and
/// a suspended account is skipped (the overlay reports both: moto reports every instance as
/// succeeded); the step says which failed and why, and deploying again retries only that
/// instance, in its region, through its OU. A scope change adds or removes exactly the
/// instances it means, and every deploy after that plans nothing. Destroying removes a
/// region's instances, then the StackSet with its last region. moto resolves the OUs into
/// instances itself; the overlay emulates the account filters moto ignores.
#[allow(clippy::too_many_lines)]
#[tokio::test(flavor = "multi_thread")]
async fn a_stackset_puts_the_spoke_on_two_ous_and_a_retry_reruns_only_the_failed_instance() {
    use awsmon::deploy::plan::{self, Intent, Step, Target};

    let World {
        moto,
        overlay,
        faults,
        org,
    } = World::start().await;
    let (locked, excluded) = (org.id("prod-locked"), org.id("prod-data"));
    let reason =
        "Resource handler returned message: Rate exceeded (Service: Iam, Status Code: 400)";
    faults
        .stackset_details
        .store(true, std::sync::atomic::Ordering::SeqCst);
    *faults.failing_instance.lock().expect("lock") =
        Some((locked.clone(), "eu-west-1".into(), reason.into()));
    *faults.suspended.lock().expect("lock") = vec![org.id("sandbox-old")];
    let (prod, sandbox) = (org.ous["Prod"].clone(), org.ous["Sandbox"].clone());
    *faults.account_ous.lock().expect("lock") = layout()
        .ous
        .iter()
        .flat_map(|(ou, names)| names.iter().map(|n| (org.id(n), org.ous[ou].clone())))
        .collect();
    let direct = common::aws(&overlay.endpoint).await;
    let regions: Vec<String> = ["us-east-1", "eu-west-1", "eu-central-1"]
        .iter()
        .map(ToString::to_string)
        .collect();
    let dir = tempfile::tempdir().expect("dir");
    let zip = common::fake_zip(dir.path());
    let mut cfg = org_config(&["us-east-1", "eu-west-1", "eu-central-1"]);
    cfg.org.accounts = vec![prod.clone(), sandbox.clone()];
    cfg.org.exclude = vec![excluded.clone()];
    let names = |text: String| {
        let mut text = text
            .replace(&prod, "ou-prod")
            .replace(&sandbox, "ou-sandbox");
        for (name, id) in &org.accounts {
            text = text.replace(id.as_str(), name);
        }
        text
    };
    let stackset_steps = |p: &plan::Plan| -> Vec<String> {
        p.steps
            .iter()
            .filter(|s| {
                matches!(
                    s,
                    Step::StackSet { .. }
                        | Step::RetryStackInstances { .. }
                        | Step::DeleteStackSet { .. }
                )
            })
            .map(|s| names(s.to_string()))
            .collect()
    };
    let config = Target::Service(Service::Config);
    let moto_aws = common::aws(&moto.endpoint).await;
    let placed = || {
        let moto_aws = moto_aws.clone();
        let names = &names;
        async move {
            let listed = moto_aws
                .cloudformation("us-east-1")
                .list_stack_instances()
                .stack_set_name("awsmon-org-config")
                .send()
                .await
                .expect("instances");
            let mut out: Vec<String> = listed
                .summaries()
                .iter()
                .map(|s| {
                    names(format!(
                        "{} {}",
                        s.account().unwrap_or_default(),
                        s.region().unwrap_or_default()
                    ))
                })
                .collect();
            out.sort();
            out
        }
    };
    let every = |accounts: &[&str], only: &[&str]| -> Vec<String> {
        let mut out: Vec<String> = accounts
            .iter()
            .flat_map(|a| only.iter().map(move |r| format!("{a} {r}")))
            .collect();
        out.sort();
        out
    };
    let all_regions = ["us-east-1", "eu-west-1", "eu-central-1"];

    let first = plan_of(&direct, &cfg, config, &regions, Intent::Deploy(&zip)).await;
    assert!(first.blockers.is_empty(), "{:?}", first.blockers);
    assert_eq!(
        stackset_steps(&first),
        [
            "create StackSet awsmon-org-config in us-east-1: forwards AWS Config changes from member accounts to the hub; to every account in ou-prod, ou-sandbox less prod-data, in us-east-1, eu-west-1, eu-central-1 (one region after another); service-managed, it reaches accounts that join later by itself; about 25% of accounts at once, stopping past 10% failed"
        ]
    );
    let report = run_plan(&direct, &cfg, &first, Some(&zip)).await;
    let failures: Vec<String> = report
        .failures()
        .iter()
        .map(|o| names(format!("{} — {:?}", o.step, o.result)))
        .collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].contains(&format!(
            "1 of 9 instances failed: prod-locked eu-west-1: FAILED ({reason}); deploying again retries only them"
        )),
        "{failures:?}"
    );
    // As StackSets was asked: service-managed, auto-deploying, awsmon's tag; the excluded
    // account left out by filter; soft failure tolerance; regions in order.
    let calls = faults.stackset_calls.lock().expect("lock").clone();
    assert!(calls[0].contains("Action=CreateStackSet"), "{calls:?}");
    for part in [
        "PermissionModel=SERVICE_MANAGED",
        "AutoDeployment.Enabled=true",
        "awsmon%3Astackset",
        "CAPABILITY_NAMED_IAM",
    ] {
        assert!(calls[0].contains(part), "{part} missing from {}", calls[0]);
    }
    for part in [
        "Action=CreateStackInstances".to_string(),
        "DeploymentTargets.AccountFilterType=DIFFERENCE".to_string(),
        format!("DeploymentTargets.Accounts.member.1={excluded}"),
        "OperationPreferences.ConcurrencyMode=SOFT_FAILURE_TOLERANCE".to_string(),
        "OperationPreferences.RegionOrder.member.1=us-east-1".to_string(),
        "OperationPreferences.RegionOrder.member.3=eu-central-1".to_string(),
        "OperationPreferences.MaxConcurrentPercentage=25".to_string(),
    ] {
        assert!(calls[1].contains(&part), "{part} missing from {}", calls[1]);
    }
    assert_eq!(
        placed().await,
        every(&["prod-locked", "prod-web", "sandbox-old"], &all_regions)
    );

    // Again: only the failed instance is retried, in its region, through its OU; the
    // suspended account's skip is said, not retried.
    let second = plan_of(&direct, &cfg, config, &regions, Intent::Deploy(&zip)).await;
    assert_eq!(
        stackset_steps(&second),
        [format!(
            "retry only the 1 instance of StackSet awsmon-org-config that failed: prod-locked eu-west-1: FAILED ({reason})"
        )]
    );
    assert!(
        second.notes.iter().any(|n| names(n.clone())
            .starts_with("StackSet awsmon-org-config skipped suspended accounts: sandbox-old")),
        "{:?}",
        second.notes
    );
    let report = run_plan(&direct, &cfg, &second, Some(&zip)).await;
    assert_eq!(
        report.failures(),
        Vec::<&awsmon::deploy::engine::StepOutcome>::new()
    );
    let calls = faults.stackset_calls.lock().expect("lock").clone();
    let retry = &calls[2];
    for part in [
        "Action=UpdateStackInstances".to_string(),
        format!("DeploymentTargets.Accounts.member.1={locked}"),
        "DeploymentTargets.AccountFilterType=INTERSECTION".to_string(),
        format!("DeploymentTargets.OrganizationalUnitIds.member.1={prod}"),
        "Regions.member.1=eu-west-1".to_string(),
    ] {
        assert!(retry.contains(&part), "{part} missing from {retry}");
    }
    assert!(!retry.contains("Regions.member.2"), "{retry}");
    assert!(
        !retry.contains("DeploymentTargets.Accounts.member.2"),
        "{retry}"
    );
    let third = plan_of(&direct, &cfg, config, &regions, Intent::Deploy(&zip)).await;
    assert!(
        stackset_steps(&third).is_empty(),
        "{:?}",
        stackset_steps(&third)
    );

    // The scope changes: the exclusion lifted adds prod-data's instances and nothing else;
    // put back, removes exactly those.
    let mut wider = cfg.clone();
    wider.org.exclude.clear();
    let widening = plan_of(&direct, &wider, config, &regions, Intent::Deploy(&zip)).await;
    assert_eq!(
        stackset_steps(&widening),
        [
            "extend StackSet awsmon-org-config in us-east-1: 3 account-regions the scope wants have no instance yet; to every account in ou-prod, ou-sandbox, in us-east-1, eu-west-1, eu-central-1 (one region after another); service-managed, it reaches accounts that join later by itself; about 25% of accounts at once, stopping past 10% failed"
        ]
    );
    let report = run_plan(&direct, &wider, &widening, Some(&zip)).await;
    assert_eq!(
        report.failures(),
        Vec::<&awsmon::deploy::engine::StepOutcome>::new()
    );
    assert_eq!(
        placed().await,
        every(
            &["prod-data", "prod-locked", "prod-web", "sandbox-old"],
            &all_regions
        )
    );
    let narrow = plan_of(&direct, &cfg, config, &regions, Intent::Deploy(&zip)).await;
    assert_eq!(
        stackset_steps(&narrow),
        [
            "delete 3 instances of StackSet awsmon-org-config in us-east-1, eu-west-1, eu-central-1 (prod-data of ou-prod): the member accounts' forwarding rules and roles there (they hold no data); the StackSet stays"
        ]
    );
    let report = run_plan(&direct, &cfg, &narrow, Some(&zip)).await;
    assert_eq!(
        report.failures(),
        Vec::<&awsmon::deploy::engine::StepOutcome>::new()
    );
    assert_eq!(
        placed().await,
        every(&["prod-locked", "prod-web", "sandbox-old"], &all_regions)
    );
    let settled = plan_of(&direct, &cfg, config, &regions, Intent::Deploy(&zip)).await;
    assert!(
        stackset_steps(&settled).is_empty(),
        "{:?}",
        stackset_steps(&settled)
    );

    // Turning Config off in one region removes that region's instances only; off in the
    // rest removes the instances through their OUs, then the StackSet.
    let one_region = vec!["eu-central-1".to_string()];
    let one = plan_of(
        &direct,
        &cfg,
        config,
        &one_region,
        Intent::Destroy {
            delete_service_data: false,
        },
    )
    .await;
    assert_eq!(
        stackset_steps(&one),
        [
            "delete 3 instances of StackSet awsmon-org-config in eu-central-1 (ou-prod, ou-sandbox): the member accounts' forwarding rules and roles there (they hold no data); the StackSet stays"
        ]
    );
    let report = run_plan(&direct, &cfg, &one, None).await;
    assert_eq!(
        report.failures(),
        Vec::<&awsmon::deploy::engine::StepOutcome>::new()
    );
    // The suspended account's instance stays: a deletion skips it (as StackSets does).
    let mut left = every(
        &["prod-locked", "prod-web", "sandbox-old"],
        &["us-east-1", "eu-west-1"],
    );
    left.push("sandbox-old eu-central-1".to_string());
    left.sort();
    assert_eq!(placed().await, left);
    let destroy = plan_of(
        &direct,
        &cfg,
        config,
        &regions,
        Intent::Destroy {
            delete_service_data: false,
        },
    )
    .await;
    assert_eq!(
        stackset_steps(&destroy),
        [
            "delete StackSet awsmon-org-config in us-east-1: first its 7 instances in ou-prod, ou-sandbox (us-east-1, eu-west-1, eu-central-1), the member accounts' forwarding rules and roles (they hold no data); the instances of sandbox-old (suspended, or cut loose) are released keeping their stacks, which StackSets cannot reach"
        ]
    );
    let report = run_plan(&direct, &cfg, &destroy, None).await;
    assert_eq!(
        report.failures(),
        Vec::<&awsmon::deploy::engine::StepOutcome>::new()
    );
    // Gone from moto: the StackSet deleted (moto may still describe it as DELETED, or not
    // know it any more).
    match moto_aws
        .cloudformation("us-east-1")
        .describe_stack_set()
        .stack_set_name("awsmon-org-config")
        .send()
        .await
    {
        Ok(out) => assert_eq!(
            out.stack_set()
                .and_then(|s| s.status())
                .map(aws_sdk_cloudformation::types::StackSetStatus::as_str),
            Some("DELETED")
        ),
        Err(e) => assert!(
            e.as_service_error().is_some_and(aws_sdk_cloudformation::operation::describe_stack_set::DescribeStackSetError::is_stack_set_not_found_exception),
            "{e:?}"
        ),
    }
}

/// The plan for `target` in `regions`, drawn up from what exists.
async fn plan_of(
    aws: &Aws,
    cfg: &awsmon::config::Config,
    target: awsmon::deploy::plan::Target,
    regions: &[String],
    intent: awsmon::deploy::plan::Intent<'_>,
) -> awsmon::deploy::plan::Plan {
    awsmon::deploy::plan::draw_up(aws, cfg, target, regions, intent)
        .await
        .expect("plan")
        .1
}

/// Runs `plan` as a deploy or destroy does, waiting up to 30 s per operation.
async fn run_plan(
    aws: &Aws,
    cfg: &awsmon::config::Config,
    plan: &awsmon::deploy::plan::Plan,
    zip: Option<&awsmon::deploy::artifact::Artifact>,
) -> awsmon::deploy::engine::Report {
    let waiting = awsmon::deploy::stack_ops::Waiting {
        timeout: std::time::Duration::from_secs(30),
        poll: std::time::Duration::from_millis(50),
    };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    awsmon::deploy::engine::execute(aws, cfg, plan, zip, waiting, 8, tx).await
}
