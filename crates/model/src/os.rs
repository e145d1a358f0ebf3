//! Enterprise Linux releases: what the Manager machine and the hosts run.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An Enterprise Linux release (RHEL, CentOS, Oracle Linux, or the EL base of RHVH / oVirt
/// Node): `EL7`, `EL8.6`. The minor part is optional because the guide often speaks of a
/// whole major ("EL7 hosts cannot join a 4.4 cluster").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ElVersion {
    pub major: u16,
    pub minor: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an Enterprise Linux release (write it like `el7`, `el8.6` or `el9`)")]
pub struct ElVersionError(pub String);

impl ElVersion {
    pub const fn new(major: u16, minor: u16) -> Self {
        ElVersion {
            major,
            minor: Some(minor),
        }
    }

    pub const fn major_only(major: u16) -> Self {
        ElVersion { major, minor: None }
    }

    /// Whether this release lies within `from..=to`; a release without a minor is taken as
    /// its major's first minor.
    pub fn within(self, from: ElVersion, to: ElVersion) -> bool {
        let key = |v: ElVersion| (v.major, v.minor.unwrap_or(0));
        let to_key = (to.major, to.minor.unwrap_or(u16::MAX));
        key(self) >= key(from) && key(self) <= to_key
    }
}

impl fmt::Display for ElVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.minor {
            Some(minor) => write!(f, "el{}.{}", self.major, minor),
            None => write!(f, "el{}", self.major),
        }
    }
}

impl FromStr for ElVersion {
    type Err = ElVersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || ElVersionError(s.to_owned());
        let lower = s.trim().to_ascii_lowercase();
        let digits = ["rhel", "el"]
            .iter()
            .find_map(|prefix| lower.strip_prefix(prefix))
            .unwrap_or(&lower)
            .trim_start_matches([' ', '-']);
        let (major, minor) = match digits.split_once('.') {
            Some((major, minor)) => (major, Some(minor)),
            None => (digits, None),
        };
        let number = |t: &str| -> Result<u16, ElVersionError> {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error());
            }
            t.parse().map_err(|_| error())
        };
        let major = number(major)?;
        let minor = minor.map(number).transpose()?;
        if !(6..=10).contains(&major) {
            return Err(error());
        }
        Ok(ElVersion { major, minor })
    }
}

impl Serialize for ElVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ElVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings() {
        assert_eq!(
            "el7".parse::<ElVersion>().unwrap(),
            ElVersion::major_only(7)
        );
        assert_eq!("EL8.6".parse::<ElVersion>().unwrap(), ElVersion::new(8, 6));
        assert_eq!(
            "RHEL 8.10".parse::<ElVersion>().unwrap(),
            ElVersion::new(8, 10)
        );
        assert_eq!("9".parse::<ElVersion>().unwrap(), ElVersion::major_only(9));
        assert!("el".parse::<ElVersion>().is_err());
        assert!("fedora36".parse::<ElVersion>().is_err());
        assert!("el8.x".parse::<ElVersion>().is_err());
    }

    #[test]
    fn ranges_compare_minors_as_numbers() {
        let (from, to) = (ElVersion::new(8, 2), ElVersion::new(8, 6));
        assert!(ElVersion::new(8, 6).within(from, to));
        assert!(!ElVersion::new(8, 10).within(from, to));
        assert!(!ElVersion::new(8, 1).within(from, to));
        assert!(ElVersion::major_only(9).within(ElVersion::major_only(9), ElVersion::major_only(9)));
    }
}
