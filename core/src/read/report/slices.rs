//! A list of hundreds of configuration sets as a pie a person reads: a few slices, never mostly
//! "other". The largest sets on their own while each is a real part of the whole; then the rest
//! grouped by variant and hub firmware (the sets that upgrade together); where that still leaves
//! most of the pie in "other", by variant alone; at most [`MAX_SLICES`] slices in all.

use serde::{Deserialize, Serialize};

use crate::read::dpl::DplEntry;

/// The most slices a pie has, "other" included.
pub const MAX_SLICES: usize = 6;
/// At most this many sets get a slice of their own...
const OWN_SLICES: usize = 3;
/// ...each at least this part of the whole (per thousand).
const OWN_MIN_PER_MILLE: i64 = 50;

/// What a slice holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SliceKind {
    /// One configuration set.
    Set,
    /// The remaining sets of one variant at one hub firmware.
    VariantFirmware,
    /// The remaining sets of one variant.
    Variant,
    /// Everything else.
    Other,
}

/// One slice of the pie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PieSlice {
    pub kind: SliceKind,
    /// The set's label, the group's (`CH N DB 1.1 (other sets)`, `CH N DB (other sets)`), or
    /// `other`.
    pub label: String,
    pub hubs: i64,
    /// How many configuration sets it holds.
    pub sets: i64,
}

/// The pie of `list` (largest first, as a DPL answer gives it): the largest sets on their own,
/// then groups, then "other"; slices largest first within each kind, "other" last. Fewer sets
/// get slices of their own when that is what keeps "other" to at most half the pie.
pub fn pie_slices(list: &[DplEntry]) -> Vec<PieSlice> {
    PiePlan::of(list).slices
}

/// How a list was cut into slices.
struct PiePlan {
    slices: Vec<PieSlice>,
}

impl PiePlan {
    fn of(list: &[DplEntry]) -> PiePlan {
        let total: i64 = list.iter().map(|e| e.hubs).sum();
        let mut best: Option<PiePlan> = None;
        for own in (0..=OWN_SLICES).rev() {
            let plan = PiePlan::with(list, own, total);
            if plan.other() * 2 <= total {
                return plan;
            }
            if best.as_ref().is_none_or(|b| plan.other() < b.other()) {
                best = Some(plan);
            }
        }
        best.unwrap_or(PiePlan { slices: Vec::new() })
    }

    fn other(&self) -> i64 {
        self.slices
            .iter()
            .filter(|s| s.kind == SliceKind::Other)
            .map(|s| s.hubs)
            .sum()
    }

    /// The plan with at most `own` sets on their own.
    fn with(list: &[DplEntry], own: usize, total: i64) -> PiePlan {
        let mut sorted: Vec<&DplEntry> = list.iter().filter(|e| e.hubs > 0).collect();
        sorted.sort_by(|a, b| b.hubs.cmp(&a.hubs).then(a.label.cmp(&b.label)));
        let mut slices: Vec<PieSlice> = Vec::new();
        let mut rest: Vec<&DplEntry> = Vec::new();
        for e in sorted {
            let big = e.hubs * 1000 >= OWN_MIN_PER_MILLE * total;
            if slices.len() < own && big {
                slices.push(PieSlice {
                    kind: SliceKind::Set,
                    label: e.label.clone(),
                    hubs: e.hubs,
                    sets: 1,
                });
            } else {
                rest.push(e);
            }
        }
        if rest.len() <= MAX_SLICES - slices.len() {
            // Room for every remaining set on its own.
            slices.extend(rest.iter().map(|e| PieSlice {
                kind: SliceKind::Set,
                label: e.label.clone(),
                hubs: e.hubs,
                sets: 1,
            }));
            return PiePlan { slices };
        }
        let own_labels: Vec<String> = slices.iter().map(|s| s.label.clone()).collect();
        let by_firmware = groups(&rest, |e| group_key(e, SliceKind::VariantFirmware));
        let by_variant = groups(&rest, |e| group_key(e, SliceKind::Variant));
        let room = MAX_SLICES - slices.len() - 1;
        // The grouping that leaves less as "other"; the finer one when they tie.
        let left = |g: &[(String, i64, i64)]| -> i64 { g.iter().skip(room).map(|x| x.1).sum() };
        let (grouped, kind) = if left(&by_variant) < left(&by_firmware) {
            (by_variant, SliceKind::Variant)
        } else {
            (by_firmware, SliceKind::VariantFirmware)
        };
        // A last group that would be all of "other" is named instead.
        let room = if grouped.len() == room + 1 {
            room + 1
        } else {
            room
        };
        let mut other = (0i64, 0i64);
        for (i, (name, hubs, sets)) in grouped.into_iter().enumerate() {
            if i < room {
                // "other sets" where some of the group's sets have slices of their own.
                let split = list
                    .iter()
                    .any(|e| own_labels.contains(&e.label) && group_key(e, kind) == name);
                slices.push(PieSlice {
                    kind,
                    label: format!("{name} ({})", if split { "other sets" } else { "all sets" }),
                    hubs,
                    sets,
                });
            } else {
                other.0 += hubs;
                other.1 += sets;
            }
        }
        if other.0 > 0 {
            slices.push(PieSlice {
                kind: SliceKind::Other,
                label: "other".into(),
                hubs: other.0,
                sets: other.1,
            });
        }
        PiePlan { slices }
    }
}

/// The group a set falls in: its variant and hub firmware, or its variant (as labels write
/// them).
fn group_key(e: &DplEntry, kind: SliceKind) -> String {
    let variant = e.configuration_set.variant.as_str().replace('-', " ");
    match kind {
        SliceKind::VariantFirmware => format!("{variant} {}", e.configuration_set.firmware),
        _ => variant,
    }
}

/// `sets` grouped by `key`: (key, hubs, sets), largest first.
fn groups(sets: &[&DplEntry], key: impl Fn(&DplEntry) -> String) -> Vec<(String, i64, i64)> {
    let mut out: Vec<(String, i64, i64)> = Vec::new();
    for e in sets {
        let k = key(e);
        match out.iter_mut().find(|g| g.0 == k) {
            Some(g) => {
                g.1 += e.hubs;
                g.2 += 1;
            }
            None => out.push((k, e.hubs, 1)),
        }
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}
