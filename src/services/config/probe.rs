//! AWS Config: the recorder, whether it records, and the delivery channel. Only one recorder
//! and one channel may exist per region.

use crate::aws::{Aws, AwsError};
use crate::inventory::{ServiceStatus, State};

/// AWS Config in one region as awsmon's plan needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFacts {
    pub recorder: Option<String>,
    pub recording: bool,
    pub channel: Option<String>,
}

pub async fn facts(aws: &Aws, region: &str) -> Result<ConfigFacts, AwsError> {
    let client = aws.configservice(region);
    let (recorders, statuses, channels) = tokio::join!(
        client.describe_configuration_recorders().send(),
        client.describe_configuration_recorder_status().send(),
        client.describe_delivery_channels().send(),
    );
    let recorders =
        recorders.map_err(|e| AwsError::classify("config:DescribeConfigurationRecorders", &e))?;
    let statuses = statuses
        .map_err(|e| AwsError::classify("config:DescribeConfigurationRecorderStatus", &e))?;
    let channels =
        channels.map_err(|e| AwsError::classify("config:DescribeDeliveryChannels", &e))?;
    let recorder = recorders
        .configuration_recorders()
        .first()
        .and_then(|r| r.name())
        .map(str::to_string);
    let recording = statuses
        .configuration_recorders_status()
        .iter()
        .any(|s| s.name() == recorder.as_deref() && s.recording());
    Ok(ConfigFacts {
        recorder,
        recording,
        channel: channels
            .delivery_channels()
            .first()
            .and_then(|c| c.name())
            .map(str::to_string),
    })
}

pub async fn status(aws: &Aws, region: &str) -> Result<ServiceStatus, AwsError> {
    let f = facts(aws, region).await?;
    let Some(name) = f.recorder else {
        return Ok(ServiceStatus::new(State::Disabled, "no recorder"));
    };
    Ok(match (f.recording, f.channel.is_some()) {
        (true, true) => ServiceStatus::new(State::Enabled, format!("recorder {name}, recording")),
        (true, false) => ServiceStatus::new(
            State::Partial,
            format!("recorder {name} recording, no delivery channel"),
        ),
        (false, _) => {
            ServiceStatus::new(State::Disabled, format!("recorder {name}, not recording"))
        }
    })
}
