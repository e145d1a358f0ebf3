//! Query strings and matrix parameters as the SDK and Ansible send them: form-urlencoded
//! (`+` for spaces), empty values meaning absent, parameters also accepted as `;name=value`
//! path matrix parameters and as headers (`All-Content`).

use std::collections::HashMap;

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
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(query: Option<&str>) -> Params {
        let mut params = HashMap::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode_component(value);
            // Clients send `search=` and `follow=` with nothing: the engine treats them as absent.
            if !value.is_empty() {
                params.insert(decode_component(key).to_ascii_lowercase(), value);
            }
        }
        Params(params)
    }

    /// Adds `;name=value` matrix parameters of a path segment.
    pub fn add_matrix(&mut self, matrix: &str) {
        for pair in matrix.split(';').filter(|p| !p.is_empty()) {
            if let Some((key, value)) = pair.split_once('=') {
                if !value.is_empty() {
                    self.0
                        .insert(key.to_ascii_lowercase(), decode_component(value));
                }
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
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
    }
}
