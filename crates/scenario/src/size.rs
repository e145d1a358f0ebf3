//! Sizes as people write them in scenarios: `256 GiB`, `512 MiB`, `4-16 GiB`, or bytes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};

/// A size range in bytes; a single size is a range of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeRange {
    pub low: u64,
    pub high: u64,
}

impl SizeRange {
    pub const fn exactly(bytes: u64) -> SizeRange {
        SizeRange {
            low: bytes,
            high: bytes,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeError(String);

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a size (write it like `256 GiB`, `512 MiB` or `4-16 GiB`)",
            self.0
        )
    }
}

fn unit_bytes(unit: &str) -> Option<u64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        "t" | "tib" | "tb" => 1 << 40,
        _ => return None,
    })
}

impl FromStr for SizeRange {
    type Err = SizeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || SizeError(s.to_owned());
        let text = s.trim();
        let split = text
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len());
        let (numbers, unit) = text.split_at(split);
        let multiplier = unit_bytes(unit.trim()).ok_or_else(error)?;
        let number = |t: &str| -> Result<u64, SizeError> {
            let value: f64 = t.trim().parse().map_err(|_| error())?;
            if !(value >= 0.0 && value.is_finite()) {
                return Err(error());
            }
            Ok((value * multiplier as f64).round() as u64)
        };
        let (low, high) = match numbers.split_once(['-', '–']) {
            Some((low, high)) => (number(low)?, number(high)?),
            None => {
                let n = number(numbers)?;
                (n, n)
            }
        };
        if low > high {
            return Err(error());
        }
        Ok(SizeRange { low, high })
    }
}

impl<'de> Deserialize<'de> for SizeRange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Bytes(bytes) => Ok(SizeRange::exactly(bytes)),
            Raw::Text(text) => text.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_units_and_ranges() {
        assert_eq!(
            "256 GiB".parse::<SizeRange>().unwrap(),
            SizeRange::exactly(256 << 30)
        );
        assert_eq!(
            "512MiB".parse::<SizeRange>().unwrap(),
            SizeRange::exactly(512 << 20)
        );
        assert_eq!(
            "4-16 GiB".parse::<SizeRange>().unwrap(),
            SizeRange {
                low: 4 << 30,
                high: 16 << 30
            }
        );
        assert_eq!(
            "1.5 TiB".parse::<SizeRange>().unwrap(),
            SizeRange::exactly(3 << 39)
        );
        assert!("16-4 GiB".parse::<SizeRange>().is_err());
        assert!("lots".parse::<SizeRange>().is_err());
        assert!("4 PB".parse::<SizeRange>().is_err());
    }
}
