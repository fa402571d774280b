//! Seeds the emulator with a believable account, for the demo and the scan tests (which assert
//! every cell this layout produces).

use aws_sdk_budgets::types::{Budget, BudgetType, Spend, TimeUnit};
use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
use aws_sdk_inspector2::types::ResourceScanType;
use aws_smithy_types::error::display::DisplayErrorContext;

use awsmon::aws::Aws;

/// moto's fixed account id.
pub const ACCOUNT: &str = "123456789012";

/// A seeding step failed; the emulator is missing something the demo relies on.
#[derive(Debug)]
pub struct SeedError(pub String);

impl std::fmt::Display for SeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "seeding the emulator failed: {}", self.0)
    }
}

impl std::error::Error for SeedError {}

fn err<E: std::error::Error>(step: &'static str) -> impl Fn(E) -> SeedError {
    move |e| SeedError(format!("{step}: {}", DisplayErrorContext(&e)))
}

/// A minimal template the emulator can create, standing in for awsmon's stacks until the
/// real templates are deployed.
pub const STAND_IN_TEMPLATE: &str = r#"{"Resources":{"Marker":{"Type":"AWS::SQS::Queue"}}}"#;

pub async fn stand_in_stack(aws: &Aws, region: &str, name: &str) -> Result<(), SeedError> {
    aws.cloudformation(region)
        .create_stack()
        .stack_name(name)
        .template_body(STAND_IN_TEMPLATE)
        .send()
        .await
        .map_err(err("create stack"))?;
    Ok(())
}

/// [`services`], a 100 USD budget, and stand-ins for awsmon's stacks: the hub, a GuardDuty
/// spoke in eu-central-1 and the budget stack.
pub async fn demo_account(aws: &Aws) -> Result<(), SeedError> {
    services(aws).await?;
    // The budget awsmon would create.
    budget(aws, "awsmon-monthly", "100").await?;
    stand_in_stack(aws, "us-east-1", "awsmon-hub").await?;
    stand_in_stack(aws, "eu-central-1", "awsmon-guardduty").await?;
    stand_in_stack(aws, "us-east-1", "awsmon-budget").await?;
    Ok(())
}

/// The services as an account might have them before awsmon: GuardDuty enabled in us-east-1
/// and eu-central-1 and suspended in eu-west-1; Config recording in us-east-1 and stopped in
/// eu-west-1; Inspector (EC2+ECR) in us-east-1.
pub async fn services(aws: &Aws) -> Result<(), SeedError> {
    // GuardDuty: enabled in us-east-1 and eu-central-1, suspended in eu-west-1.
    aws.guardduty("us-east-1")
        .create_detector()
        .enable(true)
        .send()
        .await
        .map_err(err("create detector"))?;
    aws.guardduty("eu-west-1")
        .create_detector()
        .enable(false)
        .send()
        .await
        .map_err(err("create detector"))?;
    aws.guardduty("eu-central-1")
        .create_detector()
        .enable(true)
        .send()
        .await
        .map_err(err("create detector"))?;

    // Config: recording in us-east-1; a recorder that is not recording in eu-west-1.
    config_recorder(aws, "us-east-1", ACCOUNT, true).await?;
    config_recorder(aws, "eu-west-1", ACCOUNT, false).await?;

    // Inspector2: EC2 and ECR in us-east-1 only.
    aws.inspector2("us-east-1")
        .enable()
        .account_ids(ACCOUNT)
        .resource_types(ResourceScanType::Ec2)
        .resource_types(ResourceScanType::Ecr)
        .send()
        .await
        .map_err(err("inspector enable"))?;
    Ok(())
}

/// A Config recorder named `default` with a delivery channel in `region`, recording or not.
pub async fn config_recorder(
    aws: &Aws,
    region: &str,
    account: &str,
    recording: bool,
) -> Result<(), SeedError> {
    let client = aws.configservice(region);
    client
        .put_configuration_recorder()
        .configuration_recorder(
            ConfigurationRecorder::builder()
                .name("default")
                .role_arn(format!("arn:aws:iam::{account}:role/config"))
                .recording_group(RecordingGroup::builder().all_supported(true).build())
                .build(),
        )
        .send()
        .await
        .map_err(err("recorder"))?;
    client
        .put_delivery_channel()
        .delivery_channel(
            DeliveryChannel::builder()
                .name("default")
                .s3_bucket_name("config-bucket")
                .build(),
        )
        .send()
        .await
        .map_err(err("channel"))?;
    if recording {
        client
            .start_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .map_err(err("start recorder"))?;
    }
    Ok(())
}

/// A monthly COST budget made outside awsmon's stacks.
pub async fn budget(aws: &Aws, name: &str, limit_usd: &str) -> Result<(), SeedError> {
    create_budget(aws, name, limit_usd, None).await
}

async fn create_budget(
    aws: &Aws,
    name: &str,
    limit: &str,
    spend_so_far: Option<(&str, &str)>,
) -> Result<(), SeedError> {
    let spend = |a: &str| {
        Spend::builder()
            .amount(a)
            .unit("USD")
            .build()
            .map_err(err("spend"))
    };
    let mut budget = Budget::builder()
        .budget_name(name)
        .budget_type(BudgetType::Cost)
        .time_unit(TimeUnit::Monthly)
        .budget_limit(spend(limit)?);
    if let Some((actual, forecast)) = spend_so_far {
        budget = budget.calculated_spend(
            aws_sdk_budgets::types::CalculatedSpend::builder()
                .actual_spend(spend(actual)?)
                .forecasted_spend(spend(forecast)?)
                .build(),
        );
    }
    aws.budgets("us-east-1")
        .create_budget()
        .account_id(ACCOUNT)
        .budget(budget.build().map_err(err("budget"))?)
        .send()
        .await
        .map_err(err("create budget"))?;
    Ok(())
}

/// A template moto never finishes: a custom resource whose provider never answers.
pub const HANGING_TEMPLATE: &str = r#"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Provider:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: "def handler(event, context): pass"
  Hang:
    Type: Custom::Hang
    Properties:
      ServiceToken: !GetAtt Provider.Arn
"#;

/// A stack left in CREATE_IN_PROGRESS, as if another deploy were still running.
pub async fn hanging_stack(aws: &Aws, region: &str, name: &str) -> Result<(), SeedError> {
    aws.cloudformation(region)
        .create_stack()
        .stack_name(name)
        .template_body(HANGING_TEMPLATE)
        .send()
        .await
        .map_err(err("create stack"))?;
    Ok(())
}

/// awsmon's budget with this month's spend, replacing one without (moto cannot update).
pub async fn budget_spend(
    aws: &Aws,
    name: &str,
    limit: &str,
    actual: &str,
    forecast: &str,
) -> Result<(), SeedError> {
    let _ = aws
        .budgets("us-east-1")
        .delete_budget()
        .account_id(ACCOUNT)
        .budget_name(name)
        .send()
        .await;
    create_budget(aws, name, limit, Some((actual, forecast))).await
}

/// Every `…At` timestamp as epoch seconds (2026-11-23T08:44:18Z): the API's form, where
/// events carry ISO strings.
fn epoch_times(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k.ends_with("At") && v.is_string() {
                    *v = serde_json::json!(1_795_423_458.0);
                } else {
                    epoch_times(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(epoch_times),
        _ => {}
    }
}

/// One of the notifier's sample events, parsed.
pub fn sample(name: &str) -> Result<serde_json::Value, String> {
    let text = awsmon::findings::samples::SAMPLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("sample {name} missing"))?;
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Inspector findings for `region`: the notifier's ECR sample as ListFindings returns it
/// (moto serves queued results through its own API).
pub async fn inspector_findings(moto_endpoint: &str, region: &str) -> Result<(), String> {
    let event = sample("inspector2-ecr-critical")?;
    let mut finding = event["detail"].clone();
    epoch_times(&mut finding);
    finding["resources"][0]["region"] = serde_json::Value::from(region);
    let body = serde_json::json!({"region": region, "results": [[finding]]}).to_string();
    match super::stub::post(
        moto_endpoint,
        "/moto-api/static/inspector2/findings-results",
        body.as_bytes(),
    )
    .await
    {
        Ok(201) => Ok(()),
        Ok(status) => Err(format!("moto answered {status} to the findings seed")),
        Err(e) => Err(e.to_string()),
    }
}

/// The notifier's Security Hub sample's findings, imported into moto's hub in `region` with
/// BatchImportFindings as AWS documents it (moto has the API; the console's SDK reads them back
/// with GetFindings). The request is unsigned: moto reads the service and region from the
/// Authorization header's scope.
pub async fn securityhub_findings(moto_endpoint: &str, region: &str) -> Result<(), String> {
    let event = sample("securityhub-imported")?;
    let mut findings = event["detail"]["findings"].clone();
    for f in findings.as_array_mut().into_iter().flatten() {
        f["Region"] = serde_json::Value::from(region);
    }
    let body = serde_json::json!({ "Findings": findings }).to_string();
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=testing/20261123/{region}/securityhub/aws4_request, SignedHeaders=host, Signature=0"
    );
    match super::stub::post_with(
        moto_endpoint,
        "/findings/import",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        body.as_bytes(),
    )
    .await
    {
        Ok(200) => Ok(()),
        Ok(status) => Err(format!("moto answered {status} to the findings import")),
        Err(e) => Err(e.to_string()),
    }
}
