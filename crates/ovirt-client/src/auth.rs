//! Logging in as the oVirt SDK does: an SSO token from `/ovirt-engine/sso/oauth/token`
//! (password grant, scope `ovirt-app-api`), HTTP Basic on every request where the engine has
//! no SSO, a new token once when the engine forgets the old one, and a logout at the end.

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::Mutex;
use url::Url;

use crate::config::Password;
use crate::error::{ClientError, ErrorKind};
use crate::transport::{credentials_hint, Transport};

const TOKEN_PATH: &str = "/ovirt-engine/sso/oauth/token";
const LOGOUT_PATH: &str = "/ovirt-engine/services/sso-logout";

/// What a request carries to prove who sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Credential {
    Token(String),
    /// The engine has no SSO: user and password on every request.
    Basic,
}

/// The login state of one client.
pub(crate) struct Session {
    token_url: Url,
    logout_url: Url,
    username: String,
    password: Password,
    current: Mutex<Option<Credential>>,
}

impl Session {
    pub fn new(api: &Url, username: &str, password: Password) -> Session {
        // SSO lives beside the API, whatever path the API was given at.
        let at = |path: &str| {
            let mut url = api.clone();
            url.set_path(path);
            url
        };
        Session {
            token_url: at(TOKEN_PATH),
            logout_url: at(LOGOUT_PATH),
            username: username.to_owned(),
            password,
            current: Mutex::new(None),
        }
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn password(&self) -> &Password {
        &self.password
    }

    /// The credential to send, logging in first when there is none yet.
    pub async fn credential(&self, transport: &Transport) -> Result<Credential, ClientError> {
        let mut current = self.current.lock().await;
        if let Some(credential) = current.as_ref() {
            return Ok(credential.clone());
        }
        let credential = self.login(transport).await?;
        *current = Some(credential.clone());
        Ok(credential)
    }

    /// Replaces a token the engine refused. Requests that failed with the same token at the
    /// same time log in once between them.
    pub async fn renew(&self, transport: &Transport, refused: &str) -> Result<(), ClientError> {
        let mut current = self.current.lock().await;
        if matches!(current.as_ref(), Some(Credential::Token(token)) if token != refused) {
            return Ok(());
        }
        *current = Some(self.login(transport).await?);
        Ok(())
    }

    /// Revokes the token, if the session holds one.
    pub async fn logout(&self, transport: &Transport) -> Result<(), ClientError> {
        let token = match self.current.lock().await.take() {
            Some(Credential::Token(token)) => token,
            _ => return Ok(()),
        };
        let target = format!("POST {}", self.logout_url);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("scope", "ovirt-app-api")
            .append_pair("token", &token)
            .finish();
        let response = transport
            .http()
            .post(self.logout_url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|error| transport.classify(&error, &target))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(ClientError::new(
                ErrorKind::Protocol,
                target,
                format!("logout answered HTTP {}: {}", status.as_u16(), text.trim()),
            ));
        }
        Ok(())
    }

    /// Asks SSO for a token; falls back to Basic where the engine has no SSO endpoint.
    async fn login(&self, transport: &Transport) -> Result<Credential, ClientError> {
        let target = format!("POST {}", self.token_url);
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "password")
            .append_pair("scope", "ovirt-app-api")
            .append_pair("username", &self.username)
            .append_pair("password", self.password.expose())
            .finish();
        let retry = transport.retry();
        let mut attempt = 1;
        loop {
            let sent = transport
                .http()
                .post(self.token_url.clone())
                .header(ACCEPT, HeaderValue::from_static("application/json"))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.clone())
                .send()
                .await;
            // Logging in twice does no harm: every failure that may pass is tried again.
            let error = match sent {
                Ok(response) => {
                    let status = response.status();
                    if status == StatusCode::SERVICE_UNAVAILABLE
                        || status == StatusCode::BAD_GATEWAY
                        || status == StatusCode::GATEWAY_TIMEOUT
                    {
                        ClientError::new(
                            ErrorKind::Unavailable,
                            &target,
                            format!("the engine's SSO answered {status}"),
                        )
                        .with_hint("the engine may be starting; try again in a few minutes")
                    } else {
                        match response.bytes().await {
                            Ok(body) => return self.token_answer(&target, status, &body),
                            Err(error) => transport.classify(&error, &target),
                        }
                    }
                }
                Err(error) => transport.classify(&error, &target),
            };
            if error.is_transient() && attempt < retry.attempts {
                attempt += 1;
                tokio::time::sleep(retry.delay_before(attempt)).await;
                continue;
            }
            return Err(error);
        }
    }

    /// Reads the token endpoint's answer: a token, a refusal, or no SSO at all.
    fn token_answer(
        &self,
        target: &str,
        status: StatusCode,
        body: &[u8],
    ) -> Result<Credential, ClientError> {
        let json: Option<Value> = serde_json::from_slice(body).ok();
        let Some(Value::Object(answer)) = json.map(|value| match value {
            // The SDK takes the first element when the answer is a list.
            Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
            other => other,
        }) else {
            // No JSON: an engine without SSO (or a proxy's page). Basic authentication is
            // checked by the first request; a URL that is not an engine fails there too.
            return Ok(Credential::Basic);
        };
        if let Some(token) = answer.get("access_token").and_then(Value::as_str) {
            if !token.is_empty() {
                return Ok(Credential::Token(token.to_owned()));
            }
        }
        let text = |key: &str| answer.get(key).and_then(Value::as_str).unwrap_or("");
        let code = text("error_code");
        let message = match (text("error"), text("error_description")) {
            ("", "") => format!("HTTP {} without a token", status.as_u16()),
            (error, "") | ("", error) => error.to_owned(),
            (error, description) => format!("{error}: {description}"),
        };
        let error = ClientError::new(
            ErrorKind::Authentication,
            target,
            format!("login as {} failed: {message}", self.username),
        );
        Err(match code {
            "access_denied" | "invalid_grant" | "" => error.with_hint(credentials_hint()),
            "invalid_scope" | "unsupported_grant_type" => {
                error.with_hint("this engine's SSO does not take API logins; ask its administrator")
            }
            _ => error,
        })
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}
