//! Calendar arithmetic between Unix seconds and TOML date-times (UTC, proleptic
//! Gregorian). Pure; no time zone database needed because files carry offsets.

use toml::value::{Date, Datetime, Offset, Time};

/// Why a TOML date-time cannot be a point in time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("a time without a date is not a point in time; write e.g. 2017-03-04T12:00:00Z")]
    TimeOnly,
    #[error(
        "a date-time needs a UTC offset (e.g. 2017-03-04T12:00:00Z or +02:00), or write a plain date"
    )]
    NoOffset,
    #[error("{0} is not a calendar date")]
    NotADate(String),
    #[error("`{0}` is not an RFC 3339 date-time or a YYYY-MM-DD date")]
    Unparsable(String),
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A TOML offset date-time or local date as Unix seconds (a plain date is midnight UTC).
pub fn unix_from_datetime(dt: &Datetime) -> Result<i64, DateError> {
    let Some(date) = dt.date else {
        return Err(DateError::TimeOnly);
    };
    let (year, month, day) = (
        i64::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    );
    let days = days_from_civil(year, month, day);
    if civil_from_days(days) != (year, month, day) {
        return Err(DateError::NotADate(date.to_string()));
    }
    let mut secs = days * 86_400;
    match (dt.time, dt.offset) {
        (None, None) => {}
        (Some(_), None) => return Err(DateError::NoOffset),
        (None, Some(_)) => return Err(DateError::Unparsable(dt.to_string())),
        (Some(time), Some(offset)) => {
            secs += i64::from(time.hour) * 3600
                + i64::from(time.minute) * 60
                + i64::from(time.second.unwrap_or(0));
            if let Offset::Custom { minutes } = offset {
                secs -= i64::from(minutes) * 60;
            }
        }
    }
    Ok(secs)
}

/// Parses the text form (`2017-03-04T12:00:00Z`, `2017-03-04`).
pub fn unix_from_str(s: &str) -> Result<i64, DateError> {
    let dt: Datetime = s
        .trim()
        .parse()
        .map_err(|_| DateError::Unparsable(s.to_string()))?;
    unix_from_datetime(&dt)
}

/// Unix seconds as a UTC TOML date-time; None outside years 0–9999, which TOML cannot write.
pub fn datetime_from_unix(secs: i64) -> Option<Datetime> {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let year = u16::try_from(year).ok().filter(|y| *y <= 9999)?;
    Some(Datetime {
        date: Some(Date {
            year,
            month: month as u8,
            day: day as u8,
        }),
        time: Some(Time {
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: Some((rem % 60) as u8),
            nanosecond: None,
        }),
        offset: Some(Offset::Z),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(unix_from_str("2016-09-01T00:00:00Z"), Ok(1_472_688_000));
        assert_eq!(unix_from_str("2016-09-01"), Ok(1_472_688_000));
    }

    #[test]
    fn offsets_move_to_utc() {
        let utc = unix_from_str("2019-04-12T10:30:00Z").unwrap();
        assert_eq!(unix_from_str("2019-04-12T12:30:00+02:00"), Ok(utc));
        assert_eq!(unix_from_str("2019-04-12T05:30:00-05:00"), Ok(utc));
    }

    #[test]
    fn civil_round_trip_over_four_centuries() {
        for days in (-150_000..150_000).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn unix_round_trip_through_datetime() {
        for secs in [0, 1, 86_399, 951_782_400, 1_700_000_123, -86_401] {
            let dt = datetime_from_unix(secs).unwrap();
            assert_eq!(unix_from_datetime(&dt), Ok(secs));
            assert_eq!(unix_from_str(&dt.to_string()), Ok(secs));
        }
    }

    #[test]
    fn rejects_what_is_not_a_point_in_time() {
        assert_eq!(
            unix_from_str("2019-04-12T10:30:00"),
            Err(DateError::NoOffset)
        );
        assert_eq!(unix_from_str("10:30:00"), Err(DateError::TimeOnly));
        assert!(matches!(
            unix_from_str("last tuesday"),
            Err(DateError::Unparsable(_))
        ));
        assert!(unix_from_str("2019-02-30").is_err());
        assert_eq!(datetime_from_unix(i64::MAX / 2), None);
    }
}
