//! The one HTTP client of a process and how it is built: pool, timeouts, redirects refused,
//! proxies read from the environment as curl reads them (loopback always direct), and the
//! open-files room for many bridges' sockets, and what a request that got no answer failed of.

use std::time::Duration;

use crate::error::{BridgeError, FailureKind};
use crate::units::human_duration;

/// Idle connections are dropped before the real bridge's 5 s keep-alive timeout would close
/// them under our feet.
pub const POOL_IDLE: Duration = Duration::from_millis(4500);

/// The one HTTP client of the process (a fleet shares it: keep-alive per host). `tls`: some
/// bridge is https, so load the trust roots.
pub fn http_client(
    request_timeout: Duration,
    tls: bool,
) -> Result<reqwest::Client, crate::error::UsageError> {
    http_client_keeping(request_timeout, tls, 2, true)
}

/// The HTTP client, keeping at most `idle_per_host` idle connections to each bridge (0: close
/// each after its answer, for one request per bridge). `probes`: TCP keep-alive probes (15 s
/// idle) on each connection, which find a peer gone during a long wait (`exec` waiting up to
/// 5 minutes for its answer); a polling client, whose requests end within
/// `--request-timeout` and whose idle connections go after 4.5 s, never sees one fire, and
/// spares five `setsockopt` calls per connection.
pub fn http_client_keeping(
    request_timeout: Duration,
    tls: bool,
    idle_per_host: usize,
    probes: bool,
) -> Result<reqwest::Client, crate::error::UsageError> {
    let mut builder = reqwest::Client::builder();
    if !probes {
        builder = crate::platform::without_keepalive_probes(builder);
    }
    let mut builder = builder
        .http1_only()
        .pool_idle_timeout(POOL_IDLE)
        .pool_max_idle_per_host(idle_per_host)
        .tcp_nodelay(true)
        .connect_timeout(request_timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(super::USER_AGENT);
    for proxy in proxy_from_env(&|k| std::env::var(k).ok()) {
        builder = builder.proxy(proxy);
    }
    if !tls {
        // Plain HTTP needs no trust roots: skip loading them (start-up cost).
        builder = builder.tls_built_in_root_certs(false);
    }
    builder
        .build()
        .map_err(|e| crate::error::UsageError(format!("cannot set up the HTTP client: {e}")))
}

/// Raise the open-files limit for `sockets` connections at once (and a margin for the rest);
/// the limit and the sockets, to warn of, when the system will not give that many.
pub fn room_for_sockets(sockets: usize) -> Option<(u64, usize)> {
    let limit = crate::platform::raise_open_files()?;
    (limit < sockets as u64 + 32).then_some((limit, sockets))
}

/// The proxies the environment asks for, as curl reads them: `http_proxy` (or `HTTP_PROXY`) for
/// http URLs, `https_proxy`/`HTTPS_PROXY` for https, `all_proxy`/`ALL_PROXY` for both, and
/// `no_proxy`/`NO_PROXY` for hosts to reach directly, by reqwest's own rules (`*`, domains and
/// their subdomains, IP addresses and CIDR blocks such as `10.0.0.0/8` or `fd00::/8`).
/// Loopback bridges are always direct: `localhost`, `127.0.0.0/8` and `::1` are put first.
pub fn proxy_from_env(var: &dyn Fn(&str) -> Option<String>) -> Vec<reqwest::Proxy> {
    let get = |names: &[&str]| names.iter().find_map(|n| var(n).filter(|v| !v.trim().is_empty()));
    let all = get(&["all_proxy", "ALL_PROXY"]);
    let http = get(&["http_proxy", "HTTP_PROXY"]).or_else(|| all.clone());
    let https = get(&["https_proxy", "HTTPS_PROXY"]).or(all);
    let own = get(&["no_proxy", "NO_PROXY"]).unwrap_or_default();
    let direct = format!("localhost,127.0.0.0/8,::1,{own}");
    let with_scheme = |p: &str| match p.contains("://") {
        true => p.to_owned(),
        false => format!("http://{p}"),
    };
    let mut proxies = Vec::new();
    // A proxy URL that does not parse is left out, as curl ignores one it cannot use.
    if let Some(p) = http.and_then(|p| reqwest::Proxy::http(with_scheme(&p)).ok()) {
        proxies.push(p.no_proxy(reqwest::NoProxy::from_string(&direct)));
    }
    if let Some(p) = https.and_then(|p| reqwest::Proxy::https(with_scheme(&p)).ok()) {
        proxies.push(p.no_proxy(reqwest::NoProxy::from_string(&direct)));
    }
    proxies
}

/// Whether a request to `url` goes through a proxy from the environment (`proxy_from_env`'s
/// variables and loopback rule), by hyper-util's matcher, the one reqwest itself uses.
pub fn is_proxied(url: &url::Url, var: &dyn Fn(&str) -> Option<String>) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => true,
    };
    if loopback {
        return false;
    }
    let get = |names: &[&str]| names.iter().find_map(|n| var(n).filter(|v| !v.trim().is_empty()));
    let all = get(&["all_proxy", "ALL_PROXY"]);
    let Some(proxy) = get(&["http_proxy", "HTTP_PROXY"]).or(all) else {
        return false;
    };
    let with_scheme = match proxy.contains("://") {
        true => proxy,
        false => format!("http://{proxy}"),
    };
    let own = get(&["no_proxy", "NO_PROXY"]).unwrap_or_default();
    let matcher = hyper_util::client::proxy::matcher::Matcher::builder()
        .http(with_scheme)
        .no(own)
        .build();
    let Ok(uri) = url.as_str().parse::<hyper::Uri>() else {
        return true;
    };
    matcher.intercept(&uri).is_some()
}

/// True when a request failed because a pooled connection had been closed by the server:
/// nothing was answered, so a GET may safely go again on a fresh connection.
pub(super) fn is_stale_connection(e: &reqwest::Error) -> bool {
    if e.is_connect() || e.is_timeout() {
        return false;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_canceled() || h.is_closed() {
                return true;
            }
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return true;
            }
        }
        source = s.source();
    }
    false
}

/// A request that got no answer, as the bridge's failure.
pub(super) fn transport_error(e: &reqwest::Error, shown: &str, timeout: Duration) -> BridgeError {
    let kind = if e.is_timeout() {
        FailureKind::Timeout
    } else if e.is_connect() {
        FailureKind::Connect
    } else {
        FailureKind::Connection
    };
    let detail = if kind == FailureKind::Timeout {
        no_answer_within(timeout)
    } else {
        root_cause(e)
    };
    BridgeError::Unreachable {
        url: shown.to_owned(),
        kind,
        detail,
    }
}

/// What a request that timed out is told as.
pub(super) fn no_answer_within(timeout: Duration) -> String {
    format!("no answer within {}", human_duration(timeout))
}

/// The innermost cause, which says what actually happened ("Connection refused").
fn root_cause(e: &reqwest::Error) -> String {
    let mut last: &(dyn std::error::Error + 'static) = e;
    while let Some(s) = last.source() {
        last = s;
    }
    let text = last.to_string();
    if text.contains("error sending request") || text.contains("http://") || text.contains("https://") {
        // Never echo a URL from the error (it could carry credentials); say what kind it was.
        if e.is_connect() {
            return "connection failed".into();
        }
        return "connection lost".into();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_names_a_proxy_per_scheme() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
        };
        assert!(proxy_from_env(&|_| None).is_empty());
        assert_eq!(proxy_from_env(&env(&[("HTTPS_PROXY", "http://p:8080")])).len(), 1);
        assert_eq!(
            proxy_from_env(&env(&[("all_proxy", "p:8080")])).len(),
            2,
            "both schemes"
        );
        assert_eq!(
            proxy_from_env(&env(&[("http_proxy", " ")])).len(),
            0,
            "blank is unset"
        );
    }

    #[test]
    fn whether_an_execute_goes_through_a_proxy() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
        };
        let url = |s: &str| url::Url::parse(s).unwrap();
        let bridge = url("http://kiro.lan:3001");
        assert!(!is_proxied(&bridge, &|_| None));
        assert!(is_proxied(&bridge, &env(&[("http_proxy", "p:8080")])));
        assert!(is_proxied(&bridge, &env(&[("ALL_PROXY", "http://p:8080")])));
        assert!(
            !is_proxied(&bridge, &env(&[("https_proxy", "p:8080")])),
            "an https proxy is not for http"
        );
        let direct = env(&[("http_proxy", "p:8080"), ("no_proxy", ".lan,10.0.0.0/8")]);
        assert!(!is_proxied(&bridge, &direct));
        assert!(!is_proxied(&url("http://10.1.2.3:3001"), &direct));
        assert!(is_proxied(&url("http://11.1.2.3:3001"), &direct));
        for loopback in [
            "http://localhost:3001",
            "http://127.0.0.2:3001",
            "http://[::1]:3001",
        ] {
            assert!(
                !is_proxied(&url(loopback), &env(&[("http_proxy", "p:8080")])),
                "{loopback}"
            );
        }
    }
}
