//! Great Britain's civil time (Europe/London: GMT in winter, BST in summer). Pacing days, the
//! daily cap and blackout windows are counted in it, because that is the day and the hour the
//! CSP's operators and the suppliers' call centres live in: in summer a UTC day would reset the
//! cap at 01:00 local. The tz database (chrono-tz) carries the clock changes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::London;

/// The local date of an instant.
pub fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&London).date_naive()
}

/// The local date and time of an instant.
pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&London).naive_local()
}

/// The local hour of an instant (0 to 23; the repeated hour of an autumn change counts twice).
pub fn hour_of(at: DateTime<Utc>) -> u32 {
    at.with_timezone(&London).hour()
}

/// The first instant of a local day (a day starts at 00:00 local; the clocks never change at
/// midnight in GB, so that time exists and is unique).
pub fn start_of(day: NaiveDate) -> Option<DateTime<Utc>> {
    London
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn summer_days_start_at_23_00_utc_and_winter_days_at_midnight() {
        // 2026-06-30 23:30 UTC is 1 July 00:30 BST.
        assert_eq!(
            day_of(utc(2026, 6, 30, 23, 30)),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
        );
        assert_eq!(
            day_of(utc(2026, 1, 31, 23, 30)),
            NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()
        );
        assert_eq!(
            start_of(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
            Some(utc(2026, 6, 30, 23, 0))
        );
    }

    #[test]
    fn both_change_days_of_2026() {
        // Spring forward, Sunday 29 March: 01:00 UTC becomes 02:00 BST; the day has 23 hours.
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(hour_of(utc(2026, 3, 29, 0, 59)), 0);
        assert_eq!(hour_of(utc(2026, 3, 29, 1, 0)), 2);
        let next = spring.succ_opt().unwrap();
        assert_eq!(
            (start_of(next).unwrap() - start_of(spring).unwrap()).num_hours(),
            23
        );
        // Fall back, Sunday 25 October: 01:00 UTC is 01:00 GMT again; the day has 25 hours.
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        assert_eq!(hour_of(utc(2026, 10, 25, 0, 30)), 1);
        assert_eq!(hour_of(utc(2026, 10, 25, 1, 30)), 1);
        let next = autumn.succ_opt().unwrap();
        assert_eq!(
            (start_of(next).unwrap() - start_of(autumn).unwrap()).num_hours(),
            25
        );
        assert_eq!(day_of(utc(2026, 10, 25, 23, 30)), autumn);
    }
}
