//! The embedded CloudFormation templates: all of them are embedded (and so linted), and the
//! emulator creates the bootstrap, hub and a GuardDuty spoke from them with the resources and
//! wiring they declare.

use crate::common;

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{Capability, Parameter, StackStatus};
use awsmon::aws::Aws;
use awsmon::deploy::templates::{self, Template};

#[test]
fn every_template_file_is_embedded() {
    let mut on_disk: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/templates"))
            .expect("assets/templates")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = templates::ALL.iter().map(|t| t.file.to_string()).collect();
    embedded.sort();
    assert_eq!(embedded, on_disk);
}

async fn create(
    aws: &Aws,
    region: &str,
    name: &str,
    template: Template,
    params: &[(&str, &str)],
) -> String {
    let cfn = aws.cloudformation(region);
    cfn.create_stack()
        .stack_name(name)
        .template_body(template.body)
        .set_parameters(Some(
            params
                .iter()
                .map(|(k, v)| {
                    Parameter::builder()
                        .parameter_key(*k)
                        .parameter_value(*v)
                        .build()
                })
                .collect(),
        ))
        .capabilities(Capability::CapabilityIam)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "create {name}: {}",
                aws_smithy_types::error::display::DisplayErrorContext(&e)
            )
        });
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let out = cfn
            .describe_stacks()
            .stack_name(name)
            .send()
            .await
            .expect("describe");
        let status = out.stacks()[0].stack_status().cloned().expect("status");
        if status != StackStatus::CreateInProgress || Instant::now() > until {
            return status.as_str().to_string();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn resources(aws: &Aws, region: &str, name: &str) -> Vec<String> {
    let out = aws
        .cloudformation(region)
        .list_stack_resources()
        .stack_name(name)
        .send()
        .await
        .expect("resources");
    let mut list: Vec<String> = out
        .stack_resource_summaries()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.logical_resource_id().unwrap_or_default(),
                r.resource_type().unwrap_or_default()
            )
        })
        .collect();
    list.sort();
    list
}

async fn outputs(aws: &Aws, region: &str, name: &str) -> Vec<(String, String)> {
    let out = aws
        .cloudformation(region)
        .describe_stacks()
        .stack_name(name)
        .send()
        .await
        .expect("describe");
    out.stacks()[0]
        .outputs()
        .iter()
        .map(|o| {
            (
                o.output_key().unwrap_or_default().to_string(),
                o.output_value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn bootstrap_hub_and_a_guardduty_spoke_create_their_resources() {
    let moto = common::start_moto();
    let aws = common::aws(&moto.endpoint).await;
    let home = "us-east-1";

    let bucket = "awsmon-artifacts-123456789012-us-east-1";
    assert_eq!(
        create(
            &aws,
            home,
            "awsmon-bootstrap",
            templates::BOOTSTRAP,
            &[("BucketName", bucket)]
        )
        .await,
        "CREATE_COMPLETE"
    );
    // moto applies no bucket settings from templates, so check what CloudFormation created.
    aws.s3(home)
        .head_bucket()
        .bucket(bucket)
        .send()
        .await
        .expect("bucket exists");
    // (moto lists the bucket policy without its logical id, so count it rather than name it.)
    let created = resources(&aws, home, "awsmon-bootstrap").await;
    assert_eq!(created.len(), 2, "{created:?}");
    assert!(
        created.contains(&"ArtifactBucket AWS::S3::Bucket".to_string()),
        "{created:?}"
    );

    let key = format!("notifier/{}.zip", "0".repeat(64));
    aws.s3(home)
        .put_object()
        .bucket(bucket)
        .key(&key)
        .body(aws_sdk_s3::primitives::ByteStream::from_static(
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        ))
        .send()
        .await
        .expect("upload");
    let hub_status = create(
        &aws,
        home,
        "awsmon-hub",
        templates::HUB,
        &[
            ("Prefix", "awsmon"),
            ("ArtifactBucket", bucket),
            ("ArtifactKey", &key),
            ("RoutingParameterName", "/monitoring/awsmon/routing"),
        ],
    )
    .await;
    assert_eq!(hub_status, "CREATE_COMPLETE");
    let hub = outputs(&aws, home, "awsmon-hub").await;
    let get = |k: &str| {
        hub.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        get("EventBusArn"),
        "arn:aws:events:us-east-1:123456789012:event-bus/default"
    );
    assert!(
        get("NotifierArn").ends_with(":function:awsmon-notifier"),
        "{hub:?}"
    );

    let conf = common::notifier_function(&aws, home).await;
    assert_eq!(
        conf.runtime().map(aws_sdk_lambda::types::Runtime::as_str),
        Some("provided.al2023")
    );
    assert_eq!(conf.handler(), Some("bootstrap"));
    let env = conf.environment().and_then(|e| e.variables()).expect("env");
    assert_eq!(
        env.get("AWSMON_ROUTING_PARAMETER").map(String::as_str),
        Some("/monitoring/awsmon/routing")
    );

    let pattern = common::rule_pattern(&aws, home, "awsmon-monitored-events").await;
    assert_eq!(
        pattern["source"],
        serde_json::json!(["aws.guardduty", "aws.config", "aws.inspector2"])
    );
    // Test events have a rule of their own, open to this account only.
    let pattern = common::rule_pattern(&aws, home, "awsmon-test-events").await;
    assert_eq!(
        pattern,
        serde_json::json!({
            "source": ["awsmon.test"],
            "detail-type": ["awsmon Test Message"],
            "account": ["123456789012"],
        })
    );
    // The event `test-message --via pipeline` puts on the bus is one this rule matches. moto
    // lacks TestEventPattern, so an archive with the same pattern on a bus of its own counts.
    let events = aws.eventbridge(home);
    let bus = events
        .create_event_bus()
        .name("pattern-check")
        .send()
        .await
        .expect("bus");
    events
        .create_archive()
        .archive_name("pattern-check")
        .event_source_arn(bus.event_bus_arn().expect("arn"))
        .event_pattern(pattern.to_string())
        .send()
        .await
        .expect("archive");
    for (source, detail_type) in [
        (
            awsmon_notifier::event::TEST_SOURCE,
            awsmon_notifier::event::TEST_DETAIL_TYPE,
        ),
        ("aws.s3", "Object Created"),
    ] {
        let detail = awsmon_notifier::event::test_detail("guardduty", None, Some("tests"));
        events
            .put_events()
            .entries(
                aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                    .event_bus_name("pattern-check")
                    .source(source)
                    .detail_type(detail_type)
                    .detail(detail.to_string())
                    .build(),
            )
            .send()
            .await
            .expect("put");
    }
    let archive = events
        .describe_archive()
        .archive_name("pattern-check")
        .send()
        .await
        .expect("archive");
    assert_eq!(archive.event_count(), 1, "only the test event matches");
    let targets = aws
        .eventbridge(home)
        .list_targets_by_rule()
        .rule("awsmon-test-events")
        .send()
        .await
        .expect("targets");
    assert_eq!(targets.targets()[0].arn(), get("NotifierArn").as_str());

    // A spoke in another region forwards GuardDuty findings to the hub's bus with its role.
    let spoke_status = create(
        &aws,
        "eu-west-1",
        "awsmon-guardduty",
        templates::GUARDDUTY,
        &[
            ("Prefix", "awsmon"),
            ("CreateDetector", "true"),
            ("HubEventBusArn", &get("EventBusArn")),
        ],
    )
    .await;
    assert_eq!(spoke_status, "CREATE_COMPLETE");
    let targets = aws
        .eventbridge("eu-west-1")
        .list_targets_by_rule()
        .rule("awsmon-guardduty-forward")
        .send()
        .await
        .expect("targets");
    assert_eq!(
        targets.targets()[0].arn(),
        "arn:aws:events:us-east-1:123456789012:event-bus/default"
    );
    assert!(
        targets.targets()[0]
            .role_arn()
            .is_some_and(|r| r.contains(":role/"))
    );
    let marker = aws
        .ssm("eu-west-1")
        .get_parameter()
        .name("/monitoring/awsmon/spokes/guardduty")
        .send()
        .await
        .expect("marker");
    assert_eq!(
        marker.parameter().and_then(|p| p.value()),
        Some("detector created by awsmon")
    );

    // No webhook URL anywhere in what CloudFormation holds.
    for (region, stack) in [
        (home, "awsmon-bootstrap"),
        (home, "awsmon-hub"),
        ("eu-west-1", "awsmon-guardduty"),
    ] {
        let t = aws
            .cloudformation(region)
            .get_template()
            .stack_name(stack)
            .send()
            .await
            .expect("template");
        assert!(
            !t.template_body()
                .unwrap_or_default()
                .contains("hooks.slack.com")
        );
    }
}

/// Issue 14: the hub's bus admits other accounts' events only in org mode, and then only
/// from principals of the Organization (aws:PrincipalOrgID); no other statement opens it.
#[test]
fn the_hub_bus_admits_the_organization_and_no_one_else() {
    let body = templates::hub().body;
    let start = body
        .find("  OrganizationBusPolicy:")
        .expect("the bus policy");
    let end = body[start..]
        .find("\nOutputs:")
        .map_or(body.len(), |e| start + e);
    let policy = &body[start..end];
    assert!(
        policy.contains("Type: AWS::Events::EventBusPolicy"),
        "{policy}"
    );
    assert!(policy.contains("Condition: InOrganization"), "{policy}");
    assert!(
        policy.contains("aws:PrincipalOrgID: !Ref OrganizationId"),
        "{policy}"
    );
    assert!(
        policy.contains(
            "aws:PrincipalArn: !Sub \"arn:${AWS::Partition}:iam::*:role/${Prefix}-org-*\""
        ),
        "only awsmon's own spoke roles: {policy}"
    );
    // The spoke's role is one of those, and its name fits IAM's 64 characters for the
    // longest prefix config.yml allows and the longest region name this build knows.
    let spoke = templates::ORG_CONFIG.body;
    assert!(
        spoke.contains("RoleName: !Sub \"${Prefix}-org-cfg-${AWS::Region}\""),
        "{spoke}"
    );
    let longest = awsmon::regions::KNOWN_REGIONS
        .iter()
        .map(|(r, _)| r.len())
        .max()
        .expect("regions");
    assert!(40 + "-org-cfg-".len() + longest <= 64, "{longest}");
    assert!(body.contains("InOrganization: !Not [!Equals [!Ref OrganizationId, \"\"]]"));
    assert_eq!(body.matches("AWS::Events::EventBusPolicy").count(), 1);
    assert_eq!(
        body.matches("Principal: \"*\"").count(),
        1,
        "only the org-bound one"
    );
}
