//! Object ids. oVirt names every object with a UUID; we keep it as 128 bits and give
//! each kind of object its own id type so that a host id cannot be passed as a VM id.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UUID as oVirt writes it: `8-4-4-4-12` lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Uuid(pub u128);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a UUID (write it like `2812e1c2-fb19-4bf9-ac42-74c069a5e507`)")]
pub struct UuidError(pub String);

impl Uuid {
    /// The all-zero id oVirt uses for "none" (the Blank template, no snapshot).
    pub const NIL: Uuid = Uuid(0);

    /// A stable id derived from a kind and a name, so that a scenario written without ids
    /// gets the same ids on every load. Marked as a version-8 (custom) RFC 9562 UUID.
    pub fn derived(kind: &str, name: &str) -> Uuid {
        let high = fnv1a64(0xcbf2_9ce4_8422_2325, kind, name);
        let low = fnv1a64(0x8422_2325_cbf2_9ce4 ^ high, name, kind);
        Uuid::with_version(((high as u128) << 64) | low as u128, 8)
    }

    /// Turns 128 random bits into a well-formed version-4 UUID.
    pub fn from_random_bits(bits: u128) -> Uuid {
        Uuid::with_version(bits, 4)
    }

    fn with_version(bits: u128, version: u128) -> Uuid {
        let bits = (bits & !(0xf << 76)) | (version << 76);
        Uuid((bits & !(0x3 << 62)) | (0x2 << 62))
    }
}

fn fnv1a64(seed: u64, first: &str, second: &str) -> u64 {
    let mut hash = seed;
    for byte in first.bytes().chain([0u8]).chain(second.bytes()) {
        hash ^= byte as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // A final avalanche so that names differing in one letter differ everywhere.
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^ (hash >> 33)
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            (v >> 96) as u32,
            (v >> 80) as u16,
            (v >> 64) as u16,
            (v >> 48) as u16,
            v & 0xffff_ffff_ffff
        )
    }
}

impl FromStr for Uuid {
    type Err = UuidError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        let dashes_ok = bytes.len() == 36 && [8, 13, 18, 23].iter().all(|&i| bytes[i] == b'-');
        if !dashes_ok {
            return Err(UuidError(s.to_owned()));
        }
        let mut value: u128 = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                continue;
            }
            let digit = (b as char)
                .to_digit(16)
                .ok_or_else(|| UuidError(s.to_owned()))?;
            value = (value << 4) | digit as u128;
        }
        Ok(Uuid(value))
    }
}

impl Serialize for Uuid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Uuid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = UuidError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

typed_id!(
    /// A data center (`storage_pool` in the engine database).
    DataCenterId,
    /// A cluster.
    ClusterId,
    /// A host (`vds`).
    HostId,
    /// A virtual machine.
    VmId,
    /// A storage domain.
    StorageDomainId,
    /// A disk: the image group on storage.
    DiskId,
    /// A volume of a disk: one layer of its chain (the engine's image id).
    VolumeId,
    /// A VM snapshot.
    SnapshotId,
    /// A gluster volume.
    GlusterVolumeId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_text_round_trips() {
        let text = "2812e1c2-fb19-4bf9-ac42-74c069a5e507";
        let id: Uuid = text.parse().unwrap();
        assert_eq!(id.to_string(), text);
        assert_eq!(
            "2812E1C2-FB19-4BF9-AC42-74C069A5E507"
                .parse::<Uuid>()
                .unwrap(),
            id
        );
        assert!("2812e1c2fb194bf9ac4274c069a5e507".parse::<Uuid>().is_err());
        assert!("2812e1c2-fb19-4bf9-ac42-74c069a5e50g"
            .parse::<Uuid>()
            .is_err());
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let a = Uuid::derived("host", "host1");
        assert_eq!(a, Uuid::derived("host", "host1"));
        assert_ne!(a, Uuid::derived("host", "host2"));
        assert_ne!(a, Uuid::derived("vm", "host1"));
        let text = a.to_string();
        assert_eq!(&text[14..15], "8", "version nibble in {text}");
        assert!(
            matches!(&text[19..20], "8" | "9" | "a" | "b"),
            "variant in {text}"
        );
        let random = Uuid::from_random_bits(u128::MAX).to_string();
        assert_eq!(&random[14..15], "4");
    }
}
