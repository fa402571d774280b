//! The home region (where the notifier, its hub and the budget live), found the way the AWS
//! CLI finds a region: `--region`, then config.yml's `HOME_REGION`, then `AWS_REGION`,
//! `AWS_DEFAULT_REGION`, then the profile's `region` in the AWS config file; us-east-1 only
//! when none of them says, and then with a note, never silently.

use std::path::{Path, PathBuf};

use awsmon_notifier::settings::DEFAULT_HOME_REGION;

/// Where the home region came from, for the note and `config show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    ConfigFile,
    Env(&'static str),
    /// The profile's `region` (the profile's name).
    Profile(String),
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeRegion {
    pub region: String,
    pub source: Source,
}

impl HomeRegion {
    /// Said when nothing named a region: what was used and how to choose another.
    pub fn note(&self) -> Option<String> {
        (self.source == Source::Default).then(|| {
            format!(
                "no home region set (--region, HOME_REGION in config.yml, AWS_REGION, AWS_DEFAULT_REGION or the profile's region); using {DEFAULT_HOME_REGION}"
            )
        })
    }
}

/// What the resolution reads, so tests can give it a temporary HOME and environment.
pub struct Inputs<'a> {
    pub flag: Option<&'a str>,
    /// `HOME_REGION` when config.yml sets it.
    pub config_file: Option<&'a str>,
    /// `--profile`.
    pub profile: Option<&'a str>,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

pub fn resolve(inputs: &Inputs) -> HomeRegion {
    let found = |region: &str, source: Source| HomeRegion {
        region: region.trim().to_string(),
        source,
    };
    let env = |key: &str| (inputs.env)(key).filter(|v| !v.trim().is_empty());
    if let Some(r) = inputs.flag {
        return found(r, Source::Flag);
    }
    if let Some(r) = inputs.config_file {
        return found(r, Source::ConfigFile);
    }
    for key in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(r) = env(key) {
            return found(&r, Source::Env(key));
        }
    }
    let profile = inputs
        .profile
        .map(str::to_string)
        .or_else(|| env("AWS_PROFILE"))
        .unwrap_or_else(|| "default".to_string());
    let file = env("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".aws").join("config")));
    if let Some(r) = file.and_then(|f| profile_region(&f, &profile)) {
        return found(&r, Source::Profile(profile));
    }
    found(DEFAULT_HOME_REGION, Source::Default)
}

/// `region` in the profile's section of an AWS config file: `[default]` or `[profile NAME]`
/// (`[NAME]` is also read for the default profile's sake, as the CLI does for `default`).
fn profile_region(file: &Path, profile: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let wanted = |section: &str| {
        let section = section.trim();
        section == format!("profile {profile}") || (profile == "default" && section == "default")
    };
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = wanted(section);
            continue;
        }
        if inside
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "region"
            && !value.trim().is_empty()
        {
            return Some(value.trim().to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve_with(
        flag: Option<&str>,
        config_file: Option<&str>,
        profile: Option<&str>,
        vars: &[(&str, &str)],
    ) -> HomeRegion {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        let env = move |k: &str| vars.get(k).cloned();
        resolve(&Inputs {
            flag,
            config_file,
            profile,
            env: &env,
        })
    }

    /// The order, one source taken away at a time, against a temporary HOME's AWS config.
    #[test]
    fn each_source_in_the_cli_order() {
        let home = std::env::temp_dir().join(format!("awsmon-home-region-{}", std::process::id()));
        std::fs::create_dir_all(home.join(".aws")).expect("dir");
        std::fs::write(
            home.join(".aws/config"),
            "[default]\nregion = eu-central-1\n\n# a comment\n[profile ops]\noutput=json\nregion=ap-southeast-2\n[profile empty]\nregion =\n",
        )
        .expect("write");
        let home_s = home.to_string_lossy().into_owned();
        let all = [
            ("HOME", home_s.as_str()),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "eu-west-2"),
        ];
        let got = |flag, file, profile, vars: &[(&str, &str)]| {
            let h = resolve_with(flag, file, profile, vars);
            (h.region, h.source)
        };
        assert_eq!(
            got(Some("us-west-2"), Some("sa-east-1"), None, &all),
            ("us-west-2".into(), Source::Flag)
        );
        assert_eq!(
            got(None, Some("sa-east-1"), None, &all),
            ("sa-east-1".into(), Source::ConfigFile)
        );
        assert_eq!(
            got(None, None, None, &all),
            ("eu-west-1".into(), Source::Env("AWS_REGION"))
        );
        assert_eq!(
            got(
                None,
                None,
                None,
                &all[..1]
                    .iter()
                    .chain(&all[2..])
                    .copied()
                    .collect::<Vec<_>>()
            ),
            ("eu-west-2".into(), Source::Env("AWS_DEFAULT_REGION"))
        );
        assert_eq!(
            got(None, None, None, &all[..1]),
            ("eu-central-1".into(), Source::Profile("default".into()))
        );
        assert_eq!(
            got(None, None, Some("ops"), &all[..1]),
            ("ap-southeast-2".into(), Source::Profile("ops".into()))
        );
        assert_eq!(
            got(
                None,
                None,
                None,
                &[("HOME", home_s.as_str()), ("AWS_PROFILE", "ops")]
            ),
            ("ap-southeast-2".into(), Source::Profile("ops".into()))
        );
        // A profile without a region, or no config file at all: the default, with a note.
        let fallback = resolve_with(None, None, Some("empty"), &all[..1]);
        assert_eq!(fallback.region, "us-east-1");
        assert!(fallback.note().is_some_and(|n| n.contains("AWS_REGION")));
        assert_eq!(resolve_with(None, None, None, &[]).source, Source::Default);
        assert!(
            resolve_with(None, None, None, &all).note().is_none(),
            "no note when something named the region"
        );
        let _ = std::fs::remove_dir_all(&home);
    }
}
