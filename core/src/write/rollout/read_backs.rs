//! The CSP's inventory read-back (issue 26): the firmware a hub was read to run, outside any
//! upgrade attempt (MP105's read of a suspended device's firmware is the public precedent). The
//! record follows the field: the hub's firmware becomes what was read, counted in the Deployed
//! Products List on the day it was read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::error::{Error, RowError};
use crate::kernel::ids::actor::Actor;
use crate::kernel::intern::FxBuild;
use crate::kernel::limits;
use crate::model::campaigns::Campaign;
use crate::model::catalogue::FirmwareIdx;
use crate::model::estate::SmiStatus;
use crate::model::rollout::{ReadBackReport, UpgradeState};
use crate::model::state::State;
use crate::write::authority::Authority;
use crate::write::command::{Cx, Decide};
use crate::write::event::{Event, EventPayload, Evolve, Notices};

/// The CSP of the hubs' region: firmware read from hubs outside any upgrade attempt. Every row
/// is checked; any bad row refuses the whole report. A hub with an upgrade in flight is refused
/// (its read-back is that attempt's outcome, `report_outcomes`); so is a hub decommissioned or
/// withdrawn, a version not of the hub's variant, a time after the report, a hub listed twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportReadBacks {
    pub readings: Vec<ReadBackReport>,
}

impl Decide for ReportReadBacks {
    fn action(&self) -> String {
        format!("report {} firmware read-backs", self.readings.len())
    }

    fn check_bounds(&self) -> Result<(), Error> {
        limits::count(
            "readings",
            self.readings.len(),
            limits::MAX_HUBS_PER_COMMAND,
        )?;
        for (i, r) in self.readings.iter().enumerate() {
            limits::text_within(
                &format!("readings[{i}].firmware"),
                r.firmware.as_str(),
                limits::MAX_ROW_TEXT_BYTES,
            )?;
        }
        Ok(())
    }

    fn decide(self, state: &State, cx: &Cx) -> Result<Vec<EventPayload>, Error> {
        let ReportReadBacks { readings } = self;
        if !matches!(cx.actor, Actor::Csp(_)) {
            return Err(Error::not_permitted(
                cx.actor,
                &cx.action,
                "only the CSP of the hubs' region reads their firmware",
            ));
        }
        if readings.is_empty() {
            return Err(Error::invalid_input(
                "readings",
                "report at least one read-back",
            ));
        }
        state
            .simulate_read_backs(cx.actor, &readings, cx.at)
            .map_err(|rows| Error::BulkRejected { rows })?;
        Ok(vec![EventPayload::ReadBacksReported(ReadBacksReported {
            readings,
        })])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReadBacksReported {
    pub readings: Vec<ReadBackReport>,
}

impl Evolve for ReadBacksReported {
    fn recorded_by(&self, _state: &State, actor: &Actor) -> Authority {
        match actor {
            Actor::Csp(_) => Ok(()), // each row's region is checked as it is applied
            _ => Err("only a CSP reads hubs' firmware".into()),
        }
    }

    fn apply(&self, state: &mut State, event: &Event, _verify: bool) -> Result<(), Error> {
        // A log's report is held to the command's bounds too.
        limits::count(
            "readings",
            self.readings.len(),
            limits::MAX_HUBS_PER_COMMAND,
        )?;
        if self.readings.is_empty() {
            return Err(Error::invalid_input("readings", "a report of no read-back"));
        }
        let moved = state
            .simulate_read_backs(&event.actor, &self.readings, event.at)
            .map_err(|rows| Error::BulkRejected { rows })?;
        for (pos, firmware, at) in moved {
            if firmware != state.estate.hubs[pos].firmware {
                let devices = state.estate.devices_of(state.estate.hubs[pos].config);
                state.estate.reconfigure(pos, firmware, &devices)?;
                state.record_moves_on(at); // the DPL counts it on the day it was read
                                           // Known from then on. (A reading that confirms the record is not kept: a
                                           // whole-estate inventory would otherwise keep a time for every hub.)
                state.firmware_known.changed(pos as u32, at);
            }
        }
        Ok(())
    }

    fn notices(&self, _state: &State, _event: &Event, _out: &mut Notices) {}
}

/// A hub a read-back is of: its position, the version read, and when.
type Moved = (usize, FirmwareIdx, DateTime<Utc>);

impl State {
    /// Why a read-back of hub `pos` taken at `at` may not set its record, if it may not: the
    /// hub is out of the field, has an upgrade in flight in another campaign (its read-back is
    /// that attempt's outcome), or the record knows of it something newer than `at`. `own`:
    /// the campaign whose timed-out attempt the read-back concludes late (its own times are
    /// that attempt's to check).
    pub(super) fn read_back_refusal(
        &self,
        pos: usize,
        at: DateTime<Utc>,
        own: Option<&Campaign>,
    ) -> Option<String> {
        let rec = &self.estate.hubs[pos];
        if matches!(rec.smi, SmiStatus::Decommissioned | SmiStatus::Withdrawn) {
            return Some(format!("it is {}; it is no longer in the field", rec.smi));
        }
        let p = pos as u32;
        if let Some((c, s)) = self
            .campaigns
            .values()
            .filter(|c| c.variant == rec.variant && c.is_live() && own.is_none_or(|o| o.id != c.id))
            .find_map(|c| c.rollout.in_flight(p).map(|s| (c, s)))
        {
            return Some(format!(
                "an upgrade is in flight ({s}) in {}; report its read-back as that attempt's outcome",
                c.id
            ));
        }
        self.stale_change(pos, at, own)
    }

    /// Why a change of hub `pos`'s firmware dated `at` (a read-back, a dispatch, a success)
    /// would take the record back behind what it already knows of the hub, if it would: its
    /// load, a change of supplier or devices, an earlier read-back that moved it, or another
    /// campaign's attempt (than `own`, whose times its attempt checks). Such a change would
    /// move the hub back to a version it had left and count it there on days whose counts had
    /// already moved on (the Deployed Products List below zero).
    pub(crate) fn stale_change(
        &self,
        pos: usize,
        at: DateTime<Utc>,
        own: Option<&Campaign>,
    ) -> Option<String> {
        let p = pos as u32;
        let variant = self.estate.hubs[pos].variant;
        // A success changed the firmware at its time; any other attempt's hub changed, if at
        // all, before it was dispatched.
        let attempts = self
            .campaigns
            .values()
            .filter(|c| c.variant == variant && own.is_none_or(|o| o.id != c.id))
            .filter_map(|c| c.rollout.upgrades.get(&p))
            .map(|u| match u.state {
                UpgradeState::Succeeded => u.since,
                _ => u.dispatched_at,
            })
            .max();
        let since = self.firmware_known.at(p).max(attempts)?;
        (at < since).then(|| {
            format!("dated {at}, before what the record already knows of it (as of {since})")
        })
    }

    /// Checks read-backs by `actor` recorded at `recorded`: the hubs whose record they change,
    /// with the version read and when.
    fn simulate_read_backs(
        &self,
        actor: &Actor,
        readings: &[ReadBackReport],
        recorded: DateTime<Utc>,
    ) -> Result<Vec<Moved>, Vec<RowError>> {
        let Actor::Csp(region) = actor else {
            return Err(vec![RowError {
                row: 0,
                reason: "only a CSP reads hubs' firmware".into(),
            }]);
        };
        let mut errors = Vec::new();
        let mut moved = Vec::new();
        let mut seen = std::collections::HashSet::<usize, FxBuild>::default();
        for (row, r) in readings.iter().enumerate() {
            let hub = r.hub;
            let mut refuse = |reason: String| {
                errors.push(RowError {
                    row,
                    reason: format!("hub {hub}: {reason}"),
                })
            };
            let at = r.happened_at.unwrap_or(recorded);
            if at > recorded {
                refuse(format!(
                    "read at {at}, after the report is recorded ({recorded})"
                ));
                continue;
            }
            // Another region's hub reads as one that does not exist.
            let Some(pos) = self
                .estate
                .position(hub)
                .filter(|&p| self.catalogue.variant(self.estate.hubs[p].variant).region == *region)
            else {
                refuse("not found".into());
                continue;
            };
            if !seen.insert(pos) {
                refuse("listed twice".into());
                continue;
            }
            let rec = &self.estate.hubs[pos];
            let Some(firmware) = self.catalogue.firmware_idx(rec.variant, &r.firmware) else {
                refuse(format!(
                    "{} is not a version of {}",
                    r.firmware,
                    self.catalogue.variant(rec.variant).id
                ));
                continue;
            };
            if let Some(why) = self.read_back_refusal(pos, at, None) {
                refuse(why);
                continue;
            }
            moved.push((pos, firmware, at));
        }
        if errors.is_empty() {
            Ok(moved)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod specs {
    use super::*;
    use crate::kernel::error::ErrorKind;
    use crate::kernel::ids::{HubId, Region};
    use crate::write::spec::{catalogue, day, estate, given, sup};

    fn reading(hub: u64, firmware: &str, at: Option<DateTime<Utc>>) -> ReadBackReport {
        ReadBackReport {
            hub: HubId::from_u64(hub),
            firmware: firmware.parse().unwrap(),
            happened_at: at,
        }
    }

    /// Hubs of SUP-A on `firmware` in its DPL at the end of `at`'s GB day.
    fn on(e: &crate::engine::Engine, firmware: &str, at: DateTime<Utc>) -> i64 {
        let a = sup("SUP-A");
        let customer = "SUP-A".parse().unwrap();
        e.state()
            .dpl_on(&a, Some(&customer), crate::kernel::civil_time::day_of(at))
            .unwrap()
            .iter()
            .filter(|d| d.configuration_set.firmware.as_str() == firmware)
            .map(|d| d.hubs)
            .sum()
    }

    #[test]
    fn the_csp_reads_a_hub_s_firmware_and_the_record_follows_on_the_day_it_was_read() {
        let north = Actor::Csp(Region::North);
        let read = ReportReadBacks {
            readings: vec![reading(1, "2.0", Some(day(3)))],
        };
        given(&[catalogue(), estate()])
            .when(&north, day(5), read.clone())
            .then(vec![ReadBacksReported {
                readings: read.readings.clone(),
            }
            .into()])
            .then_view(
                |e| {
                    let hub = e.state().hub(&Actor::Dcc, HubId::from_u64(1)).unwrap();
                    (
                        hub.firmware.to_string(),
                        on(e, "2.0", day(2)),
                        on(e, "2.0", day(3)),
                        on(e, "2.0", day(5)),
                    )
                },
                ("2.0".to_string(), 0, 1, 1),
            );
    }

    #[test]
    fn a_read_back_is_refused_whole_for_any_bad_row_and_to_anyone_but_a_csp() {
        let north = Actor::Csp(Region::North);
        let refused = |rows: Vec<ReadBackReport>| {
            given(&[catalogue(), estate()])
                .when(&north, day(5), ReportReadBacks { readings: rows })
                .then_error(ErrorKind::BulkRejected, None);
        };
        refused(vec![reading(1, "2.0", None), reading(4, "1.0", None)]); // hub 4 is the south's
        refused(vec![reading(1, "9.9", None)]); // not a version of the variant
        refused(vec![reading(1, "2.0", Some(day(6)))]); // after the report
        refused(vec![reading(1, "2.0", None), reading(1, "1.1", None)]); // listed twice
        refused(vec![reading(77, "2.0", None)]); // unknown
        for actor in [Actor::Dcc, sup("SUP-A")] {
            given(&[catalogue(), estate()])
                .when(
                    &actor,
                    day(5),
                    ReportReadBacks {
                        readings: vec![reading(1, "2.0", None)],
                    },
                )
                .then_error(ErrorKind::NotPermitted, None);
        }
        given(&[catalogue(), estate()])
            .when(&north, day(5), ReportReadBacks { readings: vec![] })
            .then_error(ErrorKind::InvalidInput, None);
    }

    #[test]
    fn a_log_cannot_carry_an_empty_report_or_a_reading_behind_the_record() {
        let north = Actor::Csp(Region::North);
        let err = given(&[catalogue(), estate()]).refuses_recorded(
            &north,
            day(5),
            ReadBacksReported { readings: vec![] }.into(),
        );
        assert!(err.to_string().contains("readings"), "{err}");
        // Read on day 4, then a reading of day 3 recorded in a log: refused as decide would.
        let read = vec![(
            north.clone(),
            day(4),
            ReportReadBacks {
                readings: vec![reading(1, "2.0", Some(day(4)))],
            }
            .into(),
        )];
        let err = given(&[catalogue(), estate(), read]).refuses_recorded(
            &north,
            day(5),
            ReadBacksReported {
                readings: vec![reading(1, "1.1", Some(day(3)))],
            }
            .into(),
        );
        assert!(
            err.to_string()
                .contains("before what the record already knows"),
            "{err}"
        );
    }
}
