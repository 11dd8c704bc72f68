//! Synthetic estates of a realistic shape, deterministic from a seed: for the examples, the
//! tests and the benchmarks. Three regions, two variants each (single and dual band), a chain
//! of firmware versions with pathways, about fifteen suppliers of uneven size, about 300
//! configuration sets with a long tail, 10 to 15% split supply, 2 to 4% vulnerable or high-risk
//! premises, some super-friendly ones.

pub use crate::kernel::rng::SplitMix64;

use chrono::{Duration, NaiveDate};

use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CustomerId, FirmwareVersion, HubId, Region, VariantId};
use crate::model::catalogue::{Gate, HanBand, Variant};
use crate::model::estate::{ConsumerFlags, HanDevice, HanDevices, HubRow, SmiStatus};
use crate::write::command::Command;
use crate::write::command::*;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    pub seed: u64,
    pub hubs: usize,
    pub suppliers: usize,
    /// Share of dual-fuel hubs whose gas supplier differs from the electricity supplier.
    pub split_of_dual_fuel: f64,
    /// Share of premises a supplier flags vulnerable (PSR) or high risk.
    pub vulnerable: f64,
    pub super_friendly: f64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 2026,
            hubs: 10_000,
            suppliers: 15,
            split_of_dual_fuel: 0.16,
            vulnerable: 0.03,
            super_friendly: 0.02,
        }
    }
}

/// One variant's firmware: versions in order, each with the versions that upgrade to it.
#[derive(Debug, Clone)]
pub struct SynthFirmware {
    pub variant: VariantId,
    pub version: FirmwareVersion,
    pub upgrades_from: Vec<FirmwareVersion>,
}

#[derive(Debug, Clone)]
pub struct SynthEstate {
    pub variants: Vec<Variant>,
    pub firmware: Vec<SynthFirmware>,
    pub suppliers: Vec<CustomerId>,
    pub hubs: Vec<HubRow>,
}

/// Versions per variant: 1.0 -> 1.1 -> 1.2 -> 2.0, and 1.1 -> 2.0 directly; the estate runs
/// 1.0 to 1.2, so a campaign to 2.0 has hubs one and two steps behind.
const VERSIONS: [(&str, &[&str]); 4] = [
    ("1.0", &[]),
    ("1.1", &["1.0"]),
    ("1.2", &["1.1"]),
    ("2.0", &["1.2", "1.1"]),
];

fn id<T: std::str::FromStr<Err = crate::kernel::error::Error>>(s: &str) -> T {
    s.parse()
        .unwrap_or_else(|e| panic!("synthetic id {s:?} is valid by construction: {e}"))
}

fn pick(rng: &mut SplitMix64, models: &[(&str, &[&str])]) -> HanDevice {
    let (m, fws) = models[rng.below(models.len())];
    HanDevice::new(m, fws[rng.below(fws.len())])
}

fn flags(rng: &mut SplitMix64, cfg: &SynthConfig) -> ConsumerFlags {
    ConsumerFlags {
        vulnerable: rng.chance(cfg.vulnerable * 0.8),
        high_risk: rng.chance(cfg.vulnerable * 0.2),
        super_friendly: rng.chance(cfg.super_friendly),
    }
}

impl SynthEstate {
    pub fn generate(cfg: &SynthConfig) -> SynthEstate {
        let mut rng = SplitMix64::new(cfg.seed);
        let manufacturers = [("Aurora", 0x00_1B_C5u64), ("Meridian", 0x00_24_B8u64)];
        let mut variants = Vec::new();
        for region in Region::ALL {
            for (band, code) in [(HanBand::SingleBand, "SB"), (HanBand::DualBand, "DB")] {
                let (maker, _) = manufacturers[variants.len() % 2];
                variants.push(Variant {
                    id: id(&format!(
                        "{}-{}-{}",
                        maker.to_uppercase(),
                        code,
                        region.as_str().to_uppercase()
                    )),
                    manufacturer: maker.into(),
                    model: format!("CH-{code}"),
                    hardware_version: "B2".into(),
                    han_band: band,
                    region,
                });
            }
        }
        let firmware = variants
            .iter()
            .flat_map(|v| {
                VERSIONS.iter().map(|(ver, from)| SynthFirmware {
                    variant: v.id.clone(),
                    version: id(ver),
                    upgrades_from: from.iter().map(|f| id(f)).collect(),
                })
            })
            .collect();
        let suppliers: Vec<CustomerId> = (1..=cfg.suppliers.max(1))
            .map(|i| id(&format!("SUPPLIER-{i:02}")))
            .collect();
        // Uneven market: supplier i has weight 1/i (a few large, a long tail of small).
        let weights: Vec<f64> = (1..=suppliers.len()).map(|i| 1.0 / i as f64).collect();
        // HAN kits (the devices behind a hub), of uneven popularity: 12 dual-fuel and 5
        // electricity-only. With 6 variants and 3 CH versions in the field they make about
        // 6 x 3 x 17 = 306 configuration sets, with a long tail.
        let esme = [
            ("EM-A1", &["3.1", "3.2"][..]),
            ("EM-B4", &["7.0", "7.2", "7.3"]),
            ("EM-C2", &["1.9"]),
            ("EM-D7", &["2.0", "2.1"]),
        ];
        let gsme = [
            ("GM-K1", &["5.0", "5.1"][..]),
            ("GM-L3", &["2.4"]),
            ("GM-M9", &["9.1", "9.2"]),
        ];
        let ihd = [("IHD-X", &["1.0"][..]), ("IHD-Y", &["4.4", "4.5"])];
        let start = NaiveDate::from_ymd_opt(2019, 1, 1).expect("valid date");
        let kit = |rng: &mut SplitMix64, dual_fuel: bool, k: usize| {
            let mut d = HanDevices {
                esme: Some(pick(rng, &esme)),
                gsme: dual_fuel.then(|| pick(rng, &gsme)),
                ppmid: None,
                hcalcs: None,
                ihd: Some(pick(rng, &ihd)),
            };
            if k % 5 == 4 {
                d.ppmid = Some(HanDevice::new("PPMID-P", "2.2"));
            }
            if dual_fuel && k % 6 == 5 {
                d.hcalcs = Some(HanDevice::new("HCALCS-H", "1.1"));
            }
            d
        };
        let mut dual_kits = Vec::new();
        let mut electric_kits = Vec::new();
        for k in 0..12 {
            dual_kits.push(kit(&mut rng, true, k));
        }
        for k in 0..5 {
            electric_kits.push(kit(&mut rng, false, k));
        }
        let dual_weights: Vec<f64> = (1..=dual_kits.len()).map(|i| 1.0 / i as f64).collect();
        let electric_weights: Vec<f64> =
            (1..=electric_kits.len()).map(|i| 1.0 / i as f64).collect();
        let mut hubs = Vec::with_capacity(cfg.hubs);
        for i in 0..cfg.hubs {
            let vi = rng.below(variants.len());
            let v = &variants[vi];
            let oui = manufacturers[vi % 2].1;
            let fw = match rng.below(10) {
                0 => "1.0",
                1..=3 => "1.1",
                _ => "1.2",
            };
            let dual_fuel = rng.chance(0.75);
            let devices = if dual_fuel {
                dual_kits[rng.weighted(&dual_weights)].clone()
            } else {
                electric_kits[rng.weighted(&electric_weights)].clone()
            };
            let mut row = HubRow {
                id: HubId::from_u64(oui << 40 | i as u64),
                variant: v.id.clone(),
                firmware: id(fw),
                smi_status: SmiStatus::Commissioned,
                devices,
                import_supplier: Some(suppliers[rng.weighted(&weights)].clone()),
                gas_supplier: None,
                import_flags: ConsumerFlags::default(),
                gas_flags: ConsumerFlags::default(),
                installed_on: start + Duration::days(rng.below(2_700) as i64),
                commissioned_on: None,
            };
            if dual_fuel {
                row.gas_supplier = if rng.chance(cfg.split_of_dual_fuel) {
                    Some(suppliers[rng.weighted(&weights)].clone())
                } else {
                    row.import_supplier.clone()
                };
            }
            row.import_flags = flags(&mut rng, cfg);
            if row.gas_supplier.is_some() {
                row.gas_flags = if row.gas_supplier == row.import_supplier {
                    row.import_flags
                } else {
                    flags(&mut rng, cfg)
                };
            }
            row.smi_status = match rng.below(100) {
                0 | 1 => SmiStatus::InstalledNotCommissioned,
                2 => SmiStatus::Suspended,
                3 => SmiStatus::Decommissioned,
                _ => SmiStatus::Commissioned,
            };
            if row.smi_status != SmiStatus::InstalledNotCommissioned {
                row.commissioned_on = Some(row.installed_on + Duration::days(rng.below(4) as i64));
            }
            hubs.push(row);
        }
        SynthEstate {
            variants,
            firmware,
            suppliers,
            hubs,
        }
    }

    /// The commands that register every variant and firmware version and pass every gate, so
    /// that each version is on the production CPL. Each with the actor allowed to make it.
    pub fn catalogue_commands(&self) -> Vec<(Actor, Command)> {
        let mut out: Vec<(Actor, Command)> = self
            .variants
            .iter()
            .map(|v| {
                (
                    Actor::Dcc,
                    Command::RegisterVariant(RegisterVariant {
                        variant: Box::new(v.clone()),
                    }),
                )
            })
            .collect();
        for f in &self.firmware {
            let region = self
                .variants
                .iter()
                .find(|v| v.id == f.variant)
                .map(|v| v.region)
                .unwrap_or(Region::North);
            out.push((
                Actor::Csp(region),
                Command::RegisterFirmware(RegisterFirmware {
                    variant: f.variant.clone(),
                    version: f.version.clone(),
                    upgrades_from: f.upgrades_from.clone(),
                    prerequisites: Vec::new(),
                }),
            ));
            for gate in Gate::ALL {
                // The catalogue comes before the estate, so no customer has hubs of the
                // variant to test on yet: the DCC closes customer testing with its reason.
                let (actor, note) = match gate.recorder() {
                    crate::model::catalogue::GateRecorder::RegionCsp => (Actor::Csp(region), None),
                    crate::model::catalogue::GateRecorder::Dcc => (
                        Actor::Dcc,
                        (gate == Gate::CustomerTested).then(|| {
                            "closed without customer feedback: a synthetic catalogue, \
                             registered before its estate"
                                .to_string()
                        }),
                    ),
                };
                out.push((
                    actor,
                    Command::RecordGate(RecordGate {
                        variant: f.variant.clone(),
                        version: f.version.clone(),
                        gate,
                        note,
                    }),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_estate_other_seed_other_estate() {
        let cfg = SynthConfig {
            hubs: 500,
            ..Default::default()
        };
        let a = SynthEstate::generate(&cfg);
        let b = SynthEstate::generate(&cfg);
        assert_eq!(a.hubs, b.hubs);
        let c = SynthEstate::generate(&SynthConfig { seed: 7, ..cfg });
        assert_ne!(a.hubs, c.hubs);
    }

    #[test]
    fn shape_is_realistic() {
        let e = SynthEstate::generate(&SynthConfig {
            hubs: 20_000,
            ..Default::default()
        });
        let n = e.hubs.len() as f64;
        let split = e
            .hubs
            .iter()
            .filter(|h| h.gas_supplier.is_some() && h.gas_supplier != h.import_supplier)
            .count() as f64;
        let vulnerable = e
            .hubs
            .iter()
            .filter(|h| h.import_flags.vulnerable || h.import_flags.high_risk)
            .count() as f64;
        assert!(
            (0.08..0.16).contains(&(split / n)),
            "split share {}",
            split / n
        );
        assert!(
            (0.015..0.05).contains(&(vulnerable / n)),
            "vulnerable share {}",
            vulnerable / n
        );
        assert_eq!(e.variants.len(), 6);
        // About 300 configuration sets: 6 variants x 3 versions in the field x 17 HAN kits.
        let sets: std::collections::HashSet<_> = e
            .hubs
            .iter()
            .map(|h| {
                (
                    h.variant.clone(),
                    h.firmware.clone(),
                    format!("{:?}", h.devices),
                )
            })
            .collect();
        assert!((250..=306).contains(&sets.len()), "{} sets", sets.len());
        let regions: std::collections::HashSet<_> = e.variants.iter().map(|v| v.region).collect();
        assert_eq!(regions.len(), 3);
    }
}
