//! The one-line text field: what is typed, and the error to show under it as it is typed.

use super::editors;
use super::ui::{Input, InputFor};
use crate::config::Config;

/// The error to show under a text field as it is typed.
/// Checked against the draft, so rules that span keys (e.g. private webhooks) hold as typed.
pub fn validate(draft: &Config, input: &Input) -> Option<String> {
    let v = input.value.trim();
    match &input.purpose {
        InputFor::AddUrl(_) | InputFor::EditUrl(..) => editors::check_url(draft, v).err(),
        InputFor::Field(f) => editors::check_field_in(draft, *f, v).err(),
        InputFor::Budget(f) => editors::check_budget_in(draft, *f, v).err(),
        InputFor::Command | InputFor::FindingsFilter => None,
    }
}
