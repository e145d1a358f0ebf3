//! The engine's date-times: `2019-08-20T12:57:43.049+03:00` in XML, epoch milliseconds in JSON.

use std::fmt;
use std::str::FromStr;

use model::Date;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// An instant as the engine writes it, with its UTC offset (kept so that XML written back
/// reads the same; [`model::Timestamp`] is the same instant without it). Fractions finer
/// than a millisecond are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub millis: i64,
    /// Minutes east of UTC.
    pub offset_minutes: i16,
}

impl DateTime {
    /// An instant written in UTC.
    pub const fn from_millis(millis: i64) -> Self {
        DateTime {
            millis,
            offset_minutes: 0,
        }
    }
}

impl From<model::Timestamp> for DateTime {
    fn from(instant: model::Timestamp) -> Self {
        DateTime::from_millis(instant.0)
    }
}

impl From<DateTime> for model::Timestamp {
    fn from(time: DateTime) -> Self {
        model::Timestamp(time.millis)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date and time like 2019-08-20T12:57:43.049+03:00")]
pub struct DateTimeError(pub String);

impl FromStr for DateTime {
    type Err = DateTimeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || DateTimeError(text.to_owned());
        let bytes = text.as_bytes();
        let well_placed = bytes.len() >= 20
            && bytes[..19].is_ascii()
            && bytes[10] == b'T'
            && bytes[13] == b':'
            && bytes[16] == b':';
        if !well_placed {
            return Err(error());
        }
        let date: Date = text[..10].parse().map_err(|_| error())?;
        let number = |range: std::ops::Range<usize>, max: i64| -> Result<i64, DateTimeError> {
            let part = &text[range];
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error());
            }
            part.parse::<i64>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(error)
        };
        let hour = number(11..13, 23)?;
        let minute = number(14..16, 59)?;
        let second = number(17..19, 60)?;
        let mut rest = &text[19..];
        let mut millis = 0;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(error());
            }
            let first_three = format!("{:0<3}", &fraction[..digits.min(3)]);
            millis = first_three.parse::<i64>().map_err(|_| error())?;
            rest = &fraction[digits..];
        }
        let offset_minutes = match rest.as_bytes() {
            b"Z" => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
                if [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()) =>
            {
                let hours = i16::from((h1 - b'0') * 10 + (h2 - b'0'));
                let minutes = i16::from((m1 - b'0') * 10 + (m2 - b'0'));
                if hours > 23 || minutes > 59 {
                    return Err(error());
                }
                let total = hours * 60 + minutes;
                if *sign == b'-' {
                    -total
                } else {
                    total
                }
            }
            _ => return Err(error()),
        };
        let local = date.days_since_epoch() * MILLIS_PER_DAY
            + ((hour * 60 + minute) * 60 + second) * 1000
            + millis;
        Ok(DateTime {
            millis: local - i64::from(offset_minutes) * 60_000,
            offset_minutes,
        })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.millis + i64::from(self.offset_minutes) * 60_000;
        let date = Date::from_days_since_epoch(local.div_euclid(MILLIS_PER_DAY));
        let of_day = local.rem_euclid(MILLIS_PER_DAY);
        let (seconds, millis) = (of_day / 1000, of_day % 1000);
        write!(
            f,
            "{date}T{:02}:{:02}:{:02}.{millis:03}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )?;
        if self.offset_minutes == 0 {
            return f.write_str("Z");
        }
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let offset = self.offset_minutes.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", offset / 60, offset % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_engine_format() {
        let t: DateTime = "2019-08-20T12:57:43.049+03:00".parse().unwrap();
        assert_eq!(t.millis, 1_566_295_063_049);
        assert_eq!(t.offset_minutes, 180);
        assert_eq!(t.to_string(), "2019-08-20T12:57:43.049+03:00");
        let utc: DateTime = "1970-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(utc, DateTime::from_millis(0));
        assert_eq!(utc.to_string(), "1970-01-01T00:00:00.000Z");
        let west: DateTime = "2026-01-10T15:45:05.4859-05:30".parse().unwrap();
        assert_eq!(west.to_string(), "2026-01-10T15:45:05.485-05:30");
        assert_eq!(
            DateTime::from_millis(-1).to_string(),
            "1969-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn refuses_what_the_sdk_refuses() {
        for text in [
            "2019-08-20",
            "2019-08-20T12:57:43",
            "2019-08-20 12:57:43Z",
            "2019-08-20T25:00:00Z",
            "2019-08-20T12:57:43.+03:00",
            "2019-08-20T12:57:43.049+0300",
            "2019-02-30T12:57:43Z",
            "2019-08-20T1:57:43.0Z",
            "2019-08-20T12:57:43Zjunk",
            "2019-08-20T12:5é:43Z",
            "2019-08-20T12:57:4é.1Z",
        ] {
            assert!(text.parse::<DateTime>().is_err(), "{text}");
        }
    }
}
