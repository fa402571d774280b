//! The CloudFormation templates, embedded in the binary. Each passes cfn-lint in CI
//! (`scripts/test`).

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
    TRUSTED_ADVISOR => "trustedadvisor.yaml",
    BUDGET => "budget.yaml",
}
