//! What the routing parameter needs from the Organization: account names, and which
//! ROUTING_OVERRIDES entries apply to each account, since the notifier cannot read the OU tree.
//! The push and the console's preview both resolve through here, so the preview routes as the
//! notifier will.
//!
//! Each field inherits on its own: an account's webhooks come from the nearest entry that sets
//! webhooks (its own, then its OUs from the nearest up, then the root), its floor from the
//! nearest that sets a floor. An entry is written with the accounts it decides both fields
//! for; an account whose two fields come from different entries gets a combined entry
//! `<webhooks' entry>+<floor's entry>`. The root's entry lists no accounts: the notifier
//! falls back to it for any account not listed, so accounts that join after a push are
//! covered by it at least.

use std::borrow::Cow;

use awsmon_notifier::Settings;
use awsmon_notifier::settings::RouteOverride;

use super::{AccountStatus, OrgAccount};

/// Where `account`'s webhooks and floor come from: the keys of the nearest entries that set
/// each (own, OUs nearest first, root).
pub fn sources<'s>(
    settings: &'s Settings,
    account: &OrgAccount,
) -> (Option<&'s str>, Option<&'s str>) {
    let chain = std::iter::once(&account.id)
        .chain(account.parents.iter().rev())
        .filter_map(|k| settings.overrides.get_key_value(k));
    let mut webhooks = None;
    let mut floor = None;
    for (key, over) in chain {
        if webhooks.is_none() && !over.webhooks.is_empty() {
            webhooks = Some(key.as_str());
        }
        if floor.is_none() && over.min_severity.is_some() {
            floor = Some(key.as_str());
        }
    }
    (webhooks, floor)
}

/// `settings` with `accounts`' names and each entry's accounts (see the module's notes).
/// Closed and suspended accounts are left out: they send no findings.
pub fn resolve(settings: &Settings, accounts: &[OrgAccount]) -> Settings {
    let mut out = settings.clone();
    out.accounts = accounts
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    // Entries written by an earlier resolve (combined ones) go; each list starts over.
    out.overrides.retain(|k, _| !k.contains('+'));
    for over in out.overrides.values_mut() {
        over.accounts.clear();
    }
    if out.overrides.is_empty() {
        return out;
    }
    let mut listed: Vec<(String, String)> = Vec::new();
    let mut combined: Vec<(String, RouteOverride)> = Vec::new();
    for account in accounts
        .iter()
        .filter(|a| a.status == AccountStatus::Active)
    {
        let (webhooks, floor) = sources(&out, account);
        let key = match (webhooks, floor) {
            (None, None) => continue,
            (Some(a), Some(b)) if a != b => {
                let key = format!("{a}+{b}");
                if !combined.iter().any(|(k, _)| *k == key) {
                    let over = RouteOverride {
                        webhooks: out.overrides[a].webhooks.clone(),
                        min_severity: out.overrides[b].min_severity,
                        ..RouteOverride::default()
                    };
                    combined.push((key.clone(), over));
                }
                key
            }
            (Some(a), _) | (None, Some(a)) => a.to_string(),
        };
        // The notifier finds an account's own entry, and the root's, without a list.
        if key != account.id && !key.starts_with("r-") {
            listed.push((key, account.id.clone()));
        }
    }
    out.overrides.extend(combined);
    for (key, account) in listed {
        if let Some(over) = out.overrides.get_mut(&key) {
            over.accounts.push(account);
        }
    }
    // Sorted, so the same tree writes the same parameter whatever order it was listed in.
    for over in out.overrides.values_mut() {
        over.accounts.sort();
    }
    out
}

/// The active accounts an entry decides something for (its webhooks or its floor).
pub fn covered(settings: &Settings, accounts: &[OrgAccount], target: &str) -> usize {
    accounts
        .iter()
        .filter(|a| a.status == AccountStatus::Active)
        .filter(|a| {
            let (w, f) = sources(settings, a);
            w == Some(target) || f == Some(target)
        })
        .count()
}

/// The settings the notifier will hold, as far as the console knows: outside org mode
/// (`accounts` is `None`) without OU and root entries; in org mode resolved over the tree once
/// it is read, else as they are.
pub fn effective<'s>(settings: &'s Settings, accounts: Option<&[OrgAccount]>) -> Cow<'s, Settings> {
    match accounts {
        None if needs_tree(settings) => Cow::Owned(without_org(settings)),
        None | Some([]) => Cow::Borrowed(settings),
        Some(accounts) => Cow::Owned(resolve(settings, accounts)),
    }
}

/// Entries that name no account, OU or root of the Organization: a typo, or an account that
/// left. Their routing reaches nobody.
pub fn unmatched(settings: &Settings, accounts: &[OrgAccount]) -> Vec<String> {
    settings
        .overrides
        .keys()
        .filter(|t| {
            !accounts
                .iter()
                .any(|a| a.id == **t || a.parents.contains(t))
        })
        .cloned()
        .collect()
}

/// What a target is called in the Organization: an account's name, or an OU's path
/// (`Root/Workloads/Prod`). `None` when no account is, or is below, it.
pub fn target_name(target: &str, accounts: &[OrgAccount]) -> Option<String> {
    accounts.iter().find_map(|a| {
        if a.id == target {
            return Some(a.name.clone());
        }
        let depth = a.parents.iter().position(|p| p == target)?;
        let path: Vec<&str> = a.ou_path.split('/').take(depth + 1).collect();
        (path.len() == depth + 1).then(|| path.join("/"))
    })
}

/// The routing outside org mode: OU and root entries mean nothing there (config.yml warns), so
/// they are left out and the notifier's root fallback cannot apply one to every account.
pub fn without_org(settings: &Settings) -> Settings {
    let mut out = settings.clone();
    out.overrides
        .retain(|target, _| target.bytes().all(|b| b.is_ascii_digit()));
    out
}

/// The routing as far as it applies without reading the Organization's tree (the CLI's
/// `preview` and `findings`): outside org mode as a push writes it ([`without_org`]); in org
/// mode as config.yml says, where OU entries list no accounts yet and so decide nothing. The
/// note says so, naming `command`, when the config has such entries.
pub fn offline(cfg: &crate::config::Config, command: &str) -> (Settings, Option<String>) {
    if !cfg.org.enabled {
        return (without_org(&cfg.settings), None);
    }
    let note = needs_tree(&cfg.settings).then(|| {
        format!(
            "ROUTING_OVERRIDES' OU entries need the Organization's tree, which {command} does not read: only account and root entries apply here (the console applies them all)"
        )
    });
    (cfg.settings.clone(), note)
}

/// Whether the routing depends on the OU tree (an entry for an OU or the root).
pub fn needs_tree(settings: &Settings) -> bool {
    settings
        .overrides
        .keys()
        .any(|t| !t.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::AccountStatus;
    use awsmon_notifier::settings::{MinSeverity, RouteOverride};

    fn account(id: &str, parents: &[&str]) -> OrgAccount {
        OrgAccount {
            id: id.into(),
            name: format!("name-{id}"),
            status: AccountStatus::Active,
            ou_path: String::new(),
            parents: parents.iter().map(|p| (*p).to_string()).collect(),
        }
    }

    fn floor() -> RouteOverride {
        RouteOverride {
            min_severity: Some(MinSeverity::High),
            ..RouteOverride::default()
        }
    }

    /// What `preview` and `findings` decide with: outside org mode the root's entry is left
    /// out (as a push leaves it out; the notifier would otherwise apply it to every account),
    /// and in org mode they say OU entries need the tree.
    #[test]
    fn offline_routing_leaves_out_what_a_push_would_and_says_what_needs_the_tree() {
        let mut cfg = crate::config::Config::default();
        let floor = RouteOverride {
            min_severity: Some(MinSeverity::High),
            ..RouteOverride::default()
        };
        cfg.settings
            .overrides
            .insert("r-ab12".into(), floor.clone());
        cfg.settings.overrides.insert("111122223333".into(), floor);
        let (settings, note) = offline(&cfg, "findings");
        assert_eq!(
            settings.overrides.keys().collect::<Vec<_>>(),
            ["111122223333"]
        );
        assert_eq!(note, None);
        cfg.org.enabled = true;
        let (settings, note) = offline(&cfg, "findings");
        assert_eq!(settings.overrides.len(), 2);
        assert!(
            note.is_some_and(|n| n.contains("which findings does not read")),
            "the note names the command"
        );
    }

    #[test]
    fn each_account_goes_to_its_nearest_entry_and_its_own_wins() {
        let accounts = [
            account(
                "111111111111",
                &["r-ab12", "ou-ab12-workload", "ou-ab12-prod0001"],
            ),
            account("222222222222", &["r-ab12", "ou-ab12-workload"]),
            account(
                "333333333333",
                &["r-ab12", "ou-ab12-workload", "ou-ab12-prod0001"],
            ),
            account("444444444444", &["r-ab12", "ou-ab12-sandbox1"]),
        ];
        let mut s = Settings::default();
        for target in [
            "ou-ab12-workload",
            "ou-ab12-prod0001",
            "333333333333",
            "ou-ab12-gone0000",
        ] {
            s.overrides.insert(target.into(), floor());
        }
        let r = resolve(&s, &accounts);
        assert_eq!(r.overrides["ou-ab12-prod0001"].accounts, ["111111111111"]);
        assert_eq!(r.overrides["ou-ab12-workload"].accounts, ["222222222222"]);
        assert!(r.overrides["333333333333"].accounts.is_empty());
        assert_eq!(
            r.override_for("333333333333").map(|a| a.target),
            Some("333333333333")
        );
        assert!(r.override_for("444444444444").is_none());
        assert_eq!(r.accounts["444444444444"], "name-444444444444");
        assert_eq!(unmatched(&s, &accounts), ["ou-ab12-gone0000"]);
        let mut named = accounts[0].clone();
        named.ou_path = "Root/Workloads/Prod".into();
        let named = [named];
        assert_eq!(
            target_name("ou-ab12-workload", &named).as_deref(),
            Some("Root/Workloads")
        );
        assert_eq!(
            target_name("111111111111", &named).as_deref(),
            Some("name-111111111111")
        );
        assert_eq!(target_name("ou-ab12-gone0000", &named), None);
        assert!(needs_tree(&s));
        // Resolving again starts over rather than adding to what a config carried.
        assert_eq!(resolve(&r, &accounts), r);
    }

    /// Each field comes from the nearest entry that sets it: an account's own floor keeps its
    /// OU's webhook (a combined entry), the root lists nobody (the notifier's fallback), and
    /// suspended accounts are left out.
    #[test]
    fn fields_inherit_separately_and_the_root_lists_nobody() {
        let hook = |s: &str| {
            vec![
                awsmon_notifier::WebhookUrl::parse(&format!(
                    "https://hooks.slack.com/services/T0/B0/{s}"
                ))
                .expect("url"),
            ]
        };
        let mut suspended = account("555555555555", &["r-ab12", "ou-ab12-prod0001"]);
        suspended.status = AccountStatus::Suspended;
        let accounts = [
            account("111111111111", &["r-ab12", "ou-ab12-prod0001"]),
            account("222222222222", &["r-ab12", "ou-ab12-prod0001"]),
            account("333333333333", &["r-ab12", "ou-ab12-sandbox1"]),
            suspended,
        ];
        let mut s = Settings::default();
        s.overrides.insert(
            "ou-ab12-prod0001".into(),
            RouteOverride {
                webhooks: hook("PROD"),
                ..RouteOverride::default()
            },
        );
        s.overrides.insert("111111111111".into(), floor());
        s.overrides.insert(
            "r-ab12".into(),
            RouteOverride {
                webhooks: hook("ROOT"),
                min_severity: Some(MinSeverity::Medium),
                ..RouteOverride::default()
            },
        );
        let r = resolve(&s, &accounts);
        let combined = &r.overrides["ou-ab12-prod0001+111111111111"];
        assert_eq!(combined.webhooks, hook("PROD"));
        assert_eq!(combined.min_severity, Some(MinSeverity::High));
        assert_eq!(combined.accounts, ["111111111111"]);
        let prod_root = &r.overrides["ou-ab12-prod0001+r-ab12"];
        assert_eq!(prod_root.min_severity, Some(MinSeverity::Medium));
        assert_eq!(prod_root.accounts, ["222222222222"]);
        assert!(r.overrides["r-ab12"].accounts.is_empty());
        assert!(r.overrides["ou-ab12-prod0001"].accounts.is_empty());
        let of = |id: &str| r.override_for(id).map(|a| a.target.to_string());
        assert_eq!(
            of("111111111111").as_deref(),
            Some("ou-ab12-prod0001+111111111111")
        );
        assert_eq!(of("333333333333").as_deref(), Some("r-ab12"));
        assert_eq!(of("555555555555").as_deref(), Some("r-ab12"));
        assert_eq!(covered(&s, &accounts, "ou-ab12-prod0001"), 2);
        assert_eq!(covered(&s, &accounts, "r-ab12"), 2);
        assert_eq!(resolve(&r, &accounts), r);
    }
}
