//! `--metrics ADDR`: serve `GET /metrics` with axum on the watch's own runtime. A bare port
//! means loopback; any other interface must be named. The Prometheus text format by default,
//! OpenMetrics when the scraper's `Accept` asks for it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::Metrics;
use crate::error::UsageError;

pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
pub const OPENMETRICS_TEXT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Does the scraper ask for OpenMetrics (with a quality above 0)?
pub fn wants_openmetrics(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let mut params = part.split(';').map(str::trim);
        let media = params.next().unwrap_or("");
        let q = params
            .find_map(|p| p.strip_prefix("q="))
            .map_or(1.0, |q| q.parse::<f64>().unwrap_or(0.0));
        media.eq_ignore_ascii_case("application/openmetrics-text") && q > 0.0
    })
}

/// Bind now (so a port in use is a usage error before the watch starts) and serve in the
/// background until the returned handle is dropped.
pub async fn start(addr: SocketAddr, metrics: Arc<Metrics>) -> Result<(SocketAddr, Server), UsageError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| UsageError(format!("cannot serve metrics on {addr} ('--metrics'): {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| UsageError(format!("cannot serve metrics on {addr}: {e}")))?;
    let app = Router::new()
        .route("/metrics", get(scrape))
        .route("/", get(index))
        .with_state(metrics);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((local, Server(task)))
}

/// A watch's metrics and the server that serves them; dropping it stops the server.
pub struct Exporter {
    pub metrics: Arc<Metrics>,
    _server: Server,
}

impl Exporter {
    pub async fn start<'a>(
        addr: SocketAddr,
        names: impl IntoIterator<Item = &'a str>,
        quiet: bool,
    ) -> Result<Exporter, UsageError> {
        let metrics = Arc::new(Metrics::new(names));
        let (local, server) = start(addr, Arc::clone(&metrics)).await?;
        if !quiet {
            crate::output::log_line(&format!("serving metrics on http://{local}/metrics"));
        }
        Ok(Exporter {
            metrics,
            _server: server,
        })
    }
}

/// The running metrics server; dropping it stops it.
pub struct Server(tokio::task::JoinHandle<()>);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn scrape(
    axum::extract::State(metrics): axum::extract::State<Arc<Metrics>>,
    headers: HeaderMap,
) -> impl IntoResponse {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let om = wants_openmetrics(accept);
    let body = metrics.encode(om);
    let kind = if om { OPENMETRICS_TEXT } else { PROMETHEUS_TEXT };
    (StatusCode::OK, [(header::CONTENT_TYPE, kind)], body)
}

async fn index() -> impl IntoResponse {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "kiro-poll: metrics at /metrics\n",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers() {
        // What Prometheus 2.x sends.
        assert!(wants_openmetrics(
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        ));
        assert!(!wants_openmetrics("text/plain;version=0.0.4"));
        assert!(!wants_openmetrics(""));
        assert!(!wants_openmetrics("application/openmetrics-text;q=0"));
    }
}
