//! AWS Config: the recorder, whether it records, and the delivery channel. Only one recorder
//! and one channel may exist per region.

use super::{ServiceStatus, State};
use crate::aws::{Aws, AwsError};

pub async fn status(aws: &Aws, region: &str) -> Result<ServiceStatus, AwsError> {
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

    let Some(recorder) = recorders.configuration_recorders().first() else {
        return Ok(ServiceStatus::new(State::Disabled, "no recorder"));
    };
    let name = recorder.name().unwrap_or("?");
    let recording = statuses
        .configuration_recorders_status()
        .iter()
        .find(|s| s.name() == Some(name))
        .is_some_and(aws_sdk_config::types::ConfigurationRecorderStatus::recording);
    let has_channel = !channels.delivery_channels().is_empty();
    Ok(match (recording, has_channel) {
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
