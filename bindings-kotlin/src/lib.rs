//! The Kotlin/JVM binding of commshub-ota, through UniFFI proc-macros. A thin layer: an
//! `Engine` object (a `Mutex` around the core engine, so one handle is safe to share between
//! JVM threads; Kotlin sees it as AutoCloseable) whose methods parse their arguments into core
//! types, run the command or query, and convert the answer (see `types.rs`, `error.rs`).

mod error;
mod rollout;
mod types;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use commshub_ota as core;
use commshub_ota::command::*;
use commshub_ota::{journal, Command};

pub use error::{CommsHubOtaError, RowError};
pub use rollout::*;
pub use types::*;

uniffi::setup_scaffolding!();

type Result<T> = std::result::Result<T, CommsHubOtaError>;

fn hub_ids(hubs: &[String]) -> Result<Vec<core::HubId>> {
    Ok(hubs
        .iter()
        .map(|h| h.parse())
        .collect::<std::result::Result<_, _>>()?)
}

fn actor(text: &str) -> Result<core::Actor> {
    Ok(text.parse()?)
}

/// The canonical text of an identifier of `kind` (`hub_id`, `customer_id`, `variant_id`,
/// `firmware_version`, `campaign_id`, `region`, `actor`).
#[uniffi::export]
pub fn parse_id(kind: String, input: String) -> Result<String> {
    Ok(core::ids::canonical(&kind, &input)?)
}

/// The event schema version this library writes.
#[uniffi::export]
pub fn schema_version() -> i64 {
    i64::from(core::SCHEMA_VERSION)
}

#[derive(uniffi::Object)]
pub struct Engine {
    inner: Arc<Mutex<core::Engine>>,
    /// This engine's entry in [`OPEN`], for `sameStateAs`.
    handle: i64,
}

/// The engines alive in this process, by handle. UniFFI 0.32 passes an object argument by
/// cloning its pointer without checking that the object is still open, so a closed `Engine`
/// given as an argument read freed memory (a wrong answer, then a JVM crash). No method takes an
/// `Engine` argument: `sameStateAs` (a Kotlin extension, `src/main/kotlin`) asks the other
/// engine for its handle, a method call that a closed engine refuses with
/// `IllegalStateException`, and looks the handle up here.
static OPEN: Mutex<std::collections::BTreeMap<i64, std::sync::Weak<Mutex<core::Engine>>>> =
    Mutex::new(std::collections::BTreeMap::new());
static NEXT_HANDLE: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);

fn open_engines(
) -> MutexGuard<'static, std::collections::BTreeMap<i64, std::sync::Weak<Mutex<core::Engine>>>> {
    OPEN.lock().unwrap_or_else(|p| p.into_inner())
}

impl Drop for Engine {
    fn drop(&mut self) {
        open_engines().remove(&self.handle);
    }
}

impl Engine {
    fn wrap(engine: core::Engine) -> Arc<Self> {
        let inner = Arc::new(Mutex::new(engine));
        let handle = NEXT_HANDLE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        open_engines().insert(handle, Arc::downgrade(&inner));
        Arc::new(Engine { inner, handle })
    }

    fn lock(&self) -> MutexGuard<'_, core::Engine> {
        // A poisoned lock means a panic in an earlier call; the core never panics on input,
        // and its state is only changed after all checks, so the state is still consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn run(&self, actor_code: &str, at: SystemTime, command: Command) -> Result<Vec<Event>> {
        let (who, at) = (actor(actor_code)?, types::instant(at)?);
        let mut engine = self.lock();
        let events = engine.execute(&who, at, command)?;
        // A party's answer carries no sequence numbers (they would count others' events);
        // the DCC's, like the journal (`events`), does.
        let with_seq = who == core::Actor::Dcc;
        Ok(events
            .iter()
            .map(|e| Event {
                seq: with_seq.then_some(e.seq as i64),
                ..Event::from(e)
            })
            .collect())
    }
}

#[uniffi::export]
impl Engine {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Engine::wrap(core::Engine::new())
    }

    /// Rebuilds an engine from a JSON-lines event log.
    #[uniffi::constructor]
    pub fn replay_log(path: String) -> Result<Arc<Self>> {
        let engine = core::Engine::replay(journal::read_jsonl(&path)?)?;
        Ok(Engine::wrap(engine))
    }

    /// Runs a command given as its JSON form (`{"type":"grant_pilot_oa","campaign":"C1"}`), e.g.
    /// one read from a queue. A command that does not parse is `InvalidInput`.
    pub fn execute_json(
        &self,
        actor: String,
        at: SystemTime,
        command_json: String,
    ) -> Result<Vec<Event>> {
        let command: Command = serde_json::from_str(&command_json)
            .map_err(|e| error::invalid_input("command", e.to_string()))?;
        self.run(&actor, at, command)
    }

    pub fn register_variant(
        &self,
        actor: String,
        at: SystemTime,
        variant: Variant,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::RegisterVariant(RegisterVariant {
                variant: Box::new(variant.to_core()?),
            }),
        )
    }

    pub fn register_firmware(
        &self,
        actor: String,
        at: SystemTime,
        variant: String,
        version: String,
        upgrades_from: Vec<String>,
    ) -> Result<Vec<Event>> {
        let upgrades_from = upgrades_from
            .iter()
            .map(|v| v.parse())
            .collect::<std::result::Result<_, _>>()?;
        self.run(
            &actor,
            at,
            Command::RegisterFirmware(RegisterFirmware {
                variant: variant.parse()?,
                version: version.parse()?,
                upgrades_from,
            }),
        )
    }

    pub fn record_gate(
        &self,
        actor: String,
        at: SystemTime,
        variant: String,
        version: String,
        gate: Gate,
        note: Option<String>,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::RecordGate(RecordGate {
                variant: variant.parse()?,
                version: version.parse()?,
                gate: gate.into(),
                note,
            }),
        )
    }

    /// Loads many hubs in one call; a bad row (including one whose fields do not parse)
    /// refuses the whole load with `BulkRejected`. Returns the load event's sequence number.
    pub fn load_estate(&self, actor: String, at: SystemTime, hubs: Vec<HubRow>) -> Result<i64> {
        let (who, at) = (self::actor(&actor)?, types::instant(at)?);
        let rows = hubs
            .iter()
            .map(|h| h.to_core().map_err(|e| e.to_string()))
            .collect();
        let mut engine = self.lock();
        let events = engine.load_estate_rows(&who, at, rows)?;
        Ok(events.last().map_or(0, |e| e.seq as i64))
    }

    /// Loads many hubs from dictionary-encoded columns (see `EstateTable`): the form for
    /// national-scale loads, each string crossing JNA once. Returns the load event's sequence
    /// number.
    pub fn load_estate_table(
        &self,
        actor: String,
        at: SystemTime,
        table: EstateTable,
    ) -> Result<i64> {
        let table = table.to_core()?;
        let events = self.run(
            &actor,
            at,
            Command::LoadEstateTable(LoadEstateTable { table }),
        )?;
        Ok(events.last().and_then(|e| e.seq).unwrap_or(0))
    }

    pub fn install_hub(&self, actor: String, at: SystemTime, hub: HubRow) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::InstallHub(InstallHub {
                hub: Box::new(hub.to_core()?),
            }),
        )
    }

    pub fn commission_hub(
        &self,
        actor: String,
        at: SystemTime,
        hub: String,
        on: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::CommissionHub(CommissionHub {
                hub: hub.parse()?,
                on: types::date("on", &on)?,
            }),
        )
    }

    pub fn change_supplier(
        &self,
        actor: String,
        at: SystemTime,
        hub: String,
        role: SupplyRole,
        supplier: Option<String>,
        flags: ConsumerFlags,
    ) -> Result<Vec<Event>> {
        let supplier = supplier.as_deref().map(str::parse).transpose()?;
        self.run(
            &actor,
            at,
            Command::ChangeSupplier(ChangeSupplier {
                hub: hub.parse()?,
                role: role.into(),
                supplier,
                flags: flags.into(),
            }),
        )
    }

    pub fn change_smi_status(
        &self,
        actor: String,
        at: SystemTime,
        hub: String,
        status: SmiStatus,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::ChangeSmiStatus(ChangeSmiStatus {
                hub: hub.parse()?,
                status: status.into(),
            }),
        )
    }

    pub fn change_han_device_firmware(
        &self,
        actor: String,
        at: SystemTime,
        hub: String,
        device: HanDeviceKind,
        firmware: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::ChangeHanDeviceFirmware(ChangeHanDeviceFirmware {
                hub: hub.parse()?,
                device: device.into(),
                firmware,
            }),
        )
    }

    pub fn set_consumer_flags(
        &self,
        actor: String,
        at: SystemTime,
        hub: String,
        role: SupplyRole,
        flags: ConsumerFlags,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::SetConsumerFlags(SetConsumerFlags {
                hub: hub.parse()?,
                role: role.into(),
                flags: flags.into(),
            }),
        )
    }

    pub fn decommission_hub(
        &self,
        actor: String,
        at: SystemTime,
        hub: String,
        on: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::DecommissionHub(DecommissionHub {
                hub: hub.parse()?,
                on: types::date("on", &on)?,
            }),
        )
    }

    /// `policy`: None for the defaults (no pilot cap, no minimum assessment period).
    #[allow(clippy::too_many_arguments)]
    pub fn create_campaign(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        variant: String,
        target: String,
        cutoff: SystemTime,
        policy: Option<CampaignPolicy>,
    ) -> Result<Vec<Event>> {
        let cutoff = types::instant(cutoff)?;
        let policy = policy
            .map(CampaignPolicy::to_core)
            .transpose()?
            .unwrap_or_default();
        self.run(
            &actor,
            at,
            Command::CreateCampaign(CreateCampaign {
                campaign: campaign.parse()?,
                variant: variant.parse()?,
                target: target.parse()?,
                cutoff,
                policy,
            }),
        )
    }

    pub fn grant_pilot_oa(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::GrantPilotOa(GrantPilotOa {
                campaign: campaign.parse()?,
            }),
        )
    }

    /// Refused until the pilot was assessed, unless `override_reason` is given.
    pub fn grant_mass_rollout_oa(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        override_reason: Option<String>,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::GrantMassRolloutOa(GrantMassRolloutOa {
                campaign: campaign.parse()?,
                override_reason,
            }),
        )
    }

    pub fn complete_campaign(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::CompleteCampaign(CompleteCampaign {
                campaign: campaign.parse()?,
            }),
        )
    }

    pub fn suspend_campaign(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        reason: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::SuspendCampaign(SuspendCampaign {
                campaign: campaign.parse()?,
                reason,
            }),
        )
    }

    pub fn resume_campaign(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::ResumeCampaign(ResumeCampaign {
                campaign: campaign.parse()?,
            }),
        )
    }

    pub fn cancel_campaign(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        reason: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::CancelCampaign(CancelCampaign {
                campaign: campaign.parse()?,
                reason,
            }),
        )
    }

    pub fn extend_cutoff(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        customer: String,
        until: SystemTime,
    ) -> Result<Vec<Event>> {
        let until = types::instant(until)?;
        self.run(
            &actor,
            at,
            Command::ExtendCutoff(ExtendCutoff {
                campaign: campaign.parse()?,
                customer: customer.parse()?,
                until,
            }),
        )
    }

    // --- participation (customers, for the hubs they supply) ---

    /// Nominates hubs for the pilot; the event lists the hubs taken and those refused with why.
    pub fn nominate_hubs(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        hubs: Vec<String>,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::NominateHubs(NominateHubs {
                campaign: campaign.parse()?,
                hubs: hub_ids(&hubs)?,
            }),
        )
    }

    pub fn withdraw_nominations(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        hubs: Vec<String>,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::WithdrawNominations(WithdrawNominations {
                campaign: campaign.parse()?,
                hubs: hub_ids(&hubs)?,
            }),
        )
    }

    pub fn approve_whole_estate(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::ApproveWholeEstate(ApproveWholeEstate {
                campaign: campaign.parse()?,
            }),
        )
    }

    pub fn withdraw_whole_estate_approval(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::WithdrawWholeEstateApproval(WithdrawWholeEstateApproval {
                campaign: campaign.parse()?,
            }),
        )
    }

    pub fn approve_configuration_sets(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        sets: Vec<ConfigurationSet>,
    ) -> Result<Vec<Event>> {
        let sets = sets
            .iter()
            .map(ConfigurationSet::to_core)
            .collect::<Result<_>>()?;
        self.run(
            &actor,
            at,
            Command::ApproveConfigurationSets(ApproveConfigurationSets {
                campaign: campaign.parse()?,
                sets,
            }),
        )
    }

    pub fn withdraw_configuration_set_approvals(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        sets: Vec<ConfigurationSet>,
    ) -> Result<Vec<Event>> {
        let sets = sets
            .iter()
            .map(ConfigurationSet::to_core)
            .collect::<Result<_>>()?;
        self.run(
            &actor,
            at,
            Command::WithdrawConfigurationSetApprovals(WithdrawConfigurationSetApprovals {
                campaign: campaign.parse()?,
                sets,
            }),
        )
    }

    pub fn reject_hubs(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        hubs: Vec<String>,
        reason: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::RejectHubs(RejectHubs {
                campaign: campaign.parse()?,
                hubs: hub_ids(&hubs)?,
                reason,
            }),
        )
    }

    pub fn withdraw_rejections(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        hubs: Vec<String>,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::WithdrawRejections(WithdrawRejections {
                campaign: campaign.parse()?,
                hubs: hub_ids(&hubs)?,
            }),
        )
    }

    pub fn override_rejections(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        hub: String,
        reason: String,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::OverrideRejections(OverrideRejections {
                campaign: campaign.parse()?,
                hub: hub.parse()?,
                reason,
            }),
        )
    }

    pub fn record_pilot_verdict(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        verdict: PilotVerdict,
    ) -> Result<Vec<Event>> {
        self.run(
            &actor,
            at,
            Command::RecordPilotVerdict(RecordPilotVerdict {
                campaign: campaign.parse()?,
                verdict: verdict.into(),
            }),
        )
    }

    // --- upgrades, health, halts, defects, notifications ---

    /// The CSP of the campaign's region: outcomes of upgrade attempts, in the order they
    /// happened. Any bad row refuses the whole report (`BulkRejected` lists every one);
    /// automatic halts follow in the same call.
    pub fn report_outcomes(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        outcomes: Vec<OutcomeReport>,
    ) -> Result<Vec<Event>> {
        let outcomes = outcomes
            .into_iter()
            .map(OutcomeReport::to_core)
            .collect::<Result<Vec<_>>>()?;
        self.run(
            &actor,
            at,
            Command::ReportOutcomes(ReportOutcomes {
                campaign: campaign.parse()?,
                outcomes,
            }),
        )
    }

    /// A supplier of upgraded hubs: their HANs after the upgrade.
    pub fn report_han_health(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        reports: Vec<HealthReport>,
    ) -> Result<Vec<Event>> {
        let reports = reports
            .into_iter()
            .map(HealthReport::to_core)
            .collect::<Result<Vec<_>>>()?;
        self.run(
            &actor,
            at,
            Command::ReportHanHealth(ReportHanHealth {
                campaign: campaign.parse()?,
                reports,
            }),
        )
    }

    /// DCC (its scheduler): time-outs and cut-off notices now due (none: no events).
    pub fn check_deadlines(&self, actor: String, at: SystemTime) -> Result<Vec<Event>> {
        self.run(&actor, at, Command::CheckDeadlines(CheckDeadlines {}))
    }

    /// DCC: halt one configuration set. A customer: hold its own hubs (all, or one set).
    pub fn halt_upgrades(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        set: Option<ConfigurationSet>,
        reason: String,
    ) -> Result<Vec<Event>> {
        let set = set.as_ref().map(ConfigurationSet::to_core).transpose()?;
        self.run(
            &actor,
            at,
            Command::HaltUpgrades(HaltUpgrades {
                campaign: campaign.parse()?,
                set,
                reason,
            }),
        )
    }

    /// DCC: resume a halted configuration set. A customer: release its own hold.
    pub fn resume_upgrades(
        &self,
        actor: String,
        at: SystemTime,
        campaign: String,
        set: Option<ConfigurationSet>,
    ) -> Result<Vec<Event>> {
        let set = set.as_ref().map(ConfigurationSet::to_core).transpose()?;
        self.run(
            &actor,
            at,
            Command::ResumeUpgrades(ResumeUpgrades {
                campaign: campaign.parse()?,
                set,
            }),
        )
    }

    /// A customer: flag a defect to every customer on it, named or not, and perhaps suspend
    /// its own upgrades on it.
    pub fn flag_defect(
        &self,
        actor: String,
        at: SystemTime,
        subject: DefectSubject,
        text: String,
        named: bool,
        suspend_own: bool,
    ) -> Result<Vec<Event>> {
        let subject = subject.to_core()?;
        self.run(
            &actor,
            at,
            Command::FlagDefect(FlagDefect {
                subject,
                text,
                named,
                suspend_own,
            }),
        )
    }

    /// The flagging customer: lift the suspension its flag placed on its own upgrades.
    pub fn lift_defect_suspension(
        &self,
        actor: String,
        at: SystemTime,
        flag: i64,
    ) -> Result<Vec<Event>> {
        let flag = u64::try_from(flag)
            .map_err(|_| error::invalid_input("flag", format!("{flag} is out of range")))?;
        self.run(
            &actor,
            at,
            Command::LiftDefectSuspension(LiftDefectSuspension { flag }),
        )
    }

    /// The asker's notifications up to id `up_to` were read: not delivered again.
    pub fn acknowledge_notifications(
        &self,
        actor: String,
        at: SystemTime,
        up_to: i64,
    ) -> Result<Vec<Event>> {
        let up_to = u64::try_from(up_to)
            .map_err(|_| error::invalid_input("up_to", format!("{up_to} is out of range")))?;
        self.run(
            &actor,
            at,
            Command::AcknowledgeNotifications(AcknowledgeNotifications { up_to }),
        )
    }

    /// The asker's notifications not yet acknowledged, oldest first.
    pub fn notifications(&self, actor: String, limit: i64) -> Result<NotificationPage> {
        let who = self::actor(&actor)?;
        let limit = u64::try_from(limit)
            .map_err(|_| error::invalid_input("limit", format!("{limit} is out of range")))?;
        Ok(self.lock().notifications(&who, limit)?.into())
    }

    /// The defect flags the asker may see.
    pub fn defect_flags(&self, actor: String) -> Result<Vec<DefectView>> {
        let who = self::actor(&actor)?;
        Ok(self
            .lock()
            .state()
            .defect_flags(&who)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Pilot status per participant (a customer: its own row; the CSP: rows unnamed).
    pub fn pilot_status(&self, actor: String, campaign: String) -> Result<PilotStatus> {
        let (who, campaign) = (self::actor(&actor)?, campaign.parse()?);
        Ok(self.lock().state().pilot_status(&who, &campaign)?.into())
    }

    /// Campaign progress by configuration set (a customer: over its own hubs).
    pub fn campaign_progress(
        &self,
        actor: String,
        campaign: String,
        at: SystemTime,
    ) -> Result<Vec<SetProgress>> {
        let (who, at) = (self::actor(&actor)?, types::instant(at)?);
        let campaign = campaign.parse()?;
        Ok(self
            .lock()
            .state()
            .campaign_progress(&who, &campaign, at)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Hubs by firmware version: a customer's own (the DCC: anyone's), or (DCC, no customer)
    /// the industry's.
    pub fn estate_by_firmware(
        &self,
        actor: String,
        customer: Option<String>,
    ) -> Result<Vec<FirmwareCount>> {
        let who = self::actor(&actor)?;
        let customer: Option<core::CustomerId> = customer.map(|c| c.parse()).transpose()?;
        Ok(self
            .lock()
            .state()
            .estate_by_firmware(&who, customer.as_ref())?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Why a hub is or is not upgradeable at `at`, as `actor` may see it.
    pub fn explain(
        &self,
        actor: String,
        campaign: String,
        hub: String,
        at: SystemTime,
    ) -> Result<Explanation> {
        let (who, at) = (self::actor(&actor)?, types::instant(at)?);
        let (campaign, hub) = (campaign.parse()?, hub.parse()?);
        Ok(self
            .lock()
            .state()
            .explain(&who, &campaign, hub, at)?
            .into())
    }

    /// The CSP's list of hubs of `region` upgradeable at `at`, in priority order, paged.
    pub fn upgrade_list(
        &self,
        actor: String,
        region: Region,
        at: SystemTime,
        offset: i64,
        limit: i64,
    ) -> Result<UpgradePage> {
        let (who, at) = (self::actor(&actor)?, types::instant(at)?);
        let offset = u64::try_from(offset)
            .map_err(|_| error::invalid_input("offset", "must not be negative"))?;
        let limit = u64::try_from(limit)
            .map_err(|_| error::invalid_input("limit", "must not be negative"))?;
        Ok(self
            .lock()
            .state()
            .upgrade_list(&who, region.into(), at, offset, limit)?
            .into())
    }

    pub fn participation(
        &self,
        actor: String,
        campaign: String,
        customer: String,
        at: SystemTime,
    ) -> Result<ParticipationView> {
        let (who, at) = (self::actor(&actor)?, types::instant(at)?);
        let (campaign, customer) = (campaign.parse()?, customer.parse()?);
        Ok(self
            .lock()
            .state()
            .participation(&who, &campaign, &customer, at)?
            .into())
    }

    pub fn participations(
        &self,
        actor: String,
        campaign: String,
        at: SystemTime,
    ) -> Result<Vec<ParticipationView>> {
        let (who, at) = (self::actor(&actor)?, types::instant(at)?);
        let campaign = campaign.parse()?;
        Ok(self
            .lock()
            .state()
            .participations(&who, &campaign, at)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Proposes up to `size` of the customer's hubs for the pilot as things stand at `at` (the
    /// same answer for the same seed and time).
    pub fn propose_pilot(
        &self,
        actor: String,
        campaign: String,
        size: i64,
        seed: i64,
        at: SystemTime,
    ) -> Result<Vec<String>> {
        let who = self::actor(&actor)?;
        let at = types::instant(at)?;
        let campaign = campaign.parse()?;
        let size = u32::try_from(size)
            .map_err(|_| error::invalid_input("size", format!("{size} is out of range")))?;
        let seed = u64::try_from(seed)
            .map_err(|_| error::invalid_input("seed", "must not be negative"))?;
        Ok(self
            .lock()
            .state()
            .propose_pilot(&who, &campaign, size, seed, at)?
            .iter()
            .map(|h| h.to_string())
            .collect())
    }

    // --- queries, scoped to the asking actor ---

    pub fn hub(&self, actor: String, hub: String) -> Result<HubView> {
        let (who, hub) = (self::actor(&actor)?, hub.parse()?);
        Ok(self.lock().state().hub(&who, hub)?.into())
    }

    pub fn customer_estate(&self, actor: String, customer: String) -> Result<Vec<HubView>> {
        let (who, customer) = (self::actor(&actor)?, customer.parse()?);
        Ok(self
            .lock()
            .state()
            .customer_estate(&who, &customer)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn configuration_sets(
        &self,
        actor: String,
        customer: Option<String>,
    ) -> Result<Vec<ConfigSetCount>> {
        let who = self::actor(&actor)?;
        let customer: Option<core::CustomerId> = customer.as_deref().map(str::parse).transpose()?;
        Ok(self
            .lock()
            .state()
            .configuration_sets(&who, customer.as_ref())?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn campaign(&self, actor: String, campaign: String) -> Result<CampaignView> {
        let (who, id) = (self::actor(&actor)?, campaign.parse()?);
        Ok(self.lock().state().campaign(&who, &id)?.into())
    }

    pub fn campaigns(&self, actor: String) -> Result<Vec<CampaignView>> {
        let who = self::actor(&actor)?;
        Ok(self
            .lock()
            .state()
            .campaigns(&who)
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn variants(&self, actor: String) -> Result<Vec<Variant>> {
        let who = self::actor(&actor)?;
        Ok(self
            .lock()
            .state()
            .variants(&who)
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn firmware_versions(&self, actor: String, variant: String) -> Result<Vec<FirmwareView>> {
        let (who, variant) = (self::actor(&actor)?, variant.parse()?);
        Ok(self
            .lock()
            .state()
            .firmware_versions(&who, &variant)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub fn upgrade_route(
        &self,
        actor: String,
        variant: String,
        from_version: String,
        to_version: String,
    ) -> Result<Vec<String>> {
        let who = self::actor(&actor)?;
        let (variant, from, to) = (variant.parse()?, from_version.parse()?, to_version.parse()?);
        Ok(self
            .lock()
            .state()
            .upgrade_route(&who, &variant, &from, &to)?
            .iter()
            .map(|v| v.to_string())
            .collect())
    }

    // --- the log ---

    /// The recorded events from index `start` on.
    pub fn events(&self, start: i64) -> Result<Vec<Event>> {
        let start = usize::try_from(start)
            .map_err(|_| error::invalid_input("start", "must not be negative"))?;
        let engine = self.lock();
        let events = engine.events();
        Ok(events[start.min(events.len())..]
            .iter()
            .map(Event::from)
            .collect())
    }

    /// Answers any query given as its JSON form (`{"name":"explain","campaign":"C1",...}`, as in
    /// the conformance scenarios) with the view's JSON form: the one entry behind every typed
    /// query. An unknown query or argument is `InvalidInput`.
    pub fn query_json(&self, actor: String, query_json: String) -> Result<String> {
        let who = self::actor(&actor)?;
        Ok(self.lock().query_json(&who, &query_json)?)
    }

    pub fn last_seq(&self) -> i64 {
        self.lock().state().last_seq() as i64
    }

    pub fn hub_count(&self) -> i64 {
        self.lock().state().hub_count() as i64
    }

    /// Writes every recorded event to `path` as JSON lines.
    pub fn write_log(&self, path: String) -> Result<()> {
        Ok(journal::write_jsonl(&path, self.lock().events())?)
    }

    /// This engine's handle in this process (see `sameStateAs`, which is how to use it).
    pub fn state_handle(&self) -> i64 {
        self.handle
    }

    /// Whether this engine holds the same state and notifications as the open engine with `handle` (Kotlin:
    /// `a.sameStateAs(b)`). Never holds both engines' locks at once: the other's state is
    /// copied under its lock alone, then compared under ours. `NotFound` for a handle of no
    /// open engine.
    pub fn same_state_as_handle(&self, handle: i64) -> Result<bool> {
        if handle == self.handle {
            return Ok(true);
        }
        let other = open_engines()
            .get(&handle)
            .and_then(std::sync::Weak::upgrade)
            .ok_or_else(|| CommsHubOtaError::NotFound {
                entity: "engine".into(),
                id: handle.to_string(),
                description: format!("engine {handle} is closed or never was"),
            })?;
        let theirs = other.lock().unwrap_or_else(|p| p.into_inner()).fork();
        Ok(self.lock().same_state_as(&theirs))
    }
}
