//! Misbehaving on purpose: a random share of 500s (`--fail-rate`) and the scenario's timed
//! faults (429 with Retry-After, a truncated body, a dropped connection, 500s).

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use super::reply::express_error;
use super::scenario::FaultKind;
use super::sim::App;

pub fn injected(app: &App, req: &Request) -> Option<Response> {
    if req.uri().path() == "/health" {
        return None;
    }
    if app.settings.behaviour.fail_rate > 0.0 && fastrand::f64() < app.settings.behaviour.fail_rate {
        return Some(express_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            "An unexpected error occurred",
        ));
    }
    let mut sim = app.sim();
    let fault = sim.fault.as_ref()?;
    if Instant::now() >= fault.until {
        sim.fault = None;
        return None;
    }
    Some(match fault.kind {
        FaultKind::RateLimit => {
            let secs = fault.retry_after.unwrap_or(1);
            let mut r = express_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests",
                "Rate limit exceeded",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            r
        }
        FaultKind::Error => express_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            "An unexpected error occurred",
        ),
        FaultKind::Malformed => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"status":"ready","availableCommands":["#,
        )
            .into_response(),
        FaultKind::Drop => {
            let stream = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped by the simulator"))
            });
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
    })
}
