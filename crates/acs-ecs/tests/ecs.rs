//! The generated ECS client over loopback against acs-testkit: repeatList parameters and nested
//! response arrays round-trip.

use acs_core::{ClientConfig, Protocol, SignatureVersion, StaticCredentialsProvider};
use acs_ecs::Client;
use acs_ecs::model::{DescribeInstancesRequest, DescribeInstancesRequestTag, StopInstanceRequest};
use acs_signer::Credentials;
use acs_testkit::{Reply, TestServer, Verdict};

fn client(server: &TestServer, version: SignatureVersion) -> Client {
    let config = ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .signature_version(version)
        .credentials_provider(StaticCredentialsProvider::new(
            Credentials::new("LTAI5tEcs", "ecs-secret").expect("valid"),
        ))
        .build()
        .expect("config");
    Client::new(config).expect("client")
}

#[tokio::test]
async fn describe_instances_round_trips_lists_both_ways() {
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tEcs", "ecs-secret");
    server.set_reply(
        "DescribeInstances",
        Reply::success(serde_json::json!({
            "TotalCount": 2, "PageNumber": 1, "PageSize": 10,
            "Instances": {"Instance": [
                {"InstanceId": "i-1", "Status": "Running", "Cpu": 2,
                 "Tags": {"Tag": [{"TagKey": "env", "TagValue": "prod"}]},
                 "VpcAttributes": {"PrivateIpAddress": {"IpAddress": ["10.0.0.1", "10.0.0.2"]}}},
                {"InstanceId": "i-2", "Status": "Stopped"}
            ]}
        })),
    );
    for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
        let ecs = client(&server, version);
        let request = DescribeInstancesRequest::new()
            .region_id("cn-hangzhou")
            .instance_ids(r#"["i-1","i-2"]"#)
            .page_size(10)
            .tag(vec![
                DescribeInstancesRequestTag::new().key("env").value("prod"),
                DescribeInstancesRequestTag::new().key("team").value("a b"),
            ])
            .ipv6_address(vec!["2001:db8::1".to_string()]);
        let response = ecs.describe_instances(&request).await.expect("ok");
        let instances = response
            .instances
            .and_then(|i| i.instance)
            .expect("instances");
        assert_eq!(instances.len(), 2);
        assert_eq!(instances[0].instance_id.as_deref(), Some("i-1"));
        assert_eq!(instances[0].cpu, Some(2));
        let tags = instances[0]
            .tags
            .as_ref()
            .and_then(|t| t.tag.as_ref())
            .expect("tags");
        assert_eq!(tags[0].tag_value.as_deref(), Some("prod"));
        let ips = instances[0]
            .vpc_attributes
            .as_ref()
            .and_then(|v| v.private_ip_address.as_ref())
            .and_then(|p| p.ip_address.clone())
            .expect("ips");
        assert_eq!(ips, ["10.0.0.1", "10.0.0.2"]);
    }
    for recorded in server.requests() {
        assert_eq!(recorded.verdict, Verdict::Accepted);
        let params: Vec<(String, String)> = recorded
            .query
            .iter()
            .chain(recorded.form.iter())
            .cloned()
            .collect();
        let has = |k: &str, v: &str| params.contains(&(k.to_string(), v.to_string()));
        assert!(has("RegionId", "cn-hangzhou") && has("PageSize", "10"));
        assert!(has("Tag.1.Key", "env") && has("Tag.1.Value", "prod"));
        assert!(has("Tag.2.Key", "team") && has("Tag.2.Value", "a b"));
        assert!(has("Ipv6Address.1", "2001:db8::1"));
        assert!(has("InstanceIds", r#"["i-1","i-2"]"#));
    }
}

#[tokio::test]
async fn operations_without_lists_work_too() {
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tEcs", "ecs-secret");
    server.set_reply("StopInstance", Reply::success(serde_json::json!({})));
    client(&server, SignatureVersion::V3)
        .stop_instance(&StopInstanceRequest::new("i-1").force_stop(true))
        .await
        .expect("stopped");
    let recorded = &server.requests()[0];
    assert!(
        recorded
            .query
            .contains(&("ForceStop".to_string(), "true".to_string()))
    );
}

#[tokio::test]
async fn a_typed_call_returns_the_http_response_too_and_the_model_prints_as_json() {
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tEcs", "ecs-secret");
    server.set_reply(
        "DescribeInstances",
        Reply::success(serde_json::json!({
            "RequestId": "req-typed", "TotalCount": 1,
            "Instances": {"Instance": [{"InstanceId": "i-1", "Status": "Running"}]}
        })),
    );
    let ecs = client(&server, SignatureVersion::V3);
    let output = ecs
        .describe_instances_with_response(&DescribeInstancesRequest::new().region_id("cn-hangzhou"))
        .await
        .expect("ok");
    assert_eq!(output.status(), 200);
    assert!(output.headers().contains_key("content-type"));
    assert!(output.request_id().is_some());
    assert_eq!(output.model().total_count, Some(1));
    // The wrapped list, flattened.
    let instances = output.model().instances();
    assert_eq!(instances.len(), 1);
    assert_eq!(instances[0].instance_id.as_deref(), Some("i-1"));
    assert!(
        acs_ecs::model::DescribeInstancesResponse::default()
            .instances()
            .is_empty()
    );
    // The model serialises with the wire names, leaving out what the response did not carry.
    let printed = serde_json::to_value(output.model()).expect("serialises");
    assert_eq!(
        printed,
        serde_json::json!({
            "RequestId": "req-typed", "TotalCount": 1,
            "Instances": {"Instance": [{"InstanceId": "i-1", "Status": "Running"}]}
        })
    );
    // The plain call is the same model.
    let model = ecs
        .describe_instances(&DescribeInstancesRequest::new().region_id("cn-hangzhou"))
        .await
        .expect("ok");
    assert_eq!(&model, output.model());
}

#[tokio::test]
async fn a_required_region_id_defaults_to_the_client_region_and_is_sent() {
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tEcs", "ecs-secret");
    server.set_reply(
        "DescribeInstances",
        Reply::success(serde_json::json!({"TotalCount": 0})),
    );
    let config = ClientConfig::builder()
        .region("cn-beijing")
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .credentials_provider(StaticCredentialsProvider::new(
            Credentials::new("LTAI5tEcs", "ecs-secret").expect("valid"),
        ))
        .build()
        .expect("config");
    let ecs = Client::new(config).expect("client");
    // As the Java seed builds it: no region on the request.
    ecs.describe_instances(&DescribeInstancesRequest::new())
        .await
        .expect("ok");
    // One given on the request wins.
    ecs.describe_instances(&DescribeInstancesRequest::new().region_id("cn-shanghai"))
        .await
        .expect("ok");
    let regions: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| {
            r.query
                .iter()
                .find(|(k, _)| k == "RegionId")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert_eq!(
        regions,
        [
            Some("cn-beijing".to_owned()),
            Some("cn-shanghai".to_owned())
        ]
    );
    // Without either, nothing is sent and the error says what to set.
    let err = client(&server, SignatureVersion::V3)
        .describe_instances(&DescribeInstancesRequest::new())
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("RegionId"), "{err}");
    assert_eq!(server.requests().len(), 2);
}

fn instances(ids: &[&str], next: Option<&str>) -> Reply {
    let list: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({"InstanceId": id}))
        .collect();
    let mut body = serde_json::json!({"Instances": {"Instance": list}});
    if let Some(token) = next {
        body["NextToken"] = token.into();
    }
    Reply::success(body)
}

#[tokio::test]
async fn describe_instances_pages_through_a_stream_of_items() {
    use futures_util::TryStreamExt as _;
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tEcs", "ecs-secret");
    server.push_replies(
        "DescribeInstances",
        [
            instances(&["i-1", "i-2"], Some("page-2")),
            instances(&["i-3", "i-4"], Some("page-3")),
            instances(&["i-5"], None),
        ],
    );
    let ecs = client(&server, SignatureVersion::V3);
    let request = DescribeInstancesRequest::new()
        .region_id("cn-hangzhou")
        .max_results(2);
    let ids: Vec<String> = ecs
        .describe_instances_items(&request)
        .map_ok(|instance| instance.instance_id.unwrap_or_default())
        .try_collect()
        .await
        .expect("three pages");
    assert_eq!(ids, ["i-1", "i-2", "i-3", "i-4", "i-5"]);
    // One call per page, each with the token the page before gave.
    let tokens: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| {
            r.query
                .iter()
                .find(|(k, _)| k == "NextToken")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert_eq!(
        tokens,
        [None, Some("page-2".to_owned()), Some("page-3".to_owned())]
    );
}

#[tokio::test]
async fn a_server_repeating_its_token_ends_the_stream_with_an_error() {
    use futures_util::StreamExt as _;
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tEcs", "ecs-secret");
    server.set_reply("DescribeInstances", instances(&["i-1"], Some("same")));
    let ecs = client(&server, SignatureVersion::V3);
    let request = DescribeInstancesRequest::new().region_id("cn-hangzhou");
    let pages: Vec<Result<_, _>> = ecs.describe_instances_pages(&request).collect().await;
    // The first page, the second (which repeats the token it was sent), then the error.
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[0].is_ok() && pages[1].is_ok());
    let err = pages[2].as_ref().expect_err("loop detected");
    assert!(err.to_string().contains("same"), "{err}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn page_number_paging_stops_at_the_total_count() {
    use futures_util::TryStreamExt as _;
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tEcs", "ecs-secret");
    let page = |number: i32, ids: &[&str]| {
        let list: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| serde_json::json!({"InstanceId": id, "Status": "Running"}))
            .collect();
        Reply::success(serde_json::json!({
            "PageNumber": number, "PageSize": 2, "TotalCount": 5,
            "InstanceStatuses": {"InstanceStatus": list}
        }))
    };
    server.push_replies(
        "DescribeInstanceStatus",
        [
            page(1, &["i-1", "i-2"]),
            page(2, &["i-3", "i-4"]),
            page(3, &["i-5"]),
        ],
    );
    let ecs = client(&server, SignatureVersion::V3);
    let request = acs_ecs::model::DescribeInstanceStatusRequest::new()
        .region_id("cn-hangzhou")
        .page_size(2);
    let all: Vec<_> = ecs
        .describe_instance_status_items(&request)
        .try_collect()
        .await
        .expect("three pages");
    assert_eq!(all.len(), 5);
    let numbers: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| {
            r.query
                .iter()
                .find(|(k, _)| k == "PageNumber")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert_eq!(numbers, [None, Some("2".to_owned()), Some("3".to_owned())]);
}

#[tokio::test]
async fn per_call_options_apply_to_the_calls_made_with_them_only() {
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tEcs", "ecs-secret");
    server.set_reply("DescribeInstances", instances(&["i-1"], None));
    let ecs = client(&server, SignatureVersion::V3);
    let request = DescribeInstancesRequest::new().region_id("cn-hangzhou");
    ecs.with_options(acs_core::CallOptions::new().header("x-acs-trace-id", "t-1"))
        .describe_instances(&request)
        .await
        .expect("ok");
    ecs.describe_instances(&request).await.expect("ok");
    let traced: Vec<bool> = server
        .requests()
        .iter()
        .map(|r| {
            r.headers
                .iter()
                .any(|(n, v)| n == "x-acs-trace-id" && v == "t-1")
        })
        .collect();
    assert_eq!(traced, [true, false]);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.verdict == Verdict::Accepted)
    );
}
