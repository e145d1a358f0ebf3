//! Calendar dates, enough for certificate expiry and backup age without a date library.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A day in the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date (write it like `2026-11-23`; a time after it is allowed)")]
pub struct DateError(pub String);

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let date = Date { year, month, day };
        ((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day))
            .then_some(date)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days-from-civil, shifted so that the year starts in March.
        let y = self.year as i64 - if self.month <= 2 { 1 } else { 0 };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after the epoch.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + if month <= 2 { 1 } else { 0 }) as i32;
        Date { year, month, day }
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }
}

/// A moment, in milliseconds since 1970-01-01T00:00:00Z. The simulated engine's clock and the
/// times of engine events use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const fn from_millis(millis: i64) -> Timestamp {
        Timestamp(millis)
    }

    pub fn date(self) -> Date {
        Date::from_days_since_epoch(self.0.div_euclid(86_400_000))
    }

    pub fn plus_millis(self, millis: i64) -> Timestamp {
        Timestamp(self.0 + millis)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with milliseconds, as the engine writes times.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let in_day = self.0.rem_euclid(86_400_000);
        let (hours, minutes) = (in_day / 3_600_000, in_day / 60_000 % 60);
        let (seconds, millis) = (in_day / 1000 % 60, in_day % 1000);
        write!(
            f,
            "{}T{hours:02}:{minutes:02}:{seconds:02}.{millis:03}Z",
            self.date()
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || DateError(s.to_owned());
        let date_part = s.trim().get(..10).ok_or_else(error)?;
        let rest = &s.trim()[10..];
        if !(rest.is_empty() || rest.starts_with(['T', ' '])) {
            return Err(error());
        }
        let b = date_part.as_bytes();
        if b[4] != b'-' || b[7] != b'-' {
            return Err(error());
        }
        let year = date_part[..4].parse().map_err(|_| error())?;
        let month = date_part[5..7].parse().map_err(|_| error())?;
        let day = date_part[8..10].parse().map_err(|_| error())?;
        Date::new(year, month, day).ok_or_else(error)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_arithmetic_round_trips() {
        let d: Date = "2026-11-23".parse().unwrap();
        assert_eq!(Date::from_days_since_epoch(d.days_since_epoch()), d);
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(d.add_days(30).to_string(), "2026-12-23");
        assert_eq!(d.add_days(98).to_string(), "2027-03-01");
        assert_eq!(
            "2024-02-28"
                .parse::<Date>()
                .unwrap()
                .add_days(1)
                .to_string(),
            "2024-02-29"
        );
        assert_eq!(d.days_until("2026-11-01".parse().unwrap()), -22);
    }

    #[test]
    fn timestamps_print_as_rfc3339() {
        let start = Date::new(2026, 1, 10).unwrap().days_since_epoch() * 86_400_000;
        let t = Timestamp(start + 12 * 3_600_000 + 48_132);
        assert_eq!(t.to_string(), "2026-01-10T12:00:48.132Z");
        assert_eq!(t.date(), Date::new(2026, 1, 10).unwrap());
    }

    #[test]
    fn accepts_a_time_and_refuses_nonsense() {
        assert_eq!(
            "2027-01-31T10:00:00Z".parse::<Date>().unwrap(),
            Date::new(2027, 1, 31).unwrap()
        );
        assert!("2027-02-30".parse::<Date>().is_err());
        assert!("2027/01/01".parse::<Date>().is_err());
        assert!("2027-01-01x".parse::<Date>().is_err());
        assert!("27-1-1".parse::<Date>().is_err());
    }
}
