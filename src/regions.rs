//! The commercial AWS regions known to this build, used to validate config.yml offline and as
//! the fallback when account:ListRegions is unavailable (no permission, or the emulator).

/// `(name, needs opt-in)`. Regions launched before March 2019 are enabled by default.
pub const KNOWN_REGIONS: &[(&str, bool)] = &[
    ("us-east-1", false),
    ("us-east-2", false),
    ("us-west-1", false),
    ("us-west-2", false),
    ("af-south-1", true),
    ("ap-east-1", true),
    ("ap-east-2", true),
    ("ap-south-1", false),
    ("ap-south-2", true),
    ("ap-southeast-1", false),
    ("ap-southeast-2", false),
    ("ap-southeast-3", true),
    ("ap-southeast-4", true),
    ("ap-southeast-5", true),
    ("ap-southeast-6", true),
    ("ap-southeast-7", true),
    ("ap-northeast-1", false),
    ("ap-northeast-2", false),
    ("ap-northeast-3", false),
    ("ca-central-1", false),
    ("ca-west-1", true),
    ("eu-central-1", false),
    ("eu-central-2", true),
    ("eu-west-1", false),
    ("eu-west-2", false),
    ("eu-west-3", false),
    ("eu-south-1", true),
    ("eu-south-2", true),
    ("eu-north-1", false),
    ("il-central-1", true),
    ("me-south-1", true),
    ("me-central-1", true),
    ("mx-central-1", true),
    ("sa-east-1", false),
];

/// Trusted Advisor's events and API live only here (its placement in the service table).
pub const TRUSTED_ADVISOR_REGION: &str = match awsmon_notifier::Service::TrustedAdvisor.placement()
{
    awsmon_notifier::service::Placement::Fixed(region) => region,
    _ => panic!("Trusted Advisor is placed in one fixed region"),
};

pub fn is_known(region: &str) -> bool {
    KNOWN_REGIONS.iter().any(|(name, _)| *name == region)
}

/// The partitions and the region-name prefixes each one's region pattern allows (AWS's
/// endpoint metadata: `^(us|eu|ap|…)-\w+-\d+$` for `aws`, `^us-gov-\w+-\d+$`, …).
const PARTITIONS: &[(&str, &[&str])] = &[
    (
        "aws",
        &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
    ),
    ("aws-us-gov", &["us-gov"]),
    ("aws-cn", &["cn"]),
    ("aws-iso", &["us-iso"]),
    ("aws-iso-b", &["us-isob"]),
    ("aws-iso-e", &["eu-isoe"]),
    ("aws-iso-f", &["us-isof"]),
    ("aws-eusc", &["eusc-de"]),
];

/// The partition whose region naming `name` follows (`eu-west-1` → `aws`, `us-gov-west-1` →
/// `aws-us-gov`, `cn-north-1` → `aws-cn`), or `None` when it follows none.
pub fn partition(name: &str) -> Option<&'static str> {
    PARTITIONS.iter().find_map(|(partition, prefixes)| {
        prefixes
            .iter()
            .any(|prefix| {
                name.strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('-'))
                    .and_then(|r| r.split_once('-'))
                    .is_some_and(|(word, number)| {
                        !word.is_empty()
                            && word.bytes().all(|b| b.is_ascii_lowercase())
                            && !number.is_empty()
                            && number.bytes().all(|b| b.is_ascii_digit())
                    })
            })
            .then_some(*partition)
    })
}

/// A region name from the user: one this build knows, or one named as a partition names its
/// regions (newer than this build, or in GovCloud or China), which is accepted and warned
/// about where it is read.
/// Anything else is refused, with the nearest known name.
pub fn check(name: &str) -> Result<String, String> {
    if is_known(name) || (partition(name).is_some() && misspelt(name).is_none()) {
        return Ok(name.to_string());
    }
    let hint = nearest(name)
        .map(|r| format!("; did you mean {r}?"))
        .unwrap_or_default();
    Err(format!("unknown region {name:?}{hint}"))
}

/// A known region `name` is a misspelling of: the same prefix and number, the word between
/// them a couple of letters off (`eu-wset-1`). A new number (`ap-southeast-9`) or a word no
/// known region is near (`us-gov-west-1`) is not one.
fn misspelt(name: &str) -> Option<&'static str> {
    let parts = |n: &str| {
        let (head, number) = n.rsplit_once('-')?;
        let (prefix, word) = head.rsplit_once('-')?;
        Some((prefix.to_string(), word.to_string(), number.to_string()))
    };
    let (prefix, word, number) = parts(name)?;
    KNOWN_REGIONS.iter().map(|(k, _)| *k).find(|known| {
        parts(known).is_some_and(|(p, w, n)| {
            p == prefix && n == number && w != word && crate::text::edit_distance(&w, &word) <= 2
        })
    })
}

/// Said about an accepted region this build does not list.
pub const UNLISTED: &str = "not a region this build knows (newer, or in another partition such as GovCloud or China); accepted as written, so check the spelling";

pub fn needs_opt_in(region: &str) -> bool {
    KNOWN_REGIONS
        .iter()
        .any(|(name, opt_in)| *name == region && *opt_in)
}

/// The known region closest to a misspelt one, for "did you mean".
pub fn nearest(region: &str) -> Option<&'static str> {
    crate::text::nearest(region, KNOWN_REGIONS.iter().map(|(name, _)| *name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_follow_their_partitions_naming() {
        for (name, want) in [
            ("eu-west-1", Some("aws")),
            ("ap-southeast-9", Some("aws")),
            ("us-gov-west-1", Some("aws-us-gov")),
            ("cn-northwest-1", Some("aws-cn")),
            ("us-isob-east-1", Some("aws-iso-b")),
            ("eusc-de-east-1", Some("aws-eusc")),
            ("mars-north-1", None),
            ("eu-west", None),
            ("eu-west-1a", None),
            ("EU-west-1", None),
            ("eu--1", None),
            ("", None),
        ] {
            assert_eq!(partition(name), want, "{name}");
        }
        assert!(check("ap-southeast-9").is_ok());
        assert!(check("us-gov-west-1").is_ok());
        assert!(check("eu-central-3").is_ok());
        // A known name a letter or two off is a misspelling, not a new region.
        assert_eq!(
            check("eu-wset-1"),
            Err("unknown region \"eu-wset-1\"; did you mean eu-west-1?".to_string())
        );
        assert!(check("ap-southeest-2").is_err());
        assert_eq!(
            check("eu-wset-1a"),
            Err("unknown region \"eu-wset-1a\"; did you mean eu-west-1?".to_string())
        );
    }
}
