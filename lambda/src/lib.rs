//! awsmon-notifier: AWS security events → filtered, routed Slack messages.
//!
//! The pipeline is parse → decide → route → format → deliver. The TUI's preview calls the same
//! functions, so what it shows is what the Lambda sends.

pub mod secret;
pub mod service;
pub mod settings;

pub use secret::WebhookUrl;
pub use service::Service;
pub use settings::Settings;
