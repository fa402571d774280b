//! Paginated APIs are read to the last page: account:ListRegions from a stub that serves two
//! recorded pages (moto has no account:ListRegions).

use crate::common;

use awsmon::aws::Aws;
use awsmon::aws::regions::RegionSource;
use awsmon::config::Config;
use awsmon::inventory::{self, Regions, ScanRequest, State};
use awsmon_notifier::Service;
use awsmon_testbench::{Stub, StubResponse};

const PAGE_1: &str = r#"{"NextToken":"page-2-token","Regions":[
  {"RegionName":"us-east-1","RegionOptStatus":"ENABLED_BY_DEFAULT"},
  {"RegionName":"eu-west-1","RegionOptStatus":"ENABLED_BY_DEFAULT"},
  {"RegionName":"af-south-1","RegionOptStatus":"DISABLED"}]}"#;
const PAGE_2: &str = r#"{"Regions":[
  {"RegionName":"ap-southeast-2","RegionOptStatus":"ENABLED_BY_DEFAULT"},
  {"RegionName":"me-central-1","RegionOptStatus":"ENABLED"}]}"#;

#[tokio::test(flavor = "multi_thread")]
async fn list_regions_is_read_to_the_last_page() {
    let moto = common::start_moto();
    let stub = Stub::start(|req| {
        if req.body.contains("page-2-token") {
            StubResponse::json(200, PAGE_2)
        } else {
            StubResponse::json(200, PAGE_1)
        }
    })
    .await
    .expect("stub");
    let mut options = common::options(&moto.endpoint);
    options
        .service_endpoints
        .insert("account", stub.endpoint.clone());
    let aws = Aws::load(options, "us-east-1").await;

    let cfg = Config::default();
    let request = ScanRequest {
        config: &cfg,
        regions: Regions::Discover(None),
        services: vec![Service::GuardDuty],
        concurrency: 4,
    };
    let (scan, source) = inventory::scan(&aws, request).await.expect("scan");
    assert_eq!(source, RegionSource::ListRegions);

    let requests = stub.requests();
    assert_eq!(requests.len(), 2, "one request per page");
    assert_eq!(requests[0].path, "/listRegions");
    assert!(!requests[0].body.contains("NextToken"));
    assert!(
        requests[1].body.contains(r#""NextToken":"page-2-token""#),
        "{}",
        requests[1].body
    );

    let got: Vec<(&str, State)> = scan
        .cells
        .iter()
        .map(|c| (c.region.as_str(), c.state))
        .collect();
    assert_eq!(
        got,
        vec![
            ("us-east-1", State::Disabled),
            ("eu-west-1", State::Disabled),
            ("af-south-1", State::NotOptedIn),
            ("ap-southeast-2", State::Disabled),
            ("me-central-1", State::Disabled),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_list_regions_the_built_in_list_is_used_and_said() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let (regions, source) = awsmon::aws::regions::discover(&aws).await;
    assert_eq!(regions.len(), awsmon::regions::KNOWN_REGIONS.len());
    match source {
        RegionSource::BuiltIn(reason) => {
            assert!(reason.contains("account:ListRegions"), "{reason}");
        }
        RegionSource::ListRegions => panic!("moto has no ListRegions; the fallback must be used"),
    }
}
