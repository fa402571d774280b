//! The CloudFormation templates, embedded in the binary. Each passes cfn-lint in CI
//! (`scripts/test`).

use std::sync::LazyLock;

use crate::services::{self, Service};

/// One embedded template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// File name under `assets/templates/`.
    pub file: &'static str,
    pub body: &'static str,
}

macro_rules! templates {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(pub const $name: Template = Template {
            file: $file,
            body: include_str!(concat!("../../assets/templates/", $file)),
        };)*
        /// Every template, for linting and listing.
        pub const ALL: &[Template] = &[$($name),*];
    };
}

templates! {
    BOOTSTRAP => "bootstrap.yaml",
    HUB => "hub.yaml",
    GUARDDUTY => "guardduty.yaml",
    CONFIG => "config.yaml",
    INSPECTOR => "inspector.yaml",
    SECURITYHUB => "securityhub.yaml",
    ACCESS_ANALYZER => "accessanalyzer.yaml",
    HEALTH => "health.yaml",
    TRUSTED_ADVISOR => "trustedadvisor.yaml",
    BUDGET => "budget.yaml",
    ORG_CONFIG => "org-config.yaml",
}

/// The hub as deployed: [`HUB`] with its monitored-events rule (description, sources and
/// detail-types) filled in from the service registry.
pub fn hub() -> Template {
    static BODY: LazyLock<String> = LazyLock::new(|| render_hub(HUB.body));
    Template {
        file: HUB.file,
        body: BODY.as_str(),
    }
}

/// Replaces the `MonitoredEventsRule`'s `Description` and `EventPattern` in `body` with the
/// registry's.
fn render_hub(body: &str) -> String {
    let (sources, detail_types) = services::hub_event_pattern();
    let rule_services: Vec<Service> = Service::hub_rule_services().collect();
    let mut out = String::with_capacity(body.len());
    let mut in_rule = false;
    let mut skipping = false;
    for line in body.lines() {
        let indent = line.len() - line.trim_start().len();
        if skipping {
            if indent > 6 || line.trim().is_empty() {
                continue;
            }
            skipping = false;
        }
        if indent == 2 && !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            in_rule = line.trim() == "MonitoredEventsRule:";
        }
        if in_rule && indent == 6 && line.trim_start().starts_with("Description:") {
            out.push_str(&format!(
                "      Description: awsmon - {} events to the notifier\n",
                services::names(&rule_services)
            ));
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if in_rule && indent == 6 && line.trim() == "EventPattern:" {
            out.push_str("        source:\n");
            for s in &sources {
                out.push_str(&format!("          - {s}\n"));
            }
            out.push_str("        detail-type:\n");
            for t in &detail_types {
                out.push_str(&format!("          - {t}\n"));
            }
            skipping = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use yaml_rust2::{Yaml, YamlLoader};

    use super::*;

    fn strings(y: &Yaml) -> Vec<String> {
        y.as_vec()
            .map(|v| {
                v.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn the_deployed_hub_listens_for_every_service_in_the_registry() {
        let rendered = hub();
        assert_eq!(rendered.file, HUB.file);
        let docs = YamlLoader::load_from_str(rendered.body).expect("the rendered hub is YAML");
        let rule = &docs[0]["Resources"]["MonitoredEventsRule"]["Properties"];
        let (sources, detail_types) = services::hub_event_pattern();
        assert_eq!(strings(&rule["EventPattern"]["source"]), sources);
        assert_eq!(strings(&rule["EventPattern"]["detail-type"]), detail_types);
        assert_eq!(
            rule["Description"].as_str(),
            Some(
                "awsmon - GuardDuty, AWS Config, Inspector, Security Hub, IAM Access Analyzer and AWS Health events to the notifier"
            )
        );
        // Only the rule changes: every other line of the file is deployed as written.
        let kept = |body: &str| -> usize { body.lines().filter(|l| !l.trim().is_empty()).count() };
        let raw = YamlLoader::load_from_str(HUB.body).expect("hub");
        let raw_pattern = &raw[0]["Resources"]["MonitoredEventsRule"]["Properties"]["EventPattern"];
        let written =
            strings(&raw_pattern["source"]).len() + strings(&raw_pattern["detail-type"]).len();
        let listed = sources.len() + detail_types.len();
        assert_eq!(kept(rendered.body) + written, kept(HUB.body) + listed);
        for resource in ["TestEventsRule", "TrustedAdvisorRule", "Notifier"] {
            assert_eq!(
                docs[0]["Resources"][resource], raw[0]["Resources"][resource],
                "{resource} is deployed as written"
            );
        }
    }

    /// The hub's ServiceOffRule and each spoke's OffForwardRule match exactly the calls the
    /// notifier reads as a service turned off (its OFF_CALLS table).
    #[test]
    fn the_off_rules_match_the_notifiers_table() {
        use awsmon_notifier::event::{CLOUDTRAIL_DETAIL_TYPE, OFF_CALLS};
        let hub = &YamlLoader::load_from_str(hub().body).expect("hub")[0];
        let pattern = &hub["Resources"]["ServiceOffRule"]["Properties"]["EventPattern"];
        let sources: Vec<&str> = OFF_CALLS.iter().map(|(_, s, _)| *s).collect();
        let calls: Vec<&str> = OFF_CALLS
            .iter()
            .flat_map(|(_, _, c)| c.iter().copied())
            .collect();
        assert_eq!(strings(&pattern["source"]), sources);
        assert_eq!(strings(&pattern["detail-type"]), [CLOUDTRAIL_DETAIL_TYPE]);
        assert_eq!(strings(&pattern["detail"]["eventName"]), calls);
        // CloudTrail (no service of awsmon's) has no spoke: the hub's rule alone.
        for (service, source, calls) in OFF_CALLS
            .iter()
            .filter_map(|(s, source, calls)| Some((s.as_ref()?, source, calls)))
        {
            let template = match service {
                Service::GuardDuty => GUARDDUTY,
                Service::Config => CONFIG,
                Service::Inspector => INSPECTOR,
                Service::SecurityHub => SECURITYHUB,
                Service::AccessAnalyzer => ACCESS_ANALYZER,
                other => panic!("no spoke template listed for {other}"),
            };
            let doc = &YamlLoader::load_from_str(template.body).expect("spoke")[0];
            let rule = &doc["Resources"]["OffForwardRule"];
            assert_eq!(rule["Condition"].as_str(), Some("Forward"), "{service}");
            let pattern = &rule["Properties"]["EventPattern"];
            assert_eq!(strings(&pattern["source"]), [*source], "{service}");
            assert_eq!(
                strings(&pattern["detail-type"]),
                [CLOUDTRAIL_DETAIL_TYPE],
                "{service}"
            );
            assert_eq!(
                strings(&pattern["detail"]["eventName"]),
                *calls,
                "{service}"
            );
        }
    }

    #[test]
    fn the_hub_rule_covers_the_regional_services_on_the_bus() {
        assert_eq!(
            services::hub_event_pattern(),
            (
                vec![
                    "aws.guardduty",
                    "aws.config",
                    "aws.inspector2",
                    "aws.securityhub",
                    "aws.access-analyzer",
                    "aws.health"
                ],
                vec![
                    "GuardDuty Finding",
                    "Config Configuration Item Change",
                    "Inspector2 Finding",
                    "Security Hub Findings - Imported",
                    "Access Analyzer Finding",
                    "AWS Health Event"
                ]
            )
        );
    }
}
