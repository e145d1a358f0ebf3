//! A run's ids: its own, and the correlation id the engine files its events under.

use std::time::{SystemTime, UNIX_EPOCH};

use model::rng::Rng;
use model::Uuid;

/// The ids of one run.
#[derive(Debug, Clone)]
pub struct RunIds {
    pub run: String,
    pub correlation: String,
}

impl RunIds {
    /// Ids nobody else has: from the time and the process.
    pub fn fresh() -> RunIds {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let mut rng = Rng::new(nanos ^ u64::from(std::process::id()).rotate_left(32));
        let run =
            Uuid::from_random_bits(u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64()));
        RunIds {
            run: run.to_string(),
            correlation: format!("ovirt-upgrade-{:016x}", rng.next_u64()),
        }
    }
}

/// The first eight characters of a run id, for a file name: whole characters, whatever
/// the journal's writer chose as its id.
pub fn short(run_id: &str) -> &str {
    let end = run_id
        .char_indices()
        .nth(8)
        .map_or(run_id.len(), |(i, _)| i);
    &run_id[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_id_cuts_between_characters() {
        assert_eq!(short("0123456789abcdef"), "01234567");
        assert_eq!(short("abc"), "abc");
        assert_eq!(short("実行実行実行実行実行"), "実行実行実行実行");
    }
}
