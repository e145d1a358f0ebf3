//! Domain metadata: `dom_md/metadata` on file domains, `KEY=value` lines sealed by
//! `_SHA_CKSUM`, a SHA-1 over the other lines (`KEY=value` with the value trimmed, sorted by key,
//! no separators, non-ASCII characters written as `&#N;`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use model::{DomainRole, StorageDomainId};
use serde::Serialize;
use sha1::{Digest, Sha1};

use crate::vocab;

/// The key holding the seal.
pub const CHECKSUM_KEY: &str = "_SHA_CKSUM";

/// A domain's metadata as read, with what it says about the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainMetadata {
    /// Every key and value, the seal excluded.
    pub fields: BTreeMap<String, String>,
    /// `SDUUID`, when present and a UUID.
    pub id: Option<StorageDomainId>,
    /// `CLASS`: Data, Iso or Backup (an Export domain).
    pub role: Option<DomainRole>,
    /// `VERSION`.
    pub version: Option<u8>,
    pub seal: Seal,
}

/// Whether the metadata's seal holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "seal", rename_all = "snake_case")]
pub enum Seal {
    /// The checksum matches.
    Valid,
    /// No `_SHA_CKSUM` line: vdsm trusts such metadata.
    Absent,
    /// vdsm refuses such metadata (`MetaDataSealIsBroken`).
    Broken { recorded: String, computed: String },
}

/// Why domain metadata cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum DomainMetadataError {
    #[error("the domain metadata is not UTF-8 text (byte {offset})")]
    NotText { offset: usize },
    #[error("line {line} of the domain metadata is not KEY=value: `{text}`")]
    BadLine { line: usize, text: String },
    #[error("the domain metadata is empty")]
    Empty,
}

/// The SHA-1 seal of `fields`, as a lowercase hex string.
pub fn checksum(fields: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha1::new();
    for (key, value) in fields {
        if key == CHECKSUM_KEY {
            continue;
        }
        let mut line = String::with_capacity(key.len() + value.len() + 1);
        line.push_str(key);
        line.push('=');
        line.push_str(value.trim());
        hasher.update(ascii_with_char_refs(&line).as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(40), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// Python's `encode("ascii", "xmlcharrefreplace")`.
fn ascii_with_char_refs(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let _ = write!(out, "&#{};", c as u32);
        }
    }
    out
}

pub fn parse(bytes: &[u8]) -> Result<DomainMetadata, DomainMetadataError> {
    let text = std::str::from_utf8(bytes).map_err(|e| DomainMetadataError::NotText {
        offset: e.valid_up_to(),
    })?;
    let mut fields = BTreeMap::new();
    let mut recorded = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| DomainMetadataError::BadLine {
                line: n + 1,
                text: line.chars().take(80).collect(),
            })?;
        let (key, value) = (key.trim(), value.trim());
        if key == CHECKSUM_KEY {
            recorded = Some(value.to_owned());
        } else {
            fields.insert(key.to_owned(), value.to_owned());
        }
    }
    if fields.is_empty() && recorded.is_none() {
        return Err(DomainMetadataError::Empty);
    }
    let seal = match recorded {
        None => Seal::Absent,
        Some(recorded) => {
            let computed = checksum(&fields);
            if computed.eq_ignore_ascii_case(&recorded) {
                Seal::Valid
            } else {
                Seal::Broken { recorded, computed }
            }
        }
    };
    Ok(DomainMetadata {
        id: fields.get("SDUUID").and_then(|v| v.parse().ok()),
        role: fields.get("CLASS").and_then(|v| vocab::parse_class(v)),
        version: fields.get("VERSION").and_then(|v| v.parse().ok()),
        fields,
        seal,
    })
}

/// Domain metadata text for `fields`, sealed with its checksum, keys sorted.
pub fn to_text(fields: &BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (key, value) in fields {
        if key != CHECKSUM_KEY {
            let _ = writeln!(text, "{key}={value}");
        }
    }
    let _ = writeln!(text, "{CHECKSUM_KEY}={}", checksum(fields));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of vdsm's own tests, with the seal vdsm computed for it.
    const SAMPLE: &str =
        "ALIGNMENT=1048576\nBLOCK_SIZE=512\nCLASS=Data\nDESCRIPTION=storage domain\n\
IOOPTIMEOUTSEC=10\nLEASERETRIES=3\nLEASETIMESEC=60\nLOCKPOLICY=\nLOCKRENEWALINTERVALSEC=5\n\
POOL_UUID=\nREMOTE_PATH=server:/path\nROLE=Regular\nSDUUID=275766cb-c7d8-43d6-a663-4e52160de620\n\
TYPE=LOCALFS\nVERSION=5\n_SHA_CKSUM=9336f77705ff9e3d5faf65c4d0dc818a29de458d\n";

    #[test]
    fn the_seal_matches_vdsm() {
        let meta = parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(meta.seal, Seal::Valid);
        assert_eq!(meta.role, Some(DomainRole::Data));
        assert_eq!(meta.version, Some(5));
        assert_eq!(
            meta.id.unwrap().to_string(),
            "275766cb-c7d8-43d6-a663-4e52160de620"
        );
        assert_eq!(to_text(&meta.fields), SAMPLE);
    }

    #[test]
    fn an_edit_breaks_the_seal() {
        let edited = SAMPLE.replace("CLASS=Data", "CLASS=Iso");
        let meta = parse(edited.as_bytes()).unwrap();
        assert!(matches!(meta.seal, Seal::Broken { .. }));
        assert_eq!(meta.role, Some(DomainRole::Iso));
        let unsealed: String = SAMPLE
            .lines()
            .filter(|l| !l.starts_with(CHECKSUM_KEY))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(parse(unsealed.as_bytes()).unwrap().seal, Seal::Absent);
    }

    #[test]
    fn bad_metadata_is_named() {
        assert!(matches!(
            parse(b"CLASS=Data\ngarbage\n"),
            Err(DomainMetadataError::BadLine { line: 2, .. })
        ));
        assert_eq!(parse(b"\n"), Err(DomainMetadataError::Empty));
        assert!(matches!(
            parse(&[0xc3, 0x28]),
            Err(DomainMetadataError::NotText { offset: 0 })
        ));
        assert_eq!(ascii_with_char_refs("ストア"), "&#12473;&#12488;&#12450;");
    }
}
