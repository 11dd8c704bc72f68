//! Since when the record knows each hub's firmware: a read-back (late, or the CSP's inventory
//! read) dated before it would move the hub back to what it ran earlier and count that in the
//! Deployed Products List on a day whose counts already moved on (issue 26).
//!
//! Kept sparse: the hubs added, as ranges of estate positions (one entry a day of loads), and
//! the hubs a read-back moved or whose supplier or devices changed, one entry each. A successful attempt's time is in its
//! campaign's record, which `State::firmware_known_since` reads too.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct FirmwareKnown {
    /// (first position, when): the hubs from that position on entered the estate then.
    added: Vec<(u32, DateTime<Utc>)>,
    /// Hubs a read-back moved, or whose supplier or HAN devices changed (each moves the hub
    /// in the Deployed Products List), and when.
    changed: BTreeMap<u32, DateTime<Utc>>,
    /// Restored from a snapshot written before these times were kept (see `since`): the
    /// durable engine replays the events instead of using such a snapshot.
    #[serde(skip)]
    pub outdated: bool,
}

impl FirmwareKnown {
    /// For a state restored from a snapshot written before these times were kept: every hub
    /// known since the snapshot's last event (the safe side: nothing older moves a hub).
    pub fn since(at: Option<DateTime<Utc>>) -> Self {
        FirmwareKnown {
            added: at.map(|at| (0, at)).into_iter().collect(),
            changed: BTreeMap::new(),
            outdated: true,
        }
    }

    /// Hubs from position `first` on entered the estate at `at`. Loads of one (GB local) day
    /// share the day's first entry, so hub-by-hub installs keep one entry a day: the Deployed
    /// Products List counts by day, so a reading earlier that day moves no day's counts below
    /// what they were.
    pub fn added(&mut self, first: u32, at: DateTime<Utc>) {
        let day = crate::kernel::civil_time::day_of(at);
        match self.added.last_mut() {
            // The earlier of the two: one writer's load may reach the log after another's
            // stamped later the same day (decision 20).
            Some((_, last)) if crate::kernel::civil_time::day_of(*last) == day => {
                *last = (*last).min(at);
            }
            _ => self.added.push((first, at)),
        }
    }

    /// Hub `pos` moved at `at` (a read-back, a change of supplier or devices).
    pub fn changed(&mut self, pos: u32, at: DateTime<Utc>) {
        let e = self.changed.entry(pos).or_insert(at);
        *e = (*e).max(at);
    }

    /// The latest time the estate knew hub `pos`'s firmware from its load or a read-back.
    pub fn at(&self, pos: u32) -> Option<DateTime<Utc>> {
        let i = self.added.partition_point(|&(first, _)| first <= pos);
        let added = i.checked_sub(1).map(|i| self.added[i].1);
        added.max(self.changed.get(&pos).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_hub_is_known_since_its_load_or_its_latest_read() {
        let t = |d| Utc.with_ymd_and_hms(2026, 1, d, 9, 0, 0).unwrap();
        let mut k = FirmwareKnown::default();
        assert_eq!(k.at(0), None);
        k.added(0, t(1));
        k.added(10, t(3));
        assert_eq!(
            (k.at(0), k.at(9), k.at(10), k.at(99)),
            (Some(t(1)), Some(t(1)), Some(t(3)), Some(t(3)))
        );
        k.added(20, t(3) + chrono::Duration::hours(2)); // the same day: one entry
        assert_eq!((k.added.len(), k.at(25)), (2, Some(t(3))));
        k.added(30, t(3) - chrono::Duration::hours(1)); // stamped earlier, logged later
        assert_eq!(
            (k.added.len(), k.at(10)),
            (2, Some(t(3) - chrono::Duration::hours(1)))
        );
        k.changed(5, t(7));
        k.changed(5, t(6)); // an older change does not move it back
        assert_eq!(k.at(5), Some(t(7)));
        assert_eq!(FirmwareKnown::since(Some(t(4))).at(123), Some(t(4)));
    }
}
