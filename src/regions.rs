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

pub fn needs_opt_in(region: &str) -> bool {
    KNOWN_REGIONS
        .iter()
        .any(|(name, opt_in)| *name == region && *opt_in)
}

/// The known region closest to a misspelt one, for "did you mean".
pub fn nearest(region: &str) -> Option<&'static str> {
    crate::text::nearest(region, KNOWN_REGIONS.iter().map(|(name, _)| *name))
}
