//! Logging in the way the engine's SSO does: `POST /ovirt-engine/sso/oauth/token` hands out
//! bearer tokens, `POST /ovirt-engine/services/sso-logout` revokes them, and the API also
//! takes HTTP Basic credentials (deprecated, still used). Failures answer as the engine does:
//! SSO errors are JSON with status 400, API requests without valid credentials get an empty 401.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;

use serde::Serialize;

use super::query::Params;

/// The one user the simulator knows. The default password appears in no URL: Ansible hides
/// every occurrence of a password in its output, and a password such as `ovirt` would turn
/// `/ovirt-engine/api` into `/********-engine/api` in the URL its modules are handed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            username: "admin@internal".into(),
            password: "sim-password".into(),
        }
    }
}

/// Tokens handed out and not yet revoked.
#[derive(Default)]
pub struct Tokens {
    live: Mutex<HashSet<String>>,
}

/// How a request was let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// With a bearer token from the SSO endpoint.
    Token(String),
    /// With HTTP Basic credentials.
    Basic,
}

/// What the SSO endpoint answers: a status and a JSON body.
pub struct SsoAnswer {
    pub status: u16,
    pub body: String,
}

/// The SSO endpoint's error body, its fields in the engine's order.
#[derive(Serialize)]
struct SsoError<'a> {
    error_code: &'a str,
    error: &'a str,
}

/// The SSO endpoint's token body, its fields in the engine's order.
#[derive(Serialize)]
struct SsoToken<'a> {
    access_token: &'a str,
    scope: &'a str,
    exp: &'a str,
    token_type: &'a str,
}

fn new_token() -> String {
    // RandomState is seeded from the OS per process: unguessable enough for a loopback simulator.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let high = hasher.finish();
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(high);
    format!("{high:016x}{:016x}", hasher.finish())
}

impl Tokens {
    /// The token endpoint: checks the grant, the scope and the password.
    pub fn login(&self, form: &Params, credentials: &Credentials) -> SsoAnswer {
        let error = |code: &str, message: String| SsoAnswer {
            status: 400,
            body: serde_json::to_string(&SsoError {
                error_code: code,
                error: &message,
            })
            .expect("strings serialise"),
        };
        match form.get("grant_type") {
            Some("password") => {}
            other => {
                return error(
                    "unsupported_grant_type",
                    format!(
                        "The grant type {} is not supported.",
                        other.unwrap_or("(none)")
                    ),
                )
            }
        }
        if !form
            .get("scope")
            .is_some_and(|s| s.split(' ').any(|scope| scope == "ovirt-app-api"))
        {
            return error(
                "invalid_scope",
                "The requested scope is not supported; ask for ovirt-app-api.".into(),
            );
        }
        let user = form.get("username").unwrap_or("");
        if user != credentials.username
            || form.get("password") != Some(credentials.password.as_str())
        {
            return error(
                "access_denied",
                format!(
                    "Cannot authenticate user '{user}': The username or password is incorrect."
                ),
            );
        }
        let token = new_token();
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token.clone());
        SsoAnswer {
            status: 200,
            body: serde_json::to_string(&SsoToken {
                access_token: &token,
                scope: "ovirt-app-api ovirt-ext=token-info:validate",
                exp: "4102444800000",
                token_type: "bearer",
            })
            .expect("strings serialise"),
        }
    }

    pub fn logout(&self, form: &Params) -> SsoAnswer {
        if let Some(token) = form.get("token") {
            self.live
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(token);
        }
        SsoAnswer {
            status: 200,
            body: "{}".into(),
        }
    }

    /// Forgets a token, as when the engine's session expires.
    pub fn expire(&self, token: &str) {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
    }

    /// How an `Authorization` header lets a request in, if it does.
    pub fn admit(
        &self,
        authorization: Option<&str>,
        credentials: &Credentials,
    ) -> Option<Admission> {
        let header = authorization?.trim();
        if let Some(token) = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
        {
            let token = token.trim();
            let live = self
                .live
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(token);
            return live.then(|| Admission::Token(token.to_owned()));
        }
        let encoded = header
            .strip_prefix("Basic ")
            .or_else(|| header.strip_prefix("basic "))?;
        let text = String::from_utf8(decode_base64(encoded.trim())?).ok()?;
        let (user, password) = text.split_once(':')?;
        (user == credentials.username && password == credentials.password)
            .then_some(Admission::Basic)
    }
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = text.bytes().filter(|&b| b != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for &b in chunk {
            acc = (acc << 6) | value(b)?;
        }
        acc <<= 6 * (4 - chunk.len() as u32);
        let produced = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + produced]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(text: &str) -> Params {
        Params::parse(Some(text))
    }

    #[test]
    fn login_use_and_logout() {
        let tokens = Tokens::default();
        let credentials = Credentials {
            username: "admin@internal".into(),
            password: "ovirt".into(),
        };
        let answer = tokens.login(
            &form(
                "grant_type=password&scope=ovirt-app-api&username=admin%40internal&password=ovirt",
            ),
            &credentials,
        );
        assert_eq!(answer.status, 200);
        let token = answer.body.split('"').nth(3).unwrap().to_owned();
        assert_eq!(
            tokens.admit(Some(&format!("Bearer {token}")), &credentials),
            Some(Admission::Token(token.clone()))
        );
        tokens.logout(&form(&format!("scope=ovirt-app-api&token={token}")));
        assert_eq!(
            tokens.admit(Some(&format!("Bearer {token}")), &credentials),
            None
        );
    }

    #[test]
    fn wrong_passwords_and_grants_are_refused_as_the_engine_does() {
        let tokens = Tokens::default();
        let credentials = Credentials {
            username: "admin@internal".into(),
            password: "ovirt".into(),
        };
        let answer = tokens.login(
            &form(
                "grant_type=password&scope=ovirt-app-api&username=admin%40internal&password=nope",
            ),
            &credentials,
        );
        assert_eq!(answer.status, 400);
        assert!(
            answer.body.contains("\"error_code\":\"access_denied\""),
            "{}",
            answer.body
        );
        assert!(tokens
            .login(&form("grant_type=magic&scope=ovirt-app-api"), &credentials)
            .body
            .contains("unsupported_grant_type"));
        assert_eq!(tokens.admit(None, &credentials), None);
    }

    #[test]
    fn basic_credentials_still_work() {
        let tokens = Tokens::default();
        let credentials = Credentials {
            username: "admin@internal".into(),
            password: "ovirt".into(),
        };
        // "admin@internal:ovirt"
        assert_eq!(
            tokens.admit(Some("Basic YWRtaW5AaW50ZXJuYWw6b3ZpcnQ="), &credentials),
            Some(Admission::Basic)
        );
        assert_eq!(
            tokens.admit(Some("Basic YWRtaW5AaW50ZXJuYWw6eA=="), &credentials),
            None
        );
        assert_eq!(decode_base64("YWJj").unwrap(), b"abc");
        assert_eq!(decode_base64("YQ==").unwrap(), b"a");
    }
}
