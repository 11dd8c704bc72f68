//! Pacing: a daily cap on the hubs offered in the CSP's list, ramped up by a factor after each
//! day whose failure rate stayed under the campaign's threshold, and blackout windows with no
//! dispatch. Days and hours are Great Britain's civil time (see [`crate::kernel::civil_time`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{DayTally, HaltPolicy};
use crate::kernel::error::Error;

/// A day of the week, for a weekly blackout window (Great Britain's civil time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    fn next(self) -> Weekday {
        match self {
            Weekday::Monday => Weekday::Tuesday,
            Weekday::Tuesday => Weekday::Wednesday,
            Weekday::Wednesday => Weekday::Thursday,
            Weekday::Thursday => Weekday::Friday,
            Weekday::Friday => Weekday::Saturday,
            Weekday::Saturday => Weekday::Sunday,
            Weekday::Sunday => Weekday::Monday,
        }
    }

    fn of(day: chrono::Weekday) -> Weekday {
        match day {
            chrono::Weekday::Mon => Weekday::Monday,
            chrono::Weekday::Tue => Weekday::Tuesday,
            chrono::Weekday::Wed => Weekday::Wednesday,
            chrono::Weekday::Thu => Weekday::Thursday,
            chrono::Weekday::Fri => Weekday::Friday,
            chrono::Weekday::Sat => Weekday::Saturday,
            chrono::Weekday::Sun => Weekday::Sunday,
        }
    }
}

/// A time with no dispatch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Blackout {
    /// Whole local days, `from` to `to` inclusive.
    Dates { from: NaiveDate, to: NaiveDate },
    /// Every week on `day`, from `from_hour` up to (not including) `to_hour`, local time. A
    /// window whose `to_hour` is before its `from_hour` crosses midnight into the next day
    /// (Saturday 22 to 2: Saturday 22:00 to Sunday 02:00).
    Weekly {
        day: Weekday,
        from_hour: i32,
        to_hour: i32,
    },
}

impl Blackout {
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        let (date, hour) = (
            crate::kernel::civil_time::day_of(at),
            crate::kernel::civil_time::hour_of(at),
        );
        match self {
            Blackout::Dates { from, to } => (*from..=*to).contains(&date),
            Blackout::Weekly {
                day,
                from_hour,
                to_hour,
            } => {
                // Hours are checked to 0..=24 when the policy is accepted.
                let (from, to) = (*from_hour, *to_hour);
                let hour = i32::try_from(hour).unwrap_or(i32::MAX);
                let today = Weekday::of(date.weekday());
                if from < to {
                    today == *day && (from..to).contains(&hour)
                } else {
                    (today == *day && hour >= from) || (today == day.next() && hour < to)
                }
            }
        }
    }
}

/// A campaign's pacing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Pacing {
    /// Hubs offered (and dispatched) per day at first; `None`: no cap, only blackouts.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub daily_cap: Option<i32>,
    /// After each day whose failure rate stayed under the threshold, the cap is multiplied by
    /// this (1.0: no ramp).
    #[serde(default = "one")]
    #[cfg_attr(feature = "uniffi", uniffi(default = 1.0))]
    pub ramp_factor: f64,
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub blackouts: Vec<Blackout>,
}

fn one() -> f64 {
    1.0
}

impl Pacing {
    pub(crate) fn check(&self) -> Result<(), Error> {
        use crate::kernel::limits::{policy_limits, within};
        if let Some(cap) = self.daily_cap {
            within("policy.pacing.daily_cap", cap, &policy_limits::DAILY_CAP)?;
        }
        if self.blackouts.len() > policy_limits::BLACKOUTS {
            return Err(Error::too_many(
                "policy.pacing.blackouts",
                self.blackouts.len(),
                policy_limits::BLACKOUTS,
            ));
        }
        if !self.ramp_factor.is_finite() || self.ramp_factor < 1.0 || self.ramp_factor > 100.0 {
            return Err(Error::invalid_input(
                "policy.pacing.ramp_factor",
                format!("{} is not between 1 and 100", self.ramp_factor),
            ));
        }
        for (i, b) in self.blackouts.iter().enumerate() {
            let field = format!("policy.pacing.blackouts[{i}]");
            match b {
                Blackout::Dates { from, to } if to < from => {
                    return Err(Error::invalid_input(
                        field,
                        format!("{to} is before {from}"),
                    ))
                }
                Blackout::Weekly {
                    from_hour, to_hour, ..
                } if from_hour == to_hour
                    || !(0..=23).contains(from_hour)
                    || !(0..=24).contains(to_hour) =>
                {
                    return Err(Error::invalid_input(
                        field,
                        format!(
                            "hours {from_hour} to {to_hour} are not a window (from 0 to 23, to 1 to 24, not equal; to before from crosses midnight)"
                        ),
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }

    pub fn blackout_at(&self, at: DateTime<Utc>) -> bool {
        self.blackouts.iter().any(|b| b.covers(at))
    }

    /// The cap of `day`, ramped once for every earlier day with outcomes whose failure rate
    /// stayed at or under the halt threshold (every such day when the campaign has none).
    pub(crate) fn cap_on(
        &self,
        day: NaiveDate,
        days: &BTreeMap<NaiveDate, DayTally>,
        halt: Option<&HaltPolicy>,
    ) -> Option<u64> {
        let cap = self.daily_cap?;
        let good_days = days
            .range(..day)
            .filter(|(_, d)| d.tally.outcomes > 0)
            .filter(|(_, d)| {
                halt.is_none_or(|h| d.tally.failure_percent() <= h.failure_threshold_percent)
            })
            .count();
        let ramped = f64::from(cap) * self.ramp_factor.powi(good_days.min(10_000) as i32);
        Some(if ramped >= 1e15 {
            1e15 as u64
        } else {
            ramped.floor() as u64
        })
    }
}

/// Hours of the day (Great Britain's civil time) the CSP dispatches a pilot in: from
/// `from_hour` up to (not including) `to_hour`; a `to_hour` before `from_hour` crosses midnight
/// (22 to 6: 22:00 to 06:00 the next morning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DispatchWindow {
    pub from_hour: i32,
    pub to_hour: i32,
}

impl DispatchWindow {
    pub(crate) fn check(&self, field: &str) -> Result<(), Error> {
        let DispatchWindow { from_hour, to_hour } = *self;
        if from_hour == to_hour || !(0..=23).contains(&from_hour) || !(0..=24).contains(&to_hour) {
            return Err(Error::invalid_input(
                field,
                format!(
                    "hours {from_hour} to {to_hour} are not a window (from 0 to 23, to 1 to 24, not equal; to before from crosses midnight)"
                ),
            ));
        }
        Ok(())
    }

    /// Whether `at` falls inside the window.
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        let hour = i32::try_from(crate::kernel::civil_time::hour_of(at)).unwrap_or(i32::MAX);
        let (from, to) = (self.from_hour, self.to_hour);
        if from < to {
            (from..to).contains(&hour)
        } else {
            hour >= from || hour < to
        }
    }
}

/// How the CSP paces a campaign's pilot (docs/domain.md decision 23), inside the DCC's policy:
/// its own daily cap (the lower of it and the policy's applies) and the hours it dispatches in
/// (the policy's blackouts still apply within them). Both `None`: the policy alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PilotPacing {
    /// Hubs dispatched per day in the pilot at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub daily_cap: Option<i32>,
    /// The hours the pilot is dispatched in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub window: Option<DispatchWindow>,
}

impl PilotPacing {
    /// Refuses a cap outside the bounds every policy cap has, a cap above the policy's own
    /// daily cap (before its ramp), or a window that is not one.
    pub(crate) fn check(&self, policy: Option<&Pacing>) -> Result<(), Error> {
        use crate::kernel::limits::{policy_limits, within};
        if let Some(cap) = self.daily_cap {
            within("daily_cap", cap, &policy_limits::DAILY_CAP)?;
            if let Some(limit) = policy.and_then(|p| p.daily_cap) {
                if cap > limit {
                    return Err(Error::invalid_input(
                        "daily_cap",
                        format!("{cap} is above the campaign policy's daily cap of {limit}"),
                    ));
                }
            }
        }
        if let Some(w) = &self.window {
            w.check("window")?;
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.daily_cap.is_none() && self.window.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rollout::Tally;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn tally(outcomes: i64, failures: i64) -> DayTally {
        DayTally {
            dispatched: outcomes as u64,
            tally: Tally { outcomes, failures },
        }
    }

    #[test]
    fn the_cap_ramps_after_good_days_only() {
        let p = Pacing {
            daily_cap: Some(10),
            ramp_factor: 1.5,
            blackouts: vec![],
        };
        let halt = HaltPolicy {
            failure_threshold_percent: 20.0,
            min_outcomes: 1,
        };
        let mut days = BTreeMap::new();
        assert_eq!(p.cap_on(day(2), &days, Some(&halt)), Some(10));
        days.insert(day(2), tally(10, 2)); // 20%: not above the threshold, ramps
        assert_eq!(p.cap_on(day(3), &days, Some(&halt)), Some(15));
        days.insert(day(3), tally(15, 4)); // 26.7%: holds
        assert_eq!(p.cap_on(day(4), &days, Some(&halt)), Some(15));
        days.insert(
            day(4),
            DayTally {
                dispatched: 15,
                tally: Tally::default(),
            },
        ); // no outcomes yet
        assert_eq!(p.cap_on(day(5), &days, Some(&halt)), Some(15));
        // The day itself and later days do not count towards its own cap.
        assert_eq!(p.cap_on(day(2), &days, Some(&halt)), Some(10));
        // With no halt policy, every day with outcomes ramps: 10 * 1.5^2.
        assert_eq!(p.cap_on(day(5), &days, None), Some(22));
        let uncapped = Pacing {
            daily_cap: None,
            ..p
        };
        assert_eq!(uncapped.cap_on(day(5), &days, None), None);
    }

    #[test]
    fn blackouts_cover_their_dates_and_weekly_hours() {
        use chrono::TimeZone;
        let p = Pacing {
            daily_cap: None,
            ramp_factor: 1.0,
            blackouts: vec![
                Blackout::Dates {
                    from: day(10),
                    to: day(11),
                },
                Blackout::Weekly {
                    day: Weekday::Friday,
                    from_hour: 16,
                    to_hour: 24,
                },
            ],
        };
        let at = |d, h| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
        assert!(p.blackout_at(at(10, 0)) && p.blackout_at(at(11, 23)));
        assert!(!p.blackout_at(at(12, 0)));
        // 2026-03-13 is a Friday.
        assert!(!p.blackout_at(at(13, 15)));
        assert!(p.blackout_at(at(13, 16)) && p.blackout_at(at(13, 23)));
        assert!(!p.blackout_at(at(14, 16)));
    }
}
