//! What the routing parameter needs from the Organization: account names, and the accounts
//! each OU entry of ROUTING_OVERRIDES covers, since the notifier cannot read the OU tree. The
//! push and the console's preview both resolve through here, so the preview routes as the
//! notifier will.

use std::borrow::Cow;

use awsmon_notifier::Settings;

use super::OrgAccount;

/// `settings` with `accounts`' names, and each account below an OU (or the root) with an entry
/// listed under the nearest such entry. An account with an entry of its own is left to it.
pub fn resolve(settings: &Settings, accounts: &[OrgAccount]) -> Settings {
    let mut out = settings.clone();
    out.accounts = accounts
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    for over in out.overrides.values_mut() {
        over.accounts.clear();
    }
    if out.overrides.is_empty() {
        return out;
    }
    for account in accounts {
        if out.overrides.contains_key(&account.id) {
            continue;
        }
        // `parents` runs root first: the nearest OU is the last one with an entry.
        let nearest = account
            .parents
            .iter()
            .rev()
            .find(|p| out.overrides.contains_key(*p))
            .cloned();
        if let Some(over) = nearest.and_then(|ou| out.overrides.get_mut(&ou)) {
            over.accounts.push(account.id.clone());
        }
    }
    // Sorted, so the same tree writes the same parameter whatever order it was listed in.
    for over in out.overrides.values_mut() {
        over.accounts.sort();
    }
    out
}

/// The settings the notifier will hold: resolved over `accounts` in org mode (once the tree
/// is read), else as they are.
pub fn effective<'s>(settings: &'s Settings, accounts: &[OrgAccount]) -> Cow<'s, Settings> {
    if accounts.is_empty() {
        Cow::Borrowed(settings)
    } else {
        Cow::Owned(resolve(settings, accounts))
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
}
