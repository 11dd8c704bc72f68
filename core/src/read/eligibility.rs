//! Why a hub is or is not upgradeable now, as a party may see it: `explain`, and each blocker
//! as the asker may read it (the other supplier never named to a customer). The evaluation is
//! the write side's (`write/eligibility.rs`: dispatch decides with it); this is its view.

use chrono::{DateTime, Utc};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::{CampaignId, HubId};
use crate::model::campaigns::{Campaign, CampaignChange};
use crate::model::eligibility::{Blocker, Explanation, Party, PolicyNote, RuleNote};
use crate::model::estate::{CustomerIdx, SupplyRole, NO_CUSTOMER};
use crate::model::state::State;
use crate::write::eligibility::{Consent, Raw};

impl State {
    /// Why `hub` is or is not upgradeable now in `campaign`, as `actor` may see it: a customer
    /// only for hubs it supplies, learning of the other supplier only that it exists.
    pub fn explain(
        &self,
        actor: &Actor,
        campaign: &CampaignId,
        hub: HubId,
        at: DateTime<Utc>,
    ) -> Result<Explanation, Error> {
        let c = self.campaign_for(actor, campaign)?;
        let (pos, rec) = self.hub_for(actor, hub)?;
        let ctx = self.campaign_ctx(c, at);
        let mut raw = Vec::new();
        self.blockers(&ctx, pos, false, &mut raw);
        let next_version = if rec.variant == c.variant && rec.firmware != c.target {
            ctx.routes
                .get(&rec.firmware)
                .map(|&(step, _)| self.catalogue.fw(step).version.clone())
        } else {
            None
        };
        let me = self.customer_of(actor);
        let blockers: Vec<Blocker> = raw
            .into_iter()
            .map(|r| self.blocker_view(actor, me, c, r))
            .collect();
        let taken_over_at_cutoff = if rec.variant == c.variant {
            [
                (SupplyRole::Import, rec.import_supplier),
                (SupplyRole::Gas, rec.gas_supplier),
            ]
            .into_iter()
            .enumerate()
            .filter(|&(i, (_, s))| s != NO_CUSTOMER && !(i == 1 && s == rec.import_supplier))
            .filter(|&(_, (_, s))| self.consent_of(&ctx, pos, s) == Consent::CutoffPassed)
            .map(|(_, (role, _))| role)
            .collect()
        } else {
            Vec::new()
        };
        // What the asker's rules (the DCC: every supplier's) did for the hub: approvals and
        // priority (rejections and holds are blockers, above).
        let mut rules = Vec::new();
        for (i, s) in [rec.import_supplier, rec.gas_supplier]
            .into_iter()
            .enumerate()
        {
            let shown = s != NO_CUSTOMER
                && !(i == 1 && s == rec.import_supplier)
                && (*actor == Actor::Dcc || me == Some(s));
            if !shown {
                continue;
            }
            let customer = (*actor == Actor::Dcc)
                .then(|| self.estate.customer(s).cloned())
                .flatten();
            let p32 = pos as u32;
            if let Some(m) = c
                .consents
                .rules
                .get(&s)
                .and_then(|m| m.approved.on(p32, rec.config))
            {
                rules.push(RuleNote {
                    rule: m.by.clone(),
                    did: "approved".into(),
                    customer: customer.clone(),
                });
            }
            if let Some(m) = self
                .rules
                .prioritised
                .get(&s)
                .and_then(|m| m.on(p32, rec.config))
            {
                rules.push(RuleNote {
                    rule: m.by.clone(),
                    did: "prioritised".into(),
                    customer,
                });
            }
        }
        Ok(Explanation {
            hub,
            campaign: c.id.clone(),
            upgradeable: blockers.is_empty(),
            next_version,
            sentences: blockers.iter().map(Blocker::sentence).collect(),
            blockers,
            taken_over_at_cutoff,
            rules,
            policy_changed: c.history.iter().rev().find_map(|h| match &h.change {
                CampaignChange::PolicyChanged { changed, reason } => Some(PolicyNote {
                    at: h.at,
                    changed: changed.clone(),
                    reason: reason.clone(),
                }),
                _ => None,
            }),
        })
    }

    /// One raw blocker as `actor` (customer index `me`) may see it: parties named to the DCC,
    /// "you" and "the other supplier" to a customer, nobody to a CSP.
    pub(crate) fn blocker_view(
        &self,
        actor: &Actor,
        me: Option<CustomerIdx>,
        c: &Campaign,
        r: Raw,
    ) -> Blocker {
        let party = |customer: CustomerIdx| -> Party {
            match actor {
                Actor::Dcc => self
                    .estate
                    .customer(customer)
                    .map(|c| Party::Customer {
                        customer: c.clone(),
                    })
                    .unwrap_or(Party::Unnamed),
                Actor::Customer(_) if me == Some(customer) => Party::You,
                Actor::Customer(_) => Party::OtherSupplier,
                Actor::Csp(_) | Actor::System => Party::Unnamed,
            }
        };
        match r {
            Raw::NotStarted => Blocker::CampaignNotStarted,
            Raw::Suspended => Blocker::CampaignSuspended,
            Raw::Closed(phase) => Blocker::CampaignClosed { phase },
            Raw::WrongVariant => Blocker::WrongVariant,
            Raw::OnTarget => Blocker::AlreadyOnTarget,
            Raw::NoPathway => Blocker::NotOnPathway,
            Raw::StepNotOnCpl(f) => Blocker::StepNotOnProductionCpl {
                version: self.catalogue.fw(f).version.clone(),
            },
            Raw::NotCommissioned(status) => Blocker::NotCommissioned { status },
            Raw::Prerequisite(step, i, device) => {
                let (p, has) = self.prerequisite_missed(step, i, device);
                Blocker::PrerequisiteMissing {
                    version: self.catalogue.fw(step).version.clone(),
                    device: p.device,
                    model: has.model.clone(),
                    has: has.firmware.clone(),
                    needs: p.min_firmware.clone(),
                }
            }
            Raw::Vulnerable => Blocker::VulnerableInPilot,
            Raw::NotInPilot => Blocker::NotInPilot,
            Raw::Awaiting(role, who) => {
                let by = party(who);
                let cutoff = (by != Party::OtherSupplier).then(|| c.cutoff_for(who));
                Blocker::AwaitingConsent { role, by, cutoff }
            }
            Raw::Rejected(role, c, reason) => {
                let by = party(c);
                let show = matches!(by, Party::You | Party::Customer { .. });
                Blocker::Rejected {
                    role,
                    by,
                    reason: show.then_some(reason),
                }
            }
            Raw::InFlight(state) => Blocker::UpgradeInFlight { state },
            Raw::Exhausted(n) => Blocker::AttemptsExhausted {
                attempts: i32::from(n),
            },
            Raw::RetryDelay(until) => Blocker::RetryDelay { until },
            Raw::SetHalted(reason) => Blocker::ConfigurationSetHalted { reason },
            Raw::RuleRejected(role, c, rule, reason) => match party(c) {
                by @ (Party::You | Party::Customer { .. }) => Blocker::RejectedByRule {
                    role,
                    by,
                    rule,
                    reason,
                },
                by => Blocker::Rejected {
                    role,
                    by,
                    reason: None,
                },
            },
            Raw::RuleHeld(c, rule, until) => match party(c) {
                by @ (Party::You | Party::Customer { .. }) => {
                    Blocker::HeldByRule { by, rule, until }
                }
                by => Blocker::HeldBySupplier { by, reason: None },
            },
            Raw::Held(c, reason) => {
                let by = party(c);
                let show = matches!(by, Party::You | Party::Customer { .. });
                Blocker::HeldBySupplier {
                    by,
                    reason: show.then_some(reason),
                }
            }
            // To the co-supplier, the other's defect suspension is the other's hold: who
            // flagged what stays the flagger's (docs/domain.md decision 12).
            Raw::DefectSuspended(c, flag) => match party(c) {
                Party::OtherSupplier => Blocker::HeldBySupplier {
                    by: Party::OtherSupplier,
                    reason: None,
                },
                Party::Unnamed => Blocker::SuspendedByDefectFlag {
                    by: Party::Unnamed,
                    flag: None,
                },
                by => Blocker::SuspendedByDefectFlag {
                    by,
                    flag: Some(flag),
                },
            },
            Raw::Blackout => Blocker::Blackout,
            Raw::CapReached(cap) => Blocker::DailyCapReached {
                cap: crate::kernel::limits::signed(cap),
            },
            Raw::CspPaused(reason) => Blocker::PausedByCsp { reason },
            Raw::OutsideWindow(w) => Blocker::OutsideDispatchWindow {
                from_hour: w.from_hour,
                to_hour: w.to_hour,
            },
        }
    }
}
