//! The tool's own end-to-end test event (source `awsmon.test`): `test-message --via pipeline`.

use std::borrow::Cow;

use crate::json::Json;

use super::{Envelope, Kind, TEST_DETAIL_TYPE, TEST_SOURCE};
use crate::decide::{Decision, Mention};
use crate::format::GREEN;
use crate::json::str_at;
use crate::service::Service;
use crate::settings::Settings;
use crate::slack::{Card, Field, escape};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestMessage<'t> {
    /// `default` or a service name.
    pub route: Cow<'t, str>,
    pub note: Option<Cow<'t, str>>,
    pub requested_by: Option<Cow<'t, str>>,
}

impl<'t> Kind<'t> for TestMessage<'t> {
    const EVENTBRIDGE: Option<(&'static str, &'static str)> = Some((TEST_SOURCE, TEST_DETAIL_TYPE));
    const UNREADABLE: &'static str = "malformed test message";

    fn parse(detail: &'t Json<'t>, _envelope: &Envelope<'t>) -> Vec<Self> {
        vec![TestMessage {
            route: str_at(detail, &["route"]).unwrap_or(Cow::Borrowed("default")),
            note: str_at(detail, &["note"]),
            requested_by: str_at(detail, &["requestedBy"]),
        }]
    }

    fn decide(&self, _settings: &Settings) -> Decision {
        Decision::Send {
            mention: Mention::None,
        }
    }

    fn card(&self) -> Card<'_> {
        let mut fields: Vec<Field> = vec![("Route".into(), (*self.route).into())];
        if let Some(by) = &self.requested_by {
            fields.push(("Requested by".into(), (**by).into()));
        }
        Card {
            colour: GREEN,
            summary: format!("awsmon test message for the {} route", self.route),
            header: "awsmon test message".into(),
            body: vec![
                escape(
                    self.note
                        .as_deref()
                        .unwrap_or("If you can read this, awsmon can reach this channel."),
                )
                .into(),
            ],
            fields,
            ..Card::default()
        }
    }

    fn service(&self) -> Option<Service> {
        self.route.parse().ok()
    }
}
