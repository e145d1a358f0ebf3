//! The wall clock as the binary reads it, and times of day as the progress lines print them.

use model::{Date, Timestamp};
pub use orchestrator::clock::wall_clock;

/// Today (UTC): what certificate expiry and backup age are counted from.
pub fn today() -> Date {
    wall_clock().date()
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
