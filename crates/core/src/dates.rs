//! Dates as PeerTube writes them on the wire: ISO 8601 in UTC with milliseconds
//! (`2024-01-01T00:00:00.123Z`), and the way back to epoch milliseconds.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// `millis` (epoch milliseconds) as `YYYY-MM-DDTHH:MM:SS.mmmZ`; the epoch when out of range.
pub fn iso_date(millis: i64) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|date| date.format(&format).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_owned())
}

/// An RFC 3339 date (any offset, any fraction) as epoch milliseconds; none when it is not one.
pub fn parse_iso_date(text: &str) -> Option<i64> {
    if text.len() > 64 {
        return None;
    }
    let date = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(date.unix_timestamp_nanos() / 1_000_000).ok()
}

/// An ISO 8601 date as PeerTube's clients send them in queries and forms: an RFC 3339 date and
/// time, or a day alone (`2024-05-01`, midnight UTC); as epoch milliseconds.
pub fn parse_date_or_day(text: &str) -> Option<i64> {
    let text = text.trim();
    parse_iso_date(text).or_else(|| {
        if text.len() != 10 {
            return None;
        }
        let day = time::Date::parse(text, &format_description!("[year]-[month]-[day]")).ok()?;
        let midnight = day.midnight().assume_utc();
        i64::try_from(midnight.unix_timestamp_nanos() / 1_000_000).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::{iso_date, parse_date_or_day, parse_iso_date};

    #[test]
    fn days_alone_are_midnight_utc() {
        assert_eq!(parse_date_or_day("2024-01-01"), Some(1_704_067_200_000));
        assert_eq!(
            parse_date_or_day("2024-01-01T00:00:00.123Z"),
            Some(1_704_067_200_123)
        );
        for bad in [
            "",
            "2024-13-01",
            "2024-1-1",
            "yesterday",
            "2024-01-01T25:00:00Z",
        ] {
            assert_eq!(parse_date_or_day(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dates_have_milliseconds_and_zulu() {
        assert_eq!(iso_date(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_date(1_704_067_200_123), "2024-01-01T00:00:00.123Z");
    }

    #[test]
    fn dates_parse_back_from_any_offset() {
        assert_eq!(
            parse_iso_date("2024-01-01T00:00:00.123Z"),
            Some(1_704_067_200_123)
        );
        assert_eq!(
            parse_iso_date("2018-10-22T12:43:07Z"),
            Some(1_540_212_187_000)
        );
        assert_eq!(
            parse_iso_date("2024-01-01T01:00:00+01:00"),
            Some(1_704_067_200_000)
        );
        for bad in ["", "yesterday", "2024-13-01T00:00:00Z", "2024-01-01", "10"] {
            assert_eq!(parse_iso_date(bad), None, "{bad:?}");
        }
        assert_eq!(parse_iso_date(&"9".repeat(100)), None);
    }
}
