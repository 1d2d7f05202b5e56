//! `--metrics ADDR`: serve `GET /metrics` with axum on the watch's own runtime. A bare port
//! means loopback; any other interface must be named. The Prometheus text format by default,
//! OpenMetrics when the scraper's `Accept` asks for it.
//!
//! Whoever can reach the address cannot starve the watch, nor keep a scrape out: at most
//! `MAX_CONNECTIONS` clients at once; when full, a newcomer takes the slot of the oldest client
//! that has not sent a whole request (`crate::gate`); each must send its request headers within
//! `HEADER_TIMEOUT` and is done within `CONNECTION_LIFETIME`, one request per connection. So
//! the exporter holds at most `MAX_CONNECTIONS` descriptors, the polls keep the rest, and a
//! scrape is answered while idle or slow clients hold every slot.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::Metrics;
use crate::error::UsageError;
use crate::gate::Entry;

/// Most clients of the exporter at once (Prometheus needs one per scrape).
pub const MAX_CONNECTIONS: usize = 32;
/// A client must have sent its request headers by then (Prometheus sends them at once).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(2);
/// A connection ends by then, whatever the client does (a reader that never reads).
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(20);

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
    let task = tokio::spawn(serve(listener, app));
    Ok((local, Server(task)))
}

/// Accept clients for good, within the limits above.
async fn serve(listener: tokio::net::TcpListener, app: Router) {
    let gate = Arc::new(crate::gate::Gate::new(MAX_CONNECTIONS));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of descriptors or a client gone before it was taken: try again shortly.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let entry = gate.enter();
        if matches!(entry, Entry::Out) {
            continue; // the door is crowded: closed at once, holding no descriptor
        }
        let (app, gate) = (app.clone(), Arc::clone(&gate));
        tokio::spawn(async move {
            let ticket = match entry {
                Entry::In(t) => t,
                Entry::Knock(at_door) => match gate.knocked(&stream, at_door).await {
                    Some(t) => t,
                    None => return,
                },
                Entry::Out => return,
            };
            let tower = hyper_util::service::TowerToHyperService::new(app);
            let asked = ticket.asked();
            let service = hyper::service::service_fn(move |req| {
                crate::gate::mark(&asked);
                hyper::service::Service::call(&tower, req)
            });
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .keep_alive(false);
            let conn = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            ticket
                .serve(tokio::time::timeout(CONNECTION_LIFETIME, conn), HEADER_TIMEOUT)
                .await;
        });
    }
}

/// A watch's metrics and the server that serves them; dropping it stops the server.
pub struct Exporter {
    pub metrics: Arc<Metrics>,
    _server: Server,
}

impl Exporter {
    pub async fn start<'a>(
        addr: SocketAddr,
        bridges: impl IntoIterator<Item = (&'a str, &'a [(String, String)])>,
        opts: super::MetricsOptions,
        quiet: bool,
    ) -> Result<Exporter, UsageError> {
        let metrics = Arc::new(Metrics::new(bridges, opts));
        let (local, server) = start(addr, Arc::clone(&metrics)).await?;
        if !quiet {
            crate::output::tell(crate::output::Notice::ServingMetrics(local));
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
    // Encoding 10,000 bridges takes about 100 ms: on a blocking thread, not the runtime's own,
    // so no poll waits for a scrape.
    let Ok(body) = tokio::task::spawn_blocking(move || metrics.encode(om)).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            String::from("kiro-poll: encoding the metrics failed\n"),
        );
    };
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
