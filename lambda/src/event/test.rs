//! The tool's own end-to-end test event (source `awsmon.test`): `test-message --via pipeline`.

use crate::json::Json;

use super::{Envelope, Kind, TEST_DETAIL_TYPE, TEST_SOURCE};
use crate::decide::{Decision, Mention};
use crate::format::GREEN;
use crate::json::str_at;
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Field, escape};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestMessage {
    /// `default` or a service name.
    pub route: String,
    pub note: Option<String>,
    pub requested_by: Option<String>,
}

impl Kind for TestMessage {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> = Some((TEST_SOURCE, TEST_DETAIL_TYPE));
    const UNREADABLE: &'static str = "malformed test message";

    fn parse(detail: &Json, _envelope: &Envelope) -> Vec<Self> {
        vec![TestMessage {
            route: str_at(detail, &["route"]).unwrap_or_else(|| "default".to_string()),
            note: str_at(detail, &["note"]),
            requested_by: str_at(detail, &["requestedBy"]),
        }]
    }

    fn decide(&self, _settings: &Settings) -> Decision {
        Decision::Send {
            mention: Mention::None,
        }
    }

    fn card(&self) -> Card {
        let mut fields: Vec<Field> = vec![("Route".into(), self.route.clone())];
        if let Some(by) = &self.requested_by {
            fields.push(("Requested by".into(), by.clone()));
        }
        Card {
            colour: GREEN,
            summary: format!("awsmon test message for the {} route", self.route),
            header: "awsmon test message".into(),
            body: vec![escape(
                self.note
                    .as_deref()
                    .unwrap_or("If you can read this, awsmon can reach this channel."),
            )],
            fields,
            ..Card::default()
        }
    }

    fn service(&self) -> Option<Service> {
        self.route.parse().ok()
    }
}
