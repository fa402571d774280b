//! GuardDuty: ListFindings (updated since, not archived; every page), then GetFindings in
//! batches of 50, each finding shaped as the `detail` of a "GuardDuty Finding" event.

use aws_sdk_guardduty::types::{Condition, Finding, FindingCriteria};
use serde_json::{Value, json};

use super::probe::detector_ids;
use crate::aws::{Aws, AwsError};
use crate::findings::envelope;

pub async fn events(aws: &Aws, region: &str, since_ms: i64) -> Result<Vec<Value>, AwsError> {
    let client = aws.guardduty(region);
    let mut out = Vec::new();
    for detector in detector_ids(aws, region).await? {
        let criteria = FindingCriteria::builder()
            .criterion(
                "updatedAt",
                Condition::builder().greater_than_or_equal(since_ms).build(),
            )
            .criterion(
                "service.archived",
                Condition::builder().equals("false").build(),
            )
            .build();
        let mut ids: Vec<String> = Vec::new();
        let mut pages = client
            .list_findings()
            .detector_id(&detector)
            .finding_criteria(criteria)
            .max_results(50)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| AwsError::classify("guardduty:ListFindings", &e))?;
            ids.extend(page.finding_ids().iter().cloned());
        }
        for chunk in ids.chunks(50) {
            let got = client
                .get_findings()
                .detector_id(&detector)
                .set_finding_ids(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|e| AwsError::classify("guardduty:GetFindings", &e))?;
            out.extend(got.findings().iter().map(|f| {
                let time = f.updated_at().unwrap_or_default();
                envelope(
                    ("aws.guardduty", "GuardDuty Finding"),
                    f.id().unwrap_or_default(),
                    f.region().unwrap_or(region),
                    f.account_id().unwrap_or_default(),
                    time,
                    &detail(f),
                )
            }));
        }
    }
    Ok(out)
}

/// The finding in the JSON shape EventBridge delivers (the notifier reads these fields).
fn detail(f: &Finding) -> Value {
    let mut d = json!({
        "schemaVersion": f.schema_version(),
        "accountId": f.account_id(),
        "region": f.region(),
        "partition": f.partition(),
        "id": f.id(),
        "arn": f.arn(),
        "type": f.r#type(),
        "severity": f.severity(),
        "title": f.title(),
        "description": f.description(),
        "createdAt": f.created_at(),
        "updatedAt": f.updated_at(),
    });
    if let Some(r) = f.resource() {
        let mut res = json!({ "resourceType": r.resource_type() });
        if let Some(i) = r.instance_details() {
            res["instanceDetails"] =
                json!({ "instanceId": i.instance_id(), "instanceType": i.instance_type() });
        }
        if let Some(k) = r.access_key_details() {
            res["accessKeyDetails"] = json!({
                "accessKeyId": k.access_key_id(), "userName": k.user_name(),
                "userType": k.user_type(), "principalId": k.principal_id(),
            });
        }
        let buckets: Vec<Value> = r
            .s3_bucket_details()
            .iter()
            .map(|b| json!({ "name": b.name(), "arn": b.arn() }))
            .collect();
        if !buckets.is_empty() {
            res["s3BucketDetails"] = Value::from(buckets);
        }
        if let Some(e) = r.eks_cluster_details() {
            res["eksClusterDetails"] = json!({ "name": e.name() });
        }
        if let Some(l) = r.lambda_details() {
            res["lambdaDetails"] = json!({ "functionName": l.function_name() });
        }
        d["resource"] = res;
    }
    if let Some(s) = f.service() {
        let mut svc = json!({
            "serviceName": s.service_name(),
            "count": s.count(),
            "eventFirstSeen": s.event_first_seen(),
            "eventLastSeen": s.event_last_seen(),
            "archived": s.archived(),
        });
        if let Some(a) = s.action() {
            let mut action = json!({ "actionType": a.action_type() });
            if let Some(c) = a.aws_api_call_action() {
                action["awsApiCallAction"] = json!({
                    "api": c.api(), "serviceName": c.service_name(),
                    "remoteIpDetails": c.remote_ip_details().map(|ip| json!({
                        "ipAddressV4": ip.ip_address_v4(),
                        "country": { "countryName": ip.country().and_then(|c| c.country_name()) },
                    })),
                });
            }
            if let Some(n) = a.network_connection_action() {
                action["networkConnectionAction"] = json!({
                    "connectionDirection": n.connection_direction(),
                    "remoteIpDetails": n.remote_ip_details().map(|ip| json!({
                        "ipAddressV4": ip.ip_address_v4(),
                        "country": { "countryName": ip.country().and_then(|c| c.country_name()) },
                    })),
                    "remotePortDetails": n.remote_port_details().map(|p| json!({ "port": p.port() })),
                    "localPortDetails": n.local_port_details().map(|p| json!({ "port": p.port() })),
                });
            }
            if let Some(dns) = a.dns_request_action() {
                action["dnsRequestAction"] = json!({ "domain": dns.domain() });
            }
            if let Some(p) = a.port_probe_action() {
                let probes: Vec<Value> = p
                    .port_probe_details()
                    .iter()
                    .map(|d| json!({ "localPortDetails": { "port": d.local_port_details().and_then(aws_sdk_guardduty::types::LocalPortDetails::port) } }))
                    .collect();
                action["portProbeAction"] = json!({ "portProbeDetails": probes });
            }
            svc["action"] = action;
        }
        d["service"] = svc;
    }
    d
}
