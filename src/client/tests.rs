use super::*;

#[test]
fn endpoint_keeps_a_base_path() {
    let c = BridgeClient::new(ClientOptions {
        base: url::Url::parse("http://h:1/prefix/").unwrap(),
        api_key: None,
        request_timeout: Duration::from_secs(1),
        verbose: 0,
    })
    .unwrap();
    assert_eq!(
        c.endpoint(STATUS_PATH).as_str(),
        "http://h:1/prefix/api/kiro/status"
    );
}
