//! Versions compared as numbers, never as text: "4.10" is newer than "4.9".

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid {kind}: {reason} (write it like `{example}`)")]
pub struct VersionError {
    pub text: String,
    pub kind: &'static str,
    pub reason: &'static str,
    pub example: &'static str,
}

fn parse_parts<const N: usize>(
    text: &str,
    min: usize,
    kind: &'static str,
    example: &'static str,
) -> Result<[u16; N], VersionError> {
    let error = |reason| VersionError {
        text: text.to_owned(),
        kind,
        reason,
        example,
    };
    let mut parts = [0u16; N];
    let mut count = 0;
    for piece in text.trim().split('.') {
        if count == N {
            return Err(error("too many parts"));
        }
        if piece.is_empty() || !piece.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error("every part must be a whole number"));
        }
        parts[count] = piece.parse().map_err(|_| error("a part is too large"))?;
        count += 1;
    }
    if count < min {
        return Err(error("too few parts"));
    }
    Ok(parts)
}

/// A two-part version: a cluster or data-center compatibility level (`4.3`), or a release line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Level {
    pub major: u16,
    pub minor: u16,
}

impl Level {
    pub const fn new(major: u16, minor: u16) -> Self {
        Level { major, minor }
    }

    /// The level after this one within the same major (4.3 → 4.4).
    pub const fn next(self) -> Level {
        Level::new(self.major, self.minor + 1)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Level {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let [major, minor] = parse_parts::<2>(s, 2, "compatibility level", "4.3")?;
        Ok(Level { major, minor })
    }
}

/// A Manager version `x.y.z` (`4.4.10`). A missing `z` reads as 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

impl Version {
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// The release line this version belongs to (4.4.10 → 4.4).
    pub const fn line(self) -> Level {
        Level::new(self.major, self.minor)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let [major, minor, patch] = parse_parts::<3>(s, 2, "Manager version", "4.4.10")?;
        Ok(Version {
            major,
            minor,
            patch,
        })
    }
}

macro_rules! serde_as_string {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_as_string!(Level);
serde_as_string!(Version);

/// A package version such as `4.40.100.2-1.el8ev`, compared the way rpm compares
/// versions: digit runs as numbers, letter runs as text, digits newer than letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PackageVersion(pub String);

impl PackageVersion {
    pub fn new(text: impl Into<String>) -> Self {
        PackageVersion(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PackageVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Ord for PackageVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_rpm_segments(&self.0, &other.0)
    }
}

impl PartialOrd for PackageVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn compare_rpm_segments(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        a = skip_separators(a);
        b = skip_separators(b);
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let numeric = x.is_ascii_digit();
                if numeric != y.is_ascii_digit() {
                    return if numeric {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    };
                }
                let class = |c: &u8| {
                    if numeric {
                        c.is_ascii_digit()
                    } else {
                        c.is_ascii_alphabetic()
                    }
                };
                let len_a = a.iter().take_while(|c| class(c)).count();
                let len_b = b.iter().take_while(|c| class(c)).count();
                let (seg_a, seg_b) = (&a[..len_a], &b[..len_b]);
                let order = if numeric {
                    let sa = strip_leading_zeros(seg_a);
                    let sb = strip_leading_zeros(seg_b);
                    sa.len().cmp(&sb.len()).then_with(|| sa.cmp(sb))
                } else {
                    seg_a.cmp(seg_b)
                };
                if order != Ordering::Equal {
                    return order;
                }
                a = &a[len_a..];
                b = &b[len_b..];
            }
        }
    }
}

fn skip_separators(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| !c.is_ascii_alphanumeric()).count();
    &s[n..]
}

fn strip_leading_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_compare_as_numbers() {
        let a: Level = "4.9".parse().unwrap();
        let b: Level = "4.10".parse().unwrap();
        assert!(a < b);
        assert_eq!(a.next(), b);
    }

    #[test]
    fn versions_accept_two_or_three_parts() {
        assert_eq!("4.4".parse::<Version>().unwrap(), Version::new(4, 4, 0));
        assert!("4.4.10".parse::<Version>().unwrap() > "4.4.9".parse().unwrap());
        let err = "4.4.x".parse::<Version>().unwrap_err();
        assert!(err.to_string().contains("4.4.10"), "{err}");
        assert!("4".parse::<Version>().is_err());
        assert!("4.4.1.1".parse::<Version>().is_err());
        assert!("".parse::<Level>().is_err());
    }

    #[test]
    fn package_versions_compare_like_rpm() {
        let v = |s: &str| PackageVersion::new(s);
        assert!(v("4.40.100.2-1.el8ev") > v("4.40.90.4-1.el8ev"));
        assert!(v("4.30.46-1.el7ev") < v("4.40.0-1.el8"));
        assert!(v("1.0010") > v("1.9"));
        assert_eq!(v("1.01").cmp(&v("1.1")), Ordering::Equal);
        assert!(v("2.0a") < v("2.0.1"));
    }
}
