//! AWS Health's recent events about this account in one region (the Health API answers from
//! us-east-1 for every region; it needs a Business, Enterprise On-Ramp or Enterprise support
//! plan, and says SubscriptionRequiredException otherwise). Each is shaped as the `detail` of
//! an "AWS Health Event", with its description and affected resources. Global events (IAM,
//! billing) are listed with the home region.

use std::collections::HashMap;

use aws_sdk_health::types::{
    DateTimeRange, EntityFilter, EntityStatusCode, EventFilter, EventScopeCode, EventStatusCode,
    EventTypeCategory,
};
use serde_json::{Value, json};

use crate::aws::{Aws, AwsError};
use crate::config::Config;
use crate::findings::{datetime, envelope};

/// The Health API's own region.
const API_REGION: &str = "us-east-1";
/// Events read per region at most (pages of 100).
const MAX_EVENTS: usize = 300;

pub async fn events(
    aws: &Aws,
    cfg: &Config,
    region: &str,
    account: &str,
    since_ms: i64,
) -> Result<Vec<Value>, AwsError> {
    let health = aws.health(API_REGION);
    let mut filter = EventFilter::builder().regions(region).last_updated_times(
        DateTimeRange::builder()
            .from(aws_smithy_types::DateTime::from_millis(since_ms))
            .build(),
    );
    if region == cfg.home_region() {
        filter = filter.regions("global");
    }
    let filter = filter.build();
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = health
            .describe_events()
            .filter(filter.clone())
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| AwsError::classify("health:DescribeEvents", &e))?;
        listed.extend(
            page.events()
                .iter()
                .filter(|e| {
                    e.event_scope_code().map(EventScopeCode::as_str) != Some("PUBLIC")
                        && e.arn().is_some()
                })
                .cloned(),
        );
        match page.next_token() {
            Some(t) if listed.len() < MAX_EVENTS => token = Some(t.to_string()),
            _ => break,
        }
    }
    let arns: Vec<String> = listed
        .iter()
        .filter_map(|e| e.arn().map(str::to_string))
        .collect();
    let mut descriptions: HashMap<String, String> = HashMap::new();
    let mut entities: HashMap<String, Vec<Value>> = HashMap::new();
    // Both take at most 10 events a call.
    for chunk in arns.chunks(10) {
        let details = health
            .describe_event_details()
            .set_event_arns(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| AwsError::classify("health:DescribeEventDetails", &e))?;
        for d in details.successful_set() {
            if let (Some(arn), Some(text)) = (
                d.event().and_then(|e| e.arn()),
                d.event_description().and_then(|e| e.latest_description()),
            ) {
                descriptions.insert(arn.to_string(), text.to_string());
            }
        }
        // Every page of the affected resources (bounded).
        let mut token: Option<String> = None;
        for _ in 0..10 {
            let affected = health
                .describe_affected_entities()
                .filter(
                    EntityFilter::builder()
                        .set_event_arns(Some(chunk.to_vec()))
                        .build()
                        .map_err(|e| {
                            AwsError::other("health:DescribeAffectedEntities", e.to_string())
                        })?,
                )
                .max_results(100)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| AwsError::classify("health:DescribeAffectedEntities", &e))?;
            for e in affected.entities() {
                if let (Some(arn), Some(value)) = (e.event_arn(), e.entity_value()) {
                    entities.entry(arn.to_string()).or_default().push(json!({
                        "entityValue": value,
                        "status": e.status_code().map(EntityStatusCode::as_str),
                    }));
                }
            }
            match affected.next_token() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
    }
    Ok(listed
        .iter()
        .filter_map(|e| {
            let arn = e.arn()?;
            let updated = datetime(e.last_updated_time()).unwrap_or_default();
            let detail = json!({
                "eventArn": arn,
                "service": e.service(),
                "eventTypeCode": e.event_type_code(),
                "eventTypeCategory": e.event_type_category().map(EventTypeCategory::as_str),
                "eventScopeCode": e.event_scope_code().map(EventScopeCode::as_str),
                "statusCode": e.status_code().map(EventStatusCode::as_str),
                "eventRegion": e.region(),
                "startTime": datetime(e.start_time()),
                "endTime": datetime(e.end_time()),
                "lastUpdatedTime": updated,
                "eventDescription": [{
                    "language": "en_US",
                    "latestDescription": descriptions.get(arn).cloned().unwrap_or_default(),
                }],
                "affectedEntities": entities.remove(arn).unwrap_or_default(),
                "affectedAccount": account,
            });
            Some(envelope(
                ("aws.health", "AWS Health Event"),
                arn,
                region,
                account,
                &updated,
                &detail,
            ))
        })
        .collect())
}
