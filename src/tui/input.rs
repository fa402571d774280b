//! The one-line text field: what is typed, and the error to show under it as it is typed.

use awsmon_notifier::WebhookUrl;

use super::editors;
use super::ui::{Input, InputFor};

/// The error to show under a text field as it is typed.
pub fn validate(input: &Input) -> Option<String> {
    let v = input.value.trim();
    match &input.purpose {
        InputFor::AddUrl(_) | InputFor::EditUrl(..) => {
            if v.is_empty() {
                return Some("type or paste a webhook URL".into());
            }
            WebhookUrl::parse(v).err().map(|e| e.to_string())
        }
        InputFor::Field(f) => editors::check_field(*f, v).err(),
        InputFor::Budget(f) => editors::check_budget(*f, v).err(),
        InputFor::Command | InputFor::FindingsFilter => None,
    }
}
