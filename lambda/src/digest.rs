//! The daily digest, built from what the notifier recorded in its state table (reading the
//! table is the caller's: `state_store.rs` in the Lambda, the console's own client for
//! `:digest`). One message per route: the findings sent to that route in the last 24 hours
//! counted by service and severity, the worst of them with links, and what was kept quiet
//! (suppressed by a rule, or folded as a duplicate).
//!
//! The schedule (EventBridge Scheduler, `DIGEST_TIME` in `DIGEST_TZ`) invokes the notifier
//! with [`REQUEST`] as the whole payload.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::str::FromStr;

use crate::secret::WebhookUrl;
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{self, Block, Message};

/// A digest request, the whole payload of a digest invocation (what the console and tests send).
pub const REQUEST: &str = r#"{"awsmon":"digest"}"#;
/// The schedule's input: the request with the time it was scheduled for, which names the
/// digest (a repeated delivery or a retry, however late, is the same digest).
pub const SCHEDULED_INPUT: &str = r#"{"awsmon":"digest","at":"<aws.scheduler.scheduled-time>"}"#;
/// The digest's kind, where a finding's detail-type would be (logs, metrics).
pub const KIND: &str = "awsmon Digest";
/// How far back a digest looks.
pub const WINDOW_SECS: i64 = 24 * 3600;
/// The findings listed by name; the rest are counted.
pub const TOP: usize = 10;

/// A digest request: `Some(at)` with the scheduled time it names (`None` when it names none),
/// `None` when `payload` is not a digest request.
pub fn request(payload: &[u8]) -> Option<Option<String>> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Request<'a> {
        #[serde(borrow)]
        awsmon: &'a str,
        at: Option<String>,
    }
    if payload.len() > 256 {
        return None;
    }
    let r = serde_json::from_slice::<Request<'_>>(payload).ok()?;
    (r.awsmon == "digest").then_some(r.at)
}

/// Whether `payload` asks for the digest (and nothing else).
pub fn is_request(payload: &[u8]) -> bool {
    request(payload).is_some()
}

/// What names one digest: the schedule's time to the minute (`2026-12-06T09:00`), else the
/// current hour's (a request sent by hand).
pub fn slot(at: Option<&str>, now: i64) -> String {
    if let Some(t) = at.and_then(crate::time::normalise) {
        t.get(..16).unwrap_or(&t).to_string()
    } else {
        let utc = crate::time::utc_of_epoch(now);
        utc.get(..13).unwrap_or(&utc).to_string()
    }
}

/// A state item's attributes, each string or number as its text.
pub type Attrs = HashMap<String, String>;

/// One finding the notifier sent, as its state item has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `None`: the default route (CloudTrail turned off).
    pub service: Option<Service>,
    pub account: String,
    pub region: String,
    pub title: String,
    pub severity: String,
    pub band: u8,
    pub sent_at: i64,
    pub updates: u64,
    pub link: String,
    /// The event's detail-type: a service turned off is listed apart.
    pub kind: String,
}

impl Record {
    /// A finding's item that holds a sent message; `None` for anything else (a claim never
    /// settled, a tally, a digest's own item).
    pub fn from_attrs(a: &Attrs) -> Option<Record> {
        let num = |k: &str| a.get(k).and_then(|v| v.parse::<i64>().ok());
        let text = |k: &str| a.get(k).cloned().unwrap_or_default();
        let kind = text("finding_kind");
        // The default route holds only CloudTrail turned off among what is listed (not the
        // digest's own items).
        let service = match Service::from_str(a.get("svc_name")?) {
            Ok(s) => Some(s),
            Err(_) if kind == crate::event::CLOUDTRAIL_DETAIL_TYPE => None,
            Err(_) => return None,
        };
        Some(Record {
            service,
            account: text("aws_account"),
            region: text("aws_region"),
            title: text("finding_title"),
            severity: text("finding_severity"),
            band: num("sent_band").and_then(|b| u8::try_from(b).ok())?,
            sent_at: num("sent_at")?,
            updates: num("update_count")
                .and_then(|u| u64::try_from(u).ok())
                .unwrap_or(0),
            link: text("finding_link"),
            kind,
        })
    }
}

/// The key of the hour's tally item (`tally#2026-12-06T09`): what the notifier kept quiet in
/// that hour, by service.
pub fn tally_key(epoch: i64) -> String {
    let utc = crate::time::utc_of_epoch(epoch);
    format!("tally#{}", &utc[..utc.len().min(13)])
}

/// The tally keys of the `hours` hours up to `now`'s (most recent first).
pub fn tally_keys(now: i64, hours: i64) -> Vec<String> {
    (0..hours).map(|h| tally_key(now - h * 3600)).collect()
}

/// The tally attribute counting `service`'s matches of the rule with `fingerprint`.
pub fn suppressed_attr(service: &str, fingerprint: &str) -> String {
    format!("sup_{service}_{fingerprint}")
}

/// The tally attribute counting `service`'s events dropped as duplicates.
pub fn deduplicated_attr(service: &str) -> String {
    format!("dup_{service}")
}

/// What was kept quiet over some hours, summed from tally items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// (service, rule fingerprint) → matches.
    pub suppressed: BTreeMap<(String, String), u64>,
    /// service → events dropped as duplicates (updates folded, repeated deliveries).
    pub deduplicated: BTreeMap<String, u64>,
    /// The state table was read only in part (too large, or throttled): the digest says so.
    pub incomplete: bool,
}

impl Tally {
    /// Adds one tally item's counts.
    pub fn add(&mut self, item: &Attrs) {
        for (name, value) in item {
            let Ok(n) = value.parse::<u64>() else {
                continue;
            };
            if let Some(rest) = name.strip_prefix("sup_")
                && let Some((svc, fp)) = rest.rsplit_once('_')
            {
                *self
                    .suppressed
                    .entry((svc.to_string(), fp.to_string()))
                    .or_default() += n;
            } else if let Some(svc) = name.strip_prefix("dup_") {
                *self.deduplicated.entry(svc.to_string()).or_default() += n;
            }
        }
    }

    /// Matches of the rule with `fingerprint`, every service together.
    pub fn rule_matches(&self, fingerprint: &str) -> u64 {
        self.suppressed
            .iter()
            .filter(|((_, fp), _)| fp == fingerprint)
            .map(|(_, n)| n)
            .sum()
    }
}

/// One route's digest.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub webhooks: Vec<WebhookUrl>,
    /// What the route is, for logs and the console: `default`, a service, or an override.
    pub route: String,
    /// Findings sent to the route in the window.
    pub findings: usize,
    pub message: Message,
}

/// The routes a digest goes to, each once (the same webhooks named twice are one route):
/// the default webhooks, each service's own, each override's.
fn routes(settings: &Settings) -> Vec<(String, Vec<WebhookUrl>)> {
    let mut out: Vec<(String, Vec<WebhookUrl>)> = Vec::new();
    let mut add = |name: String, hooks: &[WebhookUrl]| {
        if !hooks.is_empty() && !out.iter().any(|(_, h)| h == hooks) {
            out.push((name, hooks.to_vec()));
        }
    };
    add("default".into(), &settings.routes.default);
    for svc in Service::ALL {
        add(svc.as_str().into(), settings.routes.for_service(svc));
    }
    for (target, over) in &settings.overrides {
        if !over.webhooks_dropped {
            add(format!("override {target}"), &over.webhooks);
        }
    }
    out
}

/// The digests of the window ending at `now`, one per route, every route getting one (a
/// quiet day says so: the digest is also the daily sign that awsmon works).
pub fn build(records: &[Record], tally: &Tally, settings: &Settings, now: i64) -> Vec<Digest> {
    let since = now - WINDOW_SECS;
    let routes = routes(settings);
    let mut per_route: Vec<Vec<&Record>> = vec![Vec::new(); routes.len()];
    for r in records
        .iter()
        .filter(|r| r.sent_at > since && r.sent_at <= now)
    {
        let applied = settings.override_for(&r.account);
        let hooks = settings.webhooks_for(applied.as_ref(), r.service);
        if let Some(i) = routes.iter().position(|(_, h)| h == hooks) {
            per_route[i].push(r);
        }
    }
    routes
        .into_iter()
        .zip(per_route)
        .map(|((route, webhooks), mut found)| {
            // The tallies know services, not accounts: they go with each service's own route.
            let services: Vec<Service> = Service::ALL
                .into_iter()
                .filter(|s| settings.routes.for_service(*s) == webhooks.as_slice())
                .collect();
            found.sort_by(|a, b| b.band.cmp(&a.band).then(b.sent_at.cmp(&a.sent_at)));
            let message = message(&found, tally, &services, settings, since, now);
            Digest {
                webhooks,
                route,
                findings: found.len(),
                message,
            }
        })
        .collect()
}

const BAND_WORDS: [&str; 5] = ["other", "low", "medium", "high", "critical"];

fn message(
    found: &[&Record],
    tally: &Tally,
    services: &[Service],
    settings: &Settings,
    since: i64,
    now: i64,
) -> Message {
    let (off, found): (Vec<&Record>, Vec<&Record>) = found
        .iter()
        .partition(|r| r.kind == crate::event::CLOUDTRAIL_DETAIL_TYPE);
    let found = found.as_slice();
    let mut counts: BTreeMap<Service, [u64; 5]> = BTreeMap::new();
    for r in found {
        if let Some(svc) = r.service {
            counts.entry(svc).or_default()[usize::from(r.band.min(4))] += 1;
        }
    }
    let mut totals = [0u64; 5];
    for c in counts.values() {
        for (t, n) in totals.iter_mut().zip(c) {
            *t += n;
        }
    }
    let worst = found
        .first()
        .map_or(0, |r| r.band)
        .max(if off.is_empty() { 0 } else { 4 });
    let text = format!(
        "awsmon daily digest: {}{} sent in the last 24 h{}",
        match off.len() {
            0 => String::new(),
            n => format!(
                "{} turned off or attempted; ",
                plural(n as u64, "monitoring change")
            ),
        },
        plural(found.len() as u64, "finding"),
        match band_counts(&totals) {
            c if c.is_empty() => String::new(),
            c => format!(" ({c})"),
        }
    );
    let mut blocks = vec![Block::Header("Daily digest · last 24 hours".into())];
    if !off.is_empty() {
        blocks.push(Block::Section(listed(
            "*Monitoring turned off since yesterday*",
            &off,
            settings,
        )));
    }
    if found.is_empty() {
        blocks.push(Block::Section(
            "No findings were sent to this channel in the last 24 hours.".into(),
        ));
    } else {
        let fields: Vec<String> = counts
            .iter()
            .map(|(svc, c)| {
                let mut f = slack::bold(svc.display_name());
                f.push('\n');
                f.push_str(&band_counts(c));
                slack::truncate(&f, slack::FIELD_TEXT_MAX)
            })
            .take(slack::FIELDS_PER_SECTION)
            .collect();
        blocks.push(Block::Fields(fields));
        blocks.push(Block::Section(listed("*Top findings*", found, settings)));
    }
    if let Some(quiet) = quiet(tally, services, settings) {
        blocks.push(Block::Section(quiet));
    }
    if tally.incomplete {
        blocks.push(Block::Section(
            "⚠ The notifier's state table could be read only in part: these counts are low.".into(),
        ));
    }
    blocks.push(Block::Context(format!(
        "awsmon  ·  {} → {}",
        crate::time::utc_of_epoch(since),
        crate::time::utc_of_epoch(now)
    )));
    let colour = match worst {
        4 => crate::format::DARK_RED,
        3 => crate::format::RED,
        2 => crate::format::AMBER,
        _ => crate::format::GREEN,
    };
    Message::new(&text, colour, &blocks)
}

/// "2 critical · 5 high · 1 low", largest band first, bands with none left out.
fn band_counts(c: &[u64; 5]) -> String {
    let mut out = String::new();
    for band in (0..5).rev() {
        if c[band] > 0 {
            if !out.is_empty() {
                out.push_str(" · ");
            }
            let _ = write!(out, "{} {}", c[band], BAND_WORDS[band]);
        }
    }
    out
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The worst findings under `title`, one line each, within a section's limit: the rest are
/// counted.
fn listed(title: &str, found: &[&Record], settings: &Settings) -> String {
    let mut out = String::from(title);
    let mut listed = 0;
    for r in found.iter().take(TOP) {
        let mut line = String::from("\n• ");
        let sev = if r.severity.is_empty() {
            BAND_WORDS[usize::from(r.band.min(4))].to_ascii_uppercase()
        } else {
            r.severity.clone()
        };
        slack::code_into(&mut line, &sev);
        line.push(' ');
        let title = slack::truncate(&r.title.replace(['|', '\n'], " "), 150);
        slack::link_into(&mut line, &r.link, &title);
        if !r.account.is_empty() {
            line.push_str(" · ");
            match settings.accounts.get(&r.account) {
                Some(name) => {
                    slack::escape_into(&mut line, name);
                    line.push_str(" (");
                    slack::escape_into(&mut line, &r.account);
                    line.push(')');
                }
                None => slack::escape_into(&mut line, &r.account),
            }
        }
        if !r.region.is_empty() {
            line.push_str(" · ");
            slack::escape_into(&mut line, &r.region);
        }
        if r.updates > 0 {
            let _ = write!(line, " · {} since", plural(r.updates, "update"));
        }
        // Room is kept for the closing count.
        if out.len() + line.len() > slack::SECTION_TEXT_MAX - 64 {
            break;
        }
        out.push_str(&line);
        listed += 1;
    }
    if found.len() > listed {
        let _ = write!(out, "\n…and {} more", found.len() - listed);
    }
    out
}

/// What the notifier kept from `services`' channel: each SUPPRESS rule's matches (named by
/// its number, reason and expiry while config.yml still has it) and the duplicates folded.
fn quiet(tally: &Tally, services: &[Service], settings: &Settings) -> Option<String> {
    let names: Vec<&str> = services.iter().map(|s| s.as_str()).collect();
    let mut rules: BTreeMap<&str, u64> = BTreeMap::new();
    for ((svc, fp), n) in &tally.suppressed {
        if names.contains(&svc.as_str()) {
            *rules.entry(fp.as_str()).or_default() += n;
        }
    }
    let dups: u64 = tally
        .deduplicated
        .iter()
        .filter(|(svc, _)| names.contains(&svc.as_str()))
        .map(|(_, n)| n)
        .sum();
    if rules.is_empty() && dups == 0 {
        return None;
    }
    let mut out = String::from("*Kept quiet*");
    let mut lines = Vec::new();
    for (fp, n) in &rules {
        let which = settings
            .suppress
            .iter()
            .position(|r| r.fingerprint() == *fp)
            .map_or_else(
                || "a rule since removed".to_string(),
                |i| {
                    let r = &settings.suppress[i];
                    format!(
                        "rule {} ({}, until {})",
                        i + 1,
                        slack::escape(&r.reason),
                        slack::escape(&r.expires)
                    )
                },
            );
        lines.push((
            *n,
            format!("\n• {} suppressed by {which}", plural(*n, "event")),
        ));
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.0));
    for (_, line) in lines {
        if out.len() + line.len() > slack::SECTION_TEXT_MAX - 200 {
            out.push_str("\n• …and more rules");
            break;
        }
        out.push_str(&line);
    }
    if dups > 0 {
        let _ = write!(
            out,
            "\n• {} not sent again: updates and repeated deliveries of findings already sent",
            plural(dups, "event")
        );
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{RouteOverride, Suppression};

    const NOW: i64 = 1_764_982_800; // 2025-12-06T01:00:00Z
    const DEFAULT: &str = "https://hooks.slack.com/services/T000/B000/default";
    const GUARDDUTY: &str = "https://hooks.slack.com/services/T000/B000/guardduty";
    const SECOPS: &str = "https://hooks.slack.com/services/T000/B000/secops";

    fn hook(u: &str) -> WebhookUrl {
        WebhookUrl::parse(u).expect("url")
    }

    fn settings() -> Settings {
        let mut s = Settings::default();
        s.routes.default = vec![hook(DEFAULT)];
        s.routes
            .per_service
            .insert(Service::GuardDuty, vec![hook(GUARDDUTY)]);
        s.suppress.push(Suppression {
            service: Some(Service::Inspector),
            finding_type: Some("CVE-2023-*".into()),
            reason: "base image rebuilt weekly".into(),
            expires: "2026-12-31".into(),
            ..Suppression::default()
        });
        s
    }

    fn record(service: Service, band: u8, ago: i64, title: &str) -> Record {
        Record {
            service: Some(service),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            title: title.into(),
            severity: String::new(),
            band,
            sent_at: NOW - ago,
            updates: 0,
            link: format!(
                "https://eu-west-1.console.aws.amazon.com/x?id={}",
                title.len()
            ),
            kind: "GuardDuty Finding".into(),
        }
    }

    fn texts(m: &Message) -> String {
        let mut out = vec![m["text"].as_str().unwrap_or_default().to_string()];
        for b in m["attachments"][0]["blocks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(t) = b["text"]["text"].as_str() {
                out.push(t.to_string());
            }
            for f in b["fields"].as_array().into_iter().flatten() {
                out.push(f["text"].as_str().unwrap_or_default().to_string());
            }
            for e in b["elements"].as_array().into_iter().flatten() {
                out.push(e["text"].as_str().unwrap_or_default().to_string());
            }
        }
        out.join("\n")
    }

    #[test]
    fn only_the_schedules_input_asks_for_a_digest() {
        assert!(is_request(REQUEST.as_bytes()));
        assert!(is_request(br#"{ "awsmon" : "digest" }"#));
        assert_eq!(
            request(br#"{"awsmon":"digest","at":"2026-12-06T08:00:00Z"}"#),
            Some(Some("2026-12-06T08:00:00Z".to_string()))
        );
        assert_eq!(slot(Some("2026-12-06T08:00:00Z"), NOW), "2026-12-06T08:00");
        assert_eq!(slot(None, NOW), "2025-12-06T01");
        for other in [
            r#"{"awsmon":"digest","detail":{}}"#,
            r#"{"awsmon":"test"}"#,
            r#"{"source":"aws.guardduty","detail-type":"GuardDuty Finding"}"#,
            "[]",
            "",
        ] {
            assert!(!is_request(other.as_bytes()), "{other}");
        }
    }

    #[test]
    fn each_route_gets_its_findings_counted_and_the_worst_listed() {
        let records = vec![
            record(Service::GuardDuty, 3, 3600, "Crypto mining from i-0abc"),
            record(Service::GuardDuty, 4, 7200, "S3 bucket made public"),
            record(Service::Inspector, 2, 600, "CVE-2024-1 in openssl"),
            // Sent 25 hours ago: yesterday's digest had it.
            record(Service::GuardDuty, 4, 25 * 3600, "Old news"),
        ];
        let mut tally = Tally::default();
        let fp = settings().suppress[0].fingerprint();
        tally.add(&Attrs::from([
            (suppressed_attr("inspector", &fp), "4".into()),
            (deduplicated_attr("guardduty"), "3".into()),
            ("finding_key".into(), "tally#x".into()),
        ]));
        let digests = build(&records, &tally, &settings(), NOW);
        assert_eq!(
            digests
                .iter()
                .map(|d| (d.route.as_str(), d.webhooks[0].masked(), d.findings))
                .collect::<Vec<_>>(),
            vec![
                ("default", hook(DEFAULT).masked(), 1),
                ("guardduty", hook(GUARDDUTY).masked(), 2)
            ]
        );
        let gd = texts(&digests[1].message);
        assert!(
            gd.starts_with(
                "awsmon daily digest: 2 findings sent in the last 24 h (1 critical · 1 high)"
            ),
            "{gd}"
        );
        assert!(gd.contains("*GuardDuty*\n1 critical · 1 high"), "{gd}");
        // Worst first, each a link to the console.
        let s3 = gd.find("|S3 bucket made public>").expect("listed");
        let crypto = gd.find("|Crypto mining from i-0abc>").expect("listed");
        assert!(s3 < crypto, "{gd}");
        assert!(!gd.contains("Old news"), "{gd}");
        assert!(
            gd.contains("• 3 events not sent again: updates and repeated deliveries"),
            "{gd}"
        );
        assert!(!gd.contains("suppressed"), "{gd}");
        let default = texts(&digests[0].message);
        assert!(
            default.contains(
                "• 4 events suppressed by rule 1 (base image rebuilt weekly, until 2026-12-31)"
            ),
            "{default}"
        );
        assert!(
            default.contains("2025-12-05T01:00:00Z → 2025-12-06T01:00:00Z"),
            "{default}"
        );
        assert_eq!(digests[1].message["attachments"][0]["color"], "#8B0000");
    }

    /// CloudTrail stopped (no service of awsmon's) goes to the default route's digest.
    #[test]
    fn cloudtrail_stopped_is_listed_on_the_default_route() {
        let item = Attrs::from([
            ("svc_name".to_string(), "default".to_string()),
            (
                "finding_kind".to_string(),
                crate::event::CLOUDTRAIL_DETAIL_TYPE.to_string(),
            ),
            (
                "finding_title".to_string(),
                "CloudTrail logging stopped in us-east-1".to_string(),
            ),
            (
                "finding_link".to_string(),
                "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home".to_string(),
            ),
            ("aws_account".to_string(), "123456789012".to_string()),
            ("sent_band".to_string(), "4".to_string()),
            ("sent_at".to_string(), (NOW - 60).to_string()),
        ]);
        let digest_own = Attrs::from([
            ("svc_name".to_string(), "default".to_string()),
            ("finding_kind".to_string(), KIND.to_string()),
            ("sent_band".to_string(), "0".to_string()),
            ("sent_at".to_string(), (NOW - 60).to_string()),
        ]);
        let records: Vec<Record> = [item, digest_own]
            .iter()
            .filter_map(Record::from_attrs)
            .collect();
        assert_eq!(records.len(), 1, "the digest's own items are not listed");
        let digests = build(&records, &Tally::default(), &settings(), NOW);
        assert!(
            texts(&digests[0].message)
                .contains("|CloudTrail logging stopped in us-east-1> · 123456789012\n"),
            "{}",
            texts(&digests[0].message)
        );
        assert!(!texts(&digests[1].message).contains("CloudTrail"));
    }

    #[test]
    fn a_digest_read_in_part_says_its_counts_are_low() {
        let tally = Tally {
            incomplete: true,
            ..Tally::default()
        };
        let digests = build(&[], &tally, &settings(), NOW);
        assert!(texts(&digests[0].message).contains(
            "⚠ The notifier's state table could be read only in part: these counts are low."
        ));
        let whole = build(&[], &Tally::default(), &settings(), NOW);
        assert!(!texts(&whole[0].message).contains("read only in part"));
    }

    #[test]
    fn a_quiet_day_still_gets_a_digest_and_a_removed_rule_is_named_as_such() {
        let mut tally = Tally::default();
        tally.add(&Attrs::from([(
            suppressed_attr("config", "0123456789ab"),
            "2".into(),
        )]));
        let digests = build(&[], &tally, &settings(), NOW);
        assert_eq!(digests.len(), 2);
        let default = texts(&digests[0].message);
        assert!(
            default.contains("No findings were sent to this channel in the last 24 hours."),
            "{default}"
        );
        assert!(
            default.contains("• 2 events suppressed by a rule since removed"),
            "{default}"
        );
        assert_eq!(digests[0].message["attachments"][0]["color"], "#2EB67D");
        // Config's tally is the default route's, not GuardDuty's.
        assert!(!texts(&digests[1].message).contains("suppressed"));
    }

    #[test]
    fn a_service_turned_off_is_listed_first_and_not_counted_as_a_finding() {
        let off = Record {
            kind: crate::event::CLOUDTRAIL_DETAIL_TYPE.into(),
            ..record(
                Service::GuardDuty,
                4,
                300,
                "GuardDuty turned off in eu-west-1",
            )
        };
        let records = vec![off, record(Service::GuardDuty, 2, 60, "Port probe")];
        let digests = build(&records, &Tally::default(), &settings(), NOW);
        let gd = texts(&digests[1].message);
        assert!(
            gd.starts_with(
                "awsmon daily digest: 1 monitoring change turned off or attempted; 1 finding sent in the last 24 h (1 medium)"
            ),
            "{gd}"
        );
        let off_at = gd
            .find("*Monitoring turned off since yesterday*\n• `CRITICAL` <")
            .expect("the section");
        assert!(off_at < gd.find("*Top findings*").expect("top"), "{gd}");
        assert!(gd.contains("*GuardDuty*\n1 medium"), "{gd}");
        assert_eq!(digests[1].message["attachments"][0]["color"], "#8B0000");
    }

    #[test]
    fn an_accounts_override_takes_its_findings_to_its_own_digest() {
        let mut s = settings();
        s.overrides.insert(
            "111122223333".into(),
            RouteOverride {
                webhooks: vec![hook(SECOPS)],
                ..RouteOverride::default()
            },
        );
        let records = vec![
            record(Service::GuardDuty, 3, 60, "Mine"),
            Record {
                account: "444455556666".into(),
                ..record(Service::GuardDuty, 3, 60, "Theirs")
            },
        ];
        let digests = build(&records, &Tally::default(), &s, NOW);
        let by_route: Vec<(&str, usize)> = digests
            .iter()
            .map(|d| (d.route.as_str(), d.findings))
            .collect();
        assert_eq!(
            by_route,
            vec![
                ("default", 0),
                ("guardduty", 1),
                ("override 111122223333", 1)
            ]
        );
        assert!(texts(&digests[2].message).contains("|Mine>"));
    }

    #[test]
    fn a_flood_stays_within_slacks_limits_and_escaped() {
        let title = format!("<!channel> {} | end", "x".repeat(400));
        let records: Vec<Record> = (0..2000u16)
            .map(|i| {
                let svc = Service::ALL[usize::from(i) % Service::ALL.len()];
                let band = u8::try_from(i % 5).expect("small");
                record(svc, band, 60 + i64::from(i), &title)
            })
            .collect();
        let mut tally = Tally::default();
        let mut s = settings();
        for i in 0..200 {
            let rule = Suppression {
                finding_type: Some(format!("T{i}")),
                reason: "<@U123> asked".repeat(20),
                expires: "2026-12-31".into(),
                ..Suppression::default()
            };
            tally.add(&Attrs::from([(
                suppressed_attr("guardduty", &rule.fingerprint()),
                "1".into(),
            )]));
            s.suppress.push(rule);
        }
        for d in build(&records, &tally, &s, NOW) {
            assert_eq!(
                crate::slack::limit_violations(&d.message),
                Vec::<String>::new()
            );
            let all = texts(&d.message);
            assert!(
                !all.contains("<!channel>") && !all.contains("<@U123>"),
                "{all}"
            );
            if d.route == "guardduty" {
                assert!(all.contains("…and "), "the rest are counted");
                assert!(all.contains("…and more rules"), "{all}");
            }
        }
    }
}
