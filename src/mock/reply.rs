//! The simulated bridge's answer shapes: JSON bodies, the bridge error and the Express error.

use std::time::SystemTime;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

pub fn now_stamp() -> String {
    crate::units::rfc3339_ms(SystemTime::now())
}

pub fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

pub fn bridge_error(status: StatusCode, code: &str, message: &str, recoverable: bool) -> Response {
    json_response(
        status,
        json!({"code": code, "message": message, "recoverable": recoverable, "timestamp": now_stamp()}),
    )
}

pub fn express_error(status: StatusCode, error: &str, message: &str) -> Response {
    json_response(status, json!({"error": error, "message": message}))
}
