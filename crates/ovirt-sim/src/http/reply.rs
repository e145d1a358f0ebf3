//! Answers as the engine writes them: every body with its content type (trap §10.2), XML
//! unless the client asked for JSON, 404 with an empty body (trap §10.3), faults as
//! `<fault>` documents, 401 with the engine's `WWW-Authenticate` challenge.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use ovirt_wire::{list_to_json, list_to_xml, to_json, to_xml, Entity, Fault};

pub const XML: &str = "application/xml;charset=UTF-8";
pub const JSON: &str = "application/json";

/// The document format a client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    /// JSON when `Accept` (or the `accept` parameter) names it, XML otherwise.
    pub fn from_accept(accept: Option<&str>) -> Format {
        match accept {
            Some(accept) if accept.contains("json") && !accept.contains("xml") => Format::Json,
            _ => Format::Xml,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Xml => XML,
            Format::Json => JSON,
        }
    }
}

pub fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub fn one<T: Entity>(status: StatusCode, format: Format, value: &T) -> Response {
    let body = match format {
        Format::Xml => to_xml(value),
        Format::Json => to_json(value),
    };
    text(status, format.content_type(), body)
}

pub fn list<T: Entity>(format: Format, items: &[T]) -> Response {
    let body = match format {
        Format::Xml => list_to_xml(items),
        Format::Json => list_to_json(items),
    };
    text(StatusCode::OK, format.content_type(), body)
}

/// No body at all, `Content-Length: 0`: what the engine answers for an unknown id.
pub fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    response
}

pub fn fault(status: StatusCode, format: Format, reason: &str, detail: &str) -> Response {
    one(status, format, &Fault::new(reason, detail))
}

/// No or wrong credentials: an empty 401 with the engine's challenge. The SDK then logs in
/// again once and repeats the request.
pub fn unauthorized() -> Response {
    let mut response = empty(StatusCode::UNAUTHORIZED);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"RESTAPI\""),
    );
    response
}

/// What the Apache proxy in front of a real engine answers while the engine is away.
pub fn unavailable() -> Response {
    text(
        StatusCode::SERVICE_UNAVAILABLE,
        "text/html; charset=iso-8859-1",
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>503 Service Unavailable</title>\n</head><body>\n<h1>Service Unavailable</h1>\n<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n</body></html>\n"
            .to_owned(),
    )
}
