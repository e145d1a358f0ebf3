//! Query strings and matrix parameters as the SDK and Ansible send them: form-urlencoded
//! (`+` for spaces), empty values meaning absent, parameters also accepted as `;name=value`
//! path matrix parameters and as headers (`All-Content`).

use std::collections::{HashMap, HashSet};

/// Decodes `%XX` escapes and `+` as a space; invalid escapes are kept as they are.
pub fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The parameters of a request, from its query string and matrix parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: HashMap<String, String>,
    /// Given without a value (`vms;unregistered`, `?destroy`).
    bare: HashSet<String>,
}

impl Params {
    pub fn parse(query: Option<&str>) -> Params {
        let mut params = Params::default();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            params.insert(&decode_component(key), decode_component(value));
        }
        params
    }

    /// Adds `;name=value` (or `;name`) matrix parameters of a path segment.
    pub fn add_matrix(&mut self, matrix: &str) {
        for pair in matrix.split(';').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            self.insert(key, decode_component(value));
        }
    }

    fn insert(&mut self, key: &str, value: String) {
        let key = key.to_ascii_lowercase();
        // Clients send `search=` and `follow=` with nothing: the engine treats them as absent.
        if value.is_empty() {
            self.bare.insert(key);
        } else {
            self.values.insert(key, value);
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A flag that a bare mention turns on (`ParametersHelper.getBooleanParameter` with
    /// `empty` true, as `unregistered` and `destroy` are read).
    pub fn switch(&self, key: &str) -> Option<bool> {
        self.flag(key)
            .or_else(|| self.bare.contains(key).then_some(true))
    }

    pub fn flag(&self, key: &str) -> Option<bool> {
        self.get(key)
            .map(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    pub fn number(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(|v| v.parse().ok())
    }
}

/// Splits a path segment into its name and matrix parameters (`events;from=5`).
pub fn split_matrix(segment: &str) -> (&str, Option<&str>) {
    match segment.split_once(';') {
        Some((name, matrix)) => (name, Some(matrix)),
        None => (segment, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_sdk_sends() {
        let p = Params::parse(Some(
            "all_content=false&follow=&search=cluster%3DDefault+update_available%3Dtrue+name%3D%2A",
        ));
        assert_eq!(
            p.get("search"),
            Some("cluster=Default update_available=true name=*")
        );
        assert_eq!(p.get("follow"), None, "empty means absent");
        assert_eq!(p.flag("all_content"), Some(false));
        let mut p = Params::parse(None);
        p.add_matrix("from=12;max=3");
        assert_eq!(p.number("from"), Some(12));
        assert_eq!(split_matrix("events;from=5"), ("events", Some("from=5")));
        assert_eq!(decode_component("a%2"), "a%2");
        assert_eq!(decode_component("%E3%83%9B"), "ホ");
        let mut p = Params::parse(Some("destroy"));
        p.add_matrix("unregistered");
        assert_eq!(p.get("destroy"), None);
        assert_eq!(p.switch("destroy"), Some(true));
        assert_eq!(p.switch("unregistered"), Some(true));
        assert_eq!(
            Params::parse(Some("destroy=false")).switch("destroy"),
            Some(false)
        );
        assert_eq!(p.switch("force"), None);
    }
}
