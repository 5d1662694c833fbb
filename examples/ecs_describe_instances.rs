//! Lists ECS instances with the generated ECS client, filtering by tag.
//!
//! ```text
//! cargo run -p acs-examples --example ecs_describe_instances            # embedded emulator
//! cargo run -p acs-examples --example ecs_describe_instances -- --live  # Alibaba Cloud
//! ```
//!
//! With `--live`, it reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and
//! optionally `ALIBABA_CLOUD_REGION_ID` (default `cn-hangzhou`).

use acs_core::{ClientConfig, Protocol, StaticCredentialsProvider};
use acs_ecs::Client;
use acs_ecs::model::{DescribeInstancesRequest, DescribeInstancesRequestTag};
use acs_signer::Credentials;
use acs_testkit::{Reply, TestServer};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let live = std::env::args().any(|a| a == "--live");
    let region = std::env::var("ALIBABA_CLOUD_REGION_ID").unwrap_or_else(|_| "cn-hangzhou".into());
    let mut _emulator = None;
    let config = if live {
        let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
        ClientConfig::builder()
            .region(region.clone())
            .credentials_provider(StaticCredentialsProvider::new(Credentials::new(
                env("ALIBABA_CLOUD_ACCESS_KEY_ID")?,
                env("ALIBABA_CLOUD_ACCESS_KEY_SECRET")?,
            )?))
            .build()?
    } else {
        let server = TestServer::start().await?;
        server.add_access_key("LTAI5tExampleEcs", "example-secret");
        server.set_reply(
            "DescribeInstances",
            Reply::success(serde_json::json!({
                "TotalCount": 2, "PageNumber": 1, "PageSize": 10,
                "Instances": {"Instance": [
                    {"InstanceId": "i-bp1example0001", "InstanceName": "web-1", "Status": "Running", "InstanceType": "ecs.g7.large"},
                    {"InstanceId": "i-bp1example0002", "InstanceName": "web-2", "Status": "Stopped", "InstanceType": "ecs.g7.large"}
                ]}
            })),
        );
        let config = ClientConfig::builder()
            .region(region.clone())
            .endpoint(server.endpoint())
            .protocol(Protocol::Http)
            .credentials_provider(StaticCredentialsProvider::new(Credentials::new(
                "LTAI5tExampleEcs",
                "example-secret",
            )?))
            .build()?;
        _emulator = Some(server);
        config
    };
    let ecs = Client::new(config)?;
    // `RegionId` is the client's region unless the request sets one.
    let request = DescribeInstancesRequest::new().page_size(10).tag(vec![
        DescribeInstancesRequestTag::new().key("env").value("prod"),
    ]);
    let response = ecs.describe_instances(&request).await?;
    let mut report = format!(
        "{} instances tagged env=prod:\n",
        response.total_count.unwrap_or_default()
    );
    for instance in response
        .instances
        .and_then(|i| i.instance)
        .unwrap_or_default()
    {
        report.push_str(&format!(
            "  {} {:<8} {} {}\n",
            instance.instance_id.unwrap_or_default(),
            instance.status.unwrap_or_default(),
            instance.instance_type.unwrap_or_default(),
            instance.instance_name.unwrap_or_default()
        ));
    }
    #[allow(clippy::print_stdout)]
    {
        print!("{report}");
    }
    Ok(())
}
