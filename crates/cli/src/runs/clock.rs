//! The wall clock, read only here, and times of day as the progress lines print them.

use std::time::{SystemTime, UNIX_EPOCH};

use model::Timestamp;

/// Now, by the machine's clock: where a run's engine time starts.
pub fn wall_clock() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    Timestamp::from_millis(millis)
}

/// `14:05:09`: the time of day of `at`, in UTC like every time the engine writes.
pub fn time_of_day(at: Timestamp) -> String {
    let seconds = at.0.rem_euclid(86_400_000) / 1000;
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_of_day_is_the_one_the_timestamp_shows() {
        for millis in [0, 1_768_046_400_000, 1_768_097_109_999, -1_000] {
            let at = Timestamp::from_millis(millis);
            assert_eq!(time_of_day(at), at.to_string()[11..19], "{at}");
        }
    }
}
