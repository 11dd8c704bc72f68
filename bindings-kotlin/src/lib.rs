//! The Kotlin/JVM binding of commshub-ota, through UniFFI proc-macros. A thin layer: the
//! core's commands, queries, answers and events derive their UniFFI records and enums in the
//! core (feature `uniffi`; Kotlin package `commshub.ota.model`), with identifiers, instants
//! and dates declared once there (`commshub_ota::ffi`). This crate adds the `NativeEngine`
//! object (a `Mutex` around the core engine, so one handle is safe to share between JVM threads;
//! Kotlin sees it as AutoCloseable) with one entry per kind of call: `execute` (Kotlin's sealed
//! `Command`), `query` (sealed `Query`, answered by sealed `Answer`), their JSON forms, and the
//! bulk loads, whose input keeps text so that every bad row is reported at once (`bulk.rs`).
//!
//! Users do not call this layer: `src/main/kotlin` holds the public one over it (`Engine`,
//! `Actor`, `CommsHubOta`, `CommsHubOtaException`), one line per entry, which turns the checked
//! `NativeException` UniFFI generates into the unchecked `CommsHubOtaException` and gives Java
//! static factories and overloads. Hence the `native` prefix of the exported functions here.
//! Every number crossing is signed (UniFFI's unsigned types are name-mangled in Kotlin, so Java
//! cannot call a member that takes or returns one).

mod bulk;
mod signing;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use commshub_ota as core;
use commshub_ota::ffi::{instant, invalid_input, system_time, NativeError};
use commshub_ota::participation::HubRefusal;
use commshub_ota::{journal, Actor, Answer, Command, EventPayload, Query};

pub use bulk::HubInput;
pub use commshub_ota::ffi::EstateTableInput;
pub use signing::{
    ActRecord, CheckpointRecord, KeyEntryRecord, SignedCommandRecord, Signer, SignerError,
};

uniffi::setup_scaffolding!();

type Result<T> = std::result::Result<T, NativeError>;

/// The canonical text of an identifier of `kind` (`hub_id`, `customer_id`, `variant_id`,
/// `firmware_version`, `campaign_id`, `region`, `actor`).
#[uniffi::export]
pub fn native_parse_id(kind: String, input: String) -> Result<String> {
    Ok(core::ids::canonical(&kind, &input)?)
}

/// The canonical text of a hub id given as the EUI-64's 64 bits (the `hub` column of every Arrow
/// answer, read by Arrow Java as a signed long holding the same bits).
#[uniffi::export]
pub fn native_hub_text(id: i64) -> String {
    core::ids::HubId::from_u64(id as u64).to_string()
}

/// A hub id's 64 bits as a signed long (as Arrow Java reads the `hub` column), from its text in
/// any accepted form; `InvalidId` if malformed.
#[uniffi::export]
pub fn native_hub_number(text: String) -> Result<i64> {
    Ok(text.parse::<core::ids::HubId>()?.as_u64() as i64)
}

/// The event schema version this library writes.
#[uniffi::export]
pub fn native_schema_version() -> i64 {
    i64::from(core::SCHEMA_VERSION)
}

/// Reads and checks the log at `path`: `Chained` when its audit chain verifies whole,
/// `Unchained` for a log without the chain (read, but unverifiable); `CorruptLog` (naming the
/// line) when anything was changed, removed or cut off.
#[uniffi::export]
pub fn native_verify_log(path: String) -> Result<journal::Verified> {
    Ok(journal::verify(&path)?)
}

/// A command from its JSON form (`{"type":"grant_pilot_oa","campaign":"C1"}`, as in the
/// event log and the conformance scenarios), e.g. read from a queue to go into a batch. A
/// command that does not parse is `InvalidInput`.
#[uniffi::export]
pub fn native_command_from_json(json: String) -> Result<Command> {
    serde_json::from_str(&json).map_err(|e| invalid_input("command", e.to_string()))
}

/// A campaign policy from its JSON form (as in the event log and the conformance scenarios),
/// e.g. read from a configuration file; refused outside the policy's documented ranges.
#[uniffi::export]
pub fn native_campaign_policy_from_json(json: String) -> Result<core::CampaignPolicy> {
    // A JSON object only (serde would also take `[]` as a struct of defaults).
    let value: serde_json::Value =
        serde_json::from_str(&json).map_err(|e| invalid_input("policy", e.to_string()))?;
    if !value.is_object() {
        return Err(invalid_input("policy", "expected a JSON object"));
    }
    let policy: core::CampaignPolicy =
        serde_json::from_value(value).map_err(|e| invalid_input("policy", e.to_string()))?;
    policy.check()?;
    Ok(policy)
}

/// A recorded event as a party is given it. A mirror of the core's `Event` because the JVM's
/// shape differs in one way: the sequence number is the DCC's only (a party's would count
/// others' events, docs/domain.md decision 13), so it is optional here.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Recorded {
    pub seq: Option<i64>,
    pub at: SystemTime,
    pub actor: Actor,
    /// The payload's `type` tag (`hubs_nominated`, ...).
    pub event_type: String,
    pub payload: EventPayload,
    /// The hubs a participation command named but did not take, each with why.
    pub refused: Vec<HubRefusal>,
    /// In a signed log, the first event of each command carries its act.
    pub act: Option<ActRecord>,
}

impl Recorded {
    fn of(e: &core::Event, asker: &Actor) -> Self {
        Recorded {
            seq: e.seq_seen_by(asker).map(|s| s as i64),
            at: system_time(e.at),
            actor: e.actor.clone(),
            event_type: e.payload.type_name().into(),
            payload: e.payload.clone(),
            refused: e.payload.refused().to_vec(),
            act: e.act.as_ref().map(ActRecord::of),
        }
    }
}

/// A refused command of a batch: its kind and message (the batch went on without it).
#[derive(Debug, Clone, uniffi::Record)]
pub struct Refusal {
    pub kind: core::ErrorKind,
    pub message: String,
}

/// One command of a batch: who runs it, and what.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BatchCommand {
    pub actor: Actor,
    pub command: Command,
}

/// What became of one command of a batch: its events, or why it was refused.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BatchAnswer {
    pub events: Vec<Recorded>,
    pub refused: Option<Refusal>,
}

/// How a durable engine opened: from which snapshot (null: from the first event), how many
/// events it replayed after it, which snapshots it refused (each `corrupt_snapshot`, when
/// `allowFallback` let it open anyway), the first 1 000 events other writers stamped later than
/// this host's clock plus the skew (applied, moving no deadline) and how many there were, and
/// the last event of a history imported without an audit chain (0: none).
#[derive(Debug, Clone, uniffi::Record)]
pub struct OpenReport {
    pub snapshot: Option<i64>,
    pub replayed: i64,
    pub refused: Vec<Refusal>,
    pub ahead_of_clock: Vec<i64>,
    pub ahead_of_clock_count: i64,
    pub unverified_through: i64,
    /// The last automatic snapshot that failed (its event) and why, until one succeeds.
    pub snapshot_failure_at: Option<i64>,
    pub snapshot_failure: Option<Refusal>,
    /// The last automatic checkpoint that failed (its event) and why, until one succeeds.
    pub checkpoint_failure_at: Option<i64>,
    pub checkpoint_failure: Option<Refusal>,
}

/// How `Engine.openWith` and `Engine.importLogWith` treat a store (`open` and `importLog` use
/// the defaults: a snapshot every 10 000 events, 300 s of clock skew, nothing allowed).
#[derive(Debug, Clone, uniffi::Record)]
pub struct StoreOptions {
    /// A snapshot after this many events since the last (0: only by `snapshot()`).
    #[uniffi(default = 10000)]
    pub snapshot_every: i64,
    /// How far (seconds) a recording time may be ahead of this host's clock.
    #[uniffi(default = 300)]
    pub clock_skew_seconds: i64,
    /// Open on an older snapshot or the events when the newest snapshot is refused (the
    /// refusal in `openReport()`); otherwise that is a `CommsHubOtaException.CorruptSnapshot`.
    #[uniffi(default = false)]
    pub allow_fallback: bool,
    /// Import a log without an audit chain; the store records that its history was imported
    /// unverified (`openReport().unverifiedThrough`).
    #[uniffi(default = false)]
    pub allow_unchained: bool,
    /// A signed store's trust: the log's identity and the DCC's public key (hex), both or
    /// neither. Every act is then verified, and every command must be signed.
    #[uniffi(default = None)]
    pub trust_log: Option<String>,
    #[uniffi(default = None)]
    pub trust_anchor: Option<String>,
    /// With the DCC's signer, a checkpoint of the head after this many events (0: on demand).
    #[uniffi(default = 1000)]
    pub checkpoint_every: i64,
}

impl StoreOptions {
    fn to_core(&self) -> Result<core::OpenOptions> {
        let snapshot_every = u64::try_from(self.snapshot_every)
            .map_err(|_| invalid_input("snapshotEvery", "must not be negative"))?;
        let skew = u32::try_from(self.clock_skew_seconds).map_err(|_| {
            invalid_input(
                "clockSkewSeconds",
                format!("{} is outside 0 to {}", self.clock_skew_seconds, u32::MAX),
            )
        })?;
        let checkpoint_every = u64::try_from(self.checkpoint_every)
            .map_err(|_| invalid_input("checkpointEvery", "must not be negative"))?;
        let mut options = core::OpenOptions::default()
            .snapshot_every(snapshot_every)
            .clock_skew_seconds(skew)
            .allow_fallback(self.allow_fallback)
            .allow_unchained(self.allow_unchained)
            .checkpoint_every(checkpoint_every);
        match (&self.trust_log, &self.trust_anchor) {
            (Some(log), Some(anchor)) => options = options.trust(signing::trust(log, anchor)?),
            (None, None) => {}
            _ => {
                return Err(invalid_input(
                    "trust",
                    "a trust is the log's identity and the DCC's public key, both",
                ))
            }
        }
        Ok(options)
    }

    fn with_snapshot_every(snapshot_every: i64) -> StoreOptions {
        StoreOptions {
            snapshot_every,
            clock_skew_seconds: i64::from(core::engine::DEFAULT_CLOCK_SKEW_SECONDS),
            allow_fallback: false,
            allow_unchained: false,
            trust_log: None,
            trust_anchor: None,
            checkpoint_every: core::engine::DEFAULT_CHECKPOINT_EVERY as i64,
        }
    }
}

fn refusal(e: &core::Error) -> Refusal {
    Refusal {
        kind: e.kind(),
        message: e.to_string(),
    }
}

/// The engine as UniFFI generates it (Kotlin `NativeEngine`, whose calls throw the checked
/// `NativeException`); the public `commshub.ota.Engine` is the hand-written layer over it.
#[derive(uniffi::Object)]
pub struct NativeEngine {
    inner: Arc<Mutex<core::Engine>>,
    /// This engine's entry in [`OPEN`], for `sameStateAs`.
    handle: i64,
}

/// The engines alive in this process, by handle. UniFFI 0.32 passes an object argument by
/// cloning its pointer without checking that the object is still open, so a closed `Engine`
/// given as an argument read freed memory (a wrong answer, then a JVM crash). No method takes an
/// `Engine` argument: `sameStateAs` (in the Kotlin layer, `src/main/kotlin`) asks the other
/// engine for its handle, a method call that a closed engine refuses with
/// `IllegalStateException`, and looks the handle up here.
type Registry = std::collections::BTreeMap<i64, std::sync::Weak<Mutex<core::Engine>>>;
static OPEN: Mutex<Registry> = Mutex::new(std::collections::BTreeMap::new());
static NEXT_HANDLE: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);

fn open_engines() -> MutexGuard<'static, Registry> {
    OPEN.lock().unwrap_or_else(|p| p.into_inner())
}

impl Drop for NativeEngine {
    fn drop(&mut self) {
        open_engines().remove(&self.handle);
    }
}

impl NativeEngine {
    fn wrap(engine: core::Engine) -> Arc<Self> {
        let inner = Arc::new(Mutex::new(engine));
        let handle = NEXT_HANDLE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        open_engines().insert(handle, Arc::downgrade(&inner));
        Arc::new(NativeEngine { inner, handle })
    }

    fn lock(&self) -> MutexGuard<'_, core::Engine> {
        // A poisoned lock means a panic in an earlier call; the core never panics on input,
        // and its state is only changed after all checks, so the state is still consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn run(&self, actor: &Actor, at: SystemTime, command: Command) -> Result<Vec<Recorded>> {
        let at = instant(at)?;
        let mut engine = self.lock();
        let events = engine.execute(actor, at, command)?;
        Ok(events
            .iter()
            .filter(|e| e.shown_to(actor))
            .map(|e| Recorded::of(e, actor))
            .collect())
    }

    /// The sequence number of the last event of a bulk load (0 if it recorded none).
    fn load(&self, actor: &Actor, at: SystemTime, command: Command) -> Result<i64> {
        let events = self.run(actor, at, command)?;
        Ok(events.last().and_then(|e| e.seq).unwrap_or(0))
    }
}

#[uniffi::export]
impl NativeEngine {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        NativeEngine::wrap(core::Engine::new())
    }

    /// Rebuilds an engine from a JSON-lines event log.
    #[uniffi::constructor]
    pub fn replay_log(path: String) -> Result<Arc<Self>> {
        let engine = core::Engine::replay(journal::read_jsonl(&path)?)?;
        Ok(NativeEngine::wrap(engine))
    }

    /// An engine in memory running a signed log under the trust of `log` (its identity) and
    /// `anchor` (the DCC's public key, hex): every command signed by its actor's key.
    #[uniffi::constructor]
    pub fn with_trust(log: String, anchor: String) -> Result<Arc<Self>> {
        Ok(NativeEngine::wrap(core::Engine::with_trust(
            signing::trust(&log, &anchor)?,
        )))
    }

    /// Rebuilds an engine from a signed JSON-lines log, every act verified against the trust.
    #[uniffi::constructor]
    pub fn replay_signed_log(path: String, log: String, anchor: String) -> Result<Arc<Self>> {
        let trust = signing::trust(&log, &anchor)?;
        let engine = core::Engine::replay_signed(trust, journal::read_jsonl(&path)?)?;
        Ok(NativeEngine::wrap(engine))
    }

    /// `openWith` for a signed store, this host signing its snapshots (and, with the DCC's
    /// key, the log's checkpoints) with `signer`.
    #[uniffi::constructor]
    pub fn open_signed(
        location: String,
        options: StoreOptions,
        signer: Arc<dyn Signer>,
    ) -> Result<Arc<Self>> {
        let options = options.to_core()?.signer(signing::foreign(signer)?);
        let store = core::store::open(&location)?;
        Ok(NativeEngine::wrap(core::Engine::open_store(
            store, options,
        )?))
    }

    /// `importLogWith` for a signed log, this host's `signer` signing its snapshots.
    #[uniffi::constructor]
    pub fn import_log_signed(
        path: String,
        location: String,
        options: StoreOptions,
        signer: Arc<dyn Signer>,
    ) -> Result<Arc<Self>> {
        let options = options.to_core()?.signer(signing::foreign(signer)?);
        let store = core::store::open(&location)?;
        Ok(NativeEngine::wrap(core::Engine::import(
            &path, store, options,
        )?))
    }

    /// Signs `actor`'s commands with `signer` from now on: `execute` and `executeBatch` sign
    /// each as the actor's next act.
    pub fn sign_as(&self, actor: Actor, signer: Arc<dyn Signer>) -> Result<()> {
        Ok(self.lock().sign_as(&actor, signing::foreign(signer)?)?)
    }

    /// `command` by `actor` at `at` signed by `signer` as the actor's next act: what a party
    /// sends the host that runs the engine.
    pub fn sign(
        &self,
        signer: Arc<dyn Signer>,
        actor: Actor,
        at: SystemTime,
        command: Command,
    ) -> Result<SignedCommandRecord> {
        let signer = signing::foreign(signer)?;
        let signed = self.lock().sign(&*signer, &actor, instant(at)?, command)?;
        Ok(SignedCommandRecord::of(signed))
    }

    /// Runs a command its actor signed: the signature verified before it is decided
    /// (`BadSignature` when it does not hold, its key is not the actor's, or its counter is
    /// not the actor's next).
    pub fn execute_signed(&self, signed: SignedCommandRecord) -> Result<Vec<Recorded>> {
        let signed = signed.into_core()?;
        let actor = signed.actor.clone();
        let mut engine = self.lock();
        let events = engine.execute_signed(signed)?;
        Ok(events
            .iter()
            .filter(|e| e.shown_to(&actor))
            .map(|e| Recorded::of(e, &actor))
            .collect())
    }

    /// The counter `actor`'s next act must carry.
    pub fn next_act(&self, actor: Actor) -> i64 {
        i64::try_from(self.lock().next_act(&actor)).unwrap_or(i64::MAX)
    }

    /// The keys registered for `party`, valid and revoked.
    pub fn keys_of(&self, party: Actor) -> Vec<KeyEntryRecord> {
        self.lock()
            .keys_of(&party)
            .into_iter()
            .map(|(key, e)| KeyEntryRecord {
                key: key.to_string(),
                registered: e.registered as i64,
                revoked: e.revoked.map(|r| r as i64),
            })
            .collect()
    }

    /// The DCC signs a checkpoint of the log's head at `at` with the store's signer.
    pub fn checkpoint(&self, at: SystemTime) -> Result<CheckpointRecord> {
        let checkpoint = self.lock().checkpoint(instant(at)?)?;
        Ok(CheckpointRecord::of(checkpoint))
    }

    /// The latest checkpoint the store keeps (null: none yet).
    pub fn latest_checkpoint(&self) -> Result<Option<CheckpointRecord>> {
        Ok(self.lock().latest_checkpoint()?.map(CheckpointRecord::of))
    }

    /// Checks a kept checkpoint against this log: `CorruptLog` naming the event when the log
    /// was cut below it or replaced up to it.
    pub fn verify_checkpoint(&self, checkpoint: CheckpointRecord) -> Result<()> {
        let checkpoint = checkpoint.into_core()?;
        Ok(self.lock().verify_checkpoint(&checkpoint)?)
    }

    /// Opens a durable engine on the store at `location`: a SQLite file (a path or
    /// `sqlite:PATH`, created when missing) or a PostgreSQL URL. Loads the newest usable
    /// snapshot and replays the events after it, each verified (`CorruptLog` naming the event
    /// otherwise); then each command is written to the store before it changes the state. A
    /// snapshot is taken every `snapshotEvery` events (0: only by `snapshot()`). Close it (Kotlin
    /// `use {}`, Java try-with-resources) to let go of the file or connection.
    #[uniffi::constructor]
    pub fn open(location: String, snapshot_every: i64) -> Result<Arc<Self>> {
        NativeEngine::open_with(location, StoreOptions::with_snapshot_every(snapshot_every))
    }

    /// `open` with every option of `StoreOptions`.
    #[uniffi::constructor]
    pub fn open_with(location: String, options: StoreOptions) -> Result<Arc<Self>> {
        let options = options.to_core()?;
        let store = core::store::open(&location)?;
        let engine = core::Engine::open_store(store, options)?;
        Ok(NativeEngine::wrap(engine))
    }

    /// Imports a JSON-lines log (verified as it is replayed) into the empty store at
    /// `location` and opens it. A log without an audit chain is refused (`CorruptLog`) unless
    /// `importLogWith` allows it.
    #[uniffi::constructor]
    pub fn import_log(path: String, location: String, snapshot_every: i64) -> Result<Arc<Self>> {
        NativeEngine::import_log_with(
            path,
            location,
            StoreOptions::with_snapshot_every(snapshot_every),
        )
    }

    /// `importLog` with every option of `StoreOptions`.
    #[uniffi::constructor]
    pub fn import_log_with(
        path: String,
        location: String,
        options: StoreOptions,
    ) -> Result<Arc<Self>> {
        let options = options.to_core()?;
        let store = core::store::open(&location)?;
        let engine = core::Engine::import(&path, store, options)?;
        Ok(NativeEngine::wrap(engine))
    }

    /// An engine in memory holding a snapshot's state; `CorruptSnapshot` for bad bytes.
    #[uniffi::constructor]
    pub fn from_snapshot(bytes: Vec<u8>) -> Result<Arc<Self>> {
        Ok(NativeEngine::wrap(core::Engine::from_snapshot(&bytes)?))
    }

    /// The whole state as snapshot bytes (versioned, checksummed).
    pub fn to_snapshot(&self) -> Vec<u8> {
        self.lock().to_snapshot()
    }

    /// Runs the commands in order, each decided on the state the ones before it left, and
    /// commits the accepted ones in one transaction: one answer a command. If the commit fails,
    /// nothing of the batch is kept and the error is thrown (`Conflict` when another writer got
    /// there first: the engine has caught up, retry).
    pub fn execute_batch(
        &self,
        at: SystemTime,
        commands: Vec<BatchCommand>,
    ) -> Result<Vec<BatchAnswer>> {
        let at = instant(at)?;
        let actors: Vec<Actor> = commands.iter().map(|c| c.actor.clone()).collect();
        let pairs = commands.into_iter().map(|c| (c.actor, c.command)).collect();
        let answers = self.lock().execute_batch(at, pairs)?;
        Ok(answers
            .into_iter()
            .zip(actors)
            .map(|(answer, actor)| match answer {
                Ok(events) => BatchAnswer {
                    events: events
                        .iter()
                        .filter(|e| e.shown_to(&actor))
                        .map(|e| Recorded::of(e, &actor))
                        .collect(),
                    refused: None,
                },
                Err(e) => BatchAnswer {
                    events: Vec::new(),
                    refused: Some(refusal(&e)),
                },
            })
            .collect())
    }

    /// Applies the events other writers appended since this engine's last; how many.
    pub fn catch_up(&self) -> Result<i64> {
        Ok(self.lock().catch_up()? as i64)
    }

    /// Waits up to `timeoutMillis` (0 to one hour) for other writers' events, then applies
    /// them; how many. PostgreSQL wakes it by NOTIFY. The engine is held meanwhile.
    pub fn wait_for_events(&self, timeout_millis: i64) -> Result<i64> {
        if !(0..=3_600_000).contains(&timeout_millis) {
            return Err(invalid_input(
                "timeoutMillis",
                format!("{timeout_millis} is not between 0 and 3600000"),
            ));
        }
        let timeout = std::time::Duration::from_millis(timeout_millis as u64);
        Ok(self.lock().wait_for_events(timeout)? as i64)
    }

    /// Writes a snapshot of the state to the store; its size in bytes.
    pub fn snapshot(&self) -> Result<i64> {
        Ok(self.lock().snapshot()? as i64)
    }

    /// Checks the store's whole audit chain, first event to last.
    pub fn verify_store(&self) -> Result<journal::Verified> {
        Ok(self.lock().verify_store()?)
    }

    /// Where the store is and what it holds.
    pub fn store_info(&self) -> Result<core::store::StoreInfo> {
        Ok(self.lock().store_info()?)
    }

    /// How the engine opened (null in memory).
    pub fn open_report(&self) -> Option<OpenReport> {
        self.lock().open_report().map(|r| OpenReport {
            snapshot: r.snapshot.map(|s| s as i64),
            replayed: r.replayed as i64,
            refused: r.refused.iter().map(refusal).collect(),
            ahead_of_clock: r.ahead_of_clock.iter().map(|&s| s as i64).collect(),
            ahead_of_clock_count: r.ahead_of_clock_count as i64,
            unverified_through: r.unverified_through as i64,
            snapshot_failure_at: r.snapshot_failure.as_ref().map(|(seq, _)| *seq as i64),
            snapshot_failure: r.snapshot_failure.as_ref().map(|(_, e)| refusal(e)),
            checkpoint_failure_at: r.checkpoint_failure.as_ref().map(|(seq, _)| *seq as i64),
            checkpoint_failure: r.checkpoint_failure.as_ref().map(|(_, e)| refusal(e)),
        })
    }

    /// `actor`'s notifications after `cursor` (a position in its own feed; 0 from the start),
    /// at most `limit` (1 to 10 000), from the store.
    pub fn feed(&self, actor: Actor, cursor: i64, limit: i64) -> Result<core::store::FeedPage> {
        let cursor =
            u64::try_from(cursor).map_err(|_| invalid_input("cursor", "must not be negative"))?;
        let limit = u32::try_from(limit)
            .map_err(|_| invalid_input("limit", format!("{limit} is not between 1 and 10 000")))?;
        Ok(self.lock().feed(&actor, cursor, limit)?)
    }

    /// The same feed page as its JSON form (`{"notifications": [...], "cursor": N}`, each
    /// notification as `queryJson` gives one), e.g. to forward as it is.
    pub fn feed_json(&self, actor: Actor, cursor: i64, limit: i64) -> Result<String> {
        let page = self.feed(actor, cursor, limit)?;
        serde_json::to_string(&page).map_err(|e| invalid_input("feed", e.to_string()))
    }

    /// Answers a columnar question (`ColumnarQuery.UpgradeList(region, at)`,
    /// `.CustomerEstate(customer)`, `.ConfigurationSets(customer)`, `.EstateByFirmware(customer)`,
    /// `.CampaignProgress(campaign, at)`, `.CampaignAttempts(campaign)`, `.Blockers(campaign,
    /// at)`, `.DryRunRule(rule, at)`, `.Events(after, limit)`) as `actor` may see it, as Arrow IPC stream bytes: one
    /// crossing of JNA, read with Arrow Java (`ArrowStreamReader`). The same rows, scope and
    /// refusals as the row query of the same name; each question's columns are in the core's
    /// `ColumnarQuery` docs.
    pub fn query_arrow(
        &self,
        actor: Actor,
        query: core::read::arrow::ColumnarQuery,
        hub_text: bool,
    ) -> Result<Vec<u8>> {
        let answer = self.lock().query_arrow(&actor, &query)?;
        let answer = if hub_text {
            answer.with_hub_text()?
        } else {
            answer
        };
        Ok(answer.to_ipc()?)
    }

    /// [`NativeEngine::query_arrow`] with the question as its JSON form
    /// (`{"name":"upgrade_list","region":"north","at":"..."}`); one that does not parse is
    /// `InvalidInput`.
    pub fn query_arrow_json(&self, actor: Actor, query_json: String) -> Result<Vec<u8>> {
        Ok(self
            .lock()
            .query_arrow_json(&actor, &query_json)?
            .to_ipc()?)
    }

    /// Writes the whole log to `path` as chained JSON lines, atomically; how many events.
    pub fn export_log(&self, path: String) -> Result<i64> {
        Ok(self.lock().export(&path)? as i64)
    }

    /// Runs `command` for `actor` (`dcc`, `csp:north`, `customer:ID`), recorded at `at` (the
    /// host's clock): the events it recorded, or a typed `CommsHubOtaException` and nothing
    /// changed.
    pub fn execute(&self, actor: Actor, at: SystemTime, command: Command) -> Result<Vec<Recorded>> {
        self.run(&actor, at, command)
    }

    /// Runs a command given as its JSON form (`{"type":"grant_pilot_oa","campaign":"C1"}`), e.g.
    /// one read from a queue. A command that does not parse is `InvalidInput`.
    pub fn execute_json(
        &self,
        actor: Actor,
        at: SystemTime,
        command_json: String,
    ) -> Result<Vec<Recorded>> {
        let command: Command = serde_json::from_str(&command_json)
            .map_err(|e| invalid_input("command", e.to_string()))?;
        self.run(&actor, at, command)
    }

    /// Answers `query` as `actor` may see it.
    pub fn query(&self, actor: Actor, query: Query) -> Result<Answer> {
        Ok(self.lock().query(&actor, &query)?)
    }

    /// Answers a query given as its JSON form (`{"name":"explain","campaign":"C1",...}`, as in
    /// the conformance scenarios) with the answer's JSON form. An unknown query or argument is
    /// `InvalidInput`.
    pub fn query_json(&self, actor: Actor, query_json: String) -> Result<String> {
        Ok(self.lock().query_json(&actor, &query_json)?)
    }

    /// Loads many hubs in one call; every bad row (including one whose identifiers or dates do
    /// not parse) is reported at once in `BulkRejected`, and nothing is loaded. Returns the
    /// load event's sequence number.
    pub fn load_estate(&self, actor: Actor, at: SystemTime, hubs: Vec<HubInput>) -> Result<i64> {
        let at = instant(at)?;
        let rows = hubs.iter().map(HubInput::to_core).collect();
        let mut engine = self.lock();
        let events = engine.load_estate_rows(&actor, at, rows)?;
        Ok(events.last().map_or(0, |e| e.seq as i64))
    }

    /// Loads many hubs from dictionary-encoded columns (see `EstateTableInput`): the form for
    /// national-scale loads, each string crossing JNA once. Returns the load event's sequence
    /// number.
    pub fn load_estate_table(
        &self,
        actor: Actor,
        at: SystemTime,
        table: EstateTableInput,
    ) -> Result<i64> {
        let table = table.to_core()?;
        self.load(&actor, at, core::command::LoadEstateTable { table }.into())
    }

    /// Loads many hubs from an Arrow IPC stream (as Arrow Java's `ArrowStreamWriter` writes
    /// one), columns named as `loadEstate`'s fields (`id`, `variant`, `firmware`, `smi_status`,
    /// `installed_on`; optional `commissioned_on`, `import_supplier`, `gas_supplier`,
    /// `<device>_model` and `<device>_firmware`, the six consumer flags): text plain or
    /// dictionary-encoded, dates `DateDay`/`DateMilli` or ISO text. The core reads it as it
    /// reads Python's Arrow, with the same row errors (`BulkRejected` by row index). Returns the
    /// load event's sequence number.
    pub fn load_estate_arrow(&self, actor: Actor, at: SystemTime, ipc: Vec<u8>) -> Result<i64> {
        let at = instant(at)?;
        let mut engine = self.lock();
        let events = engine.load_estate_arrow_ipc(&actor, at, &ipc)?;
        Ok(events.last().map_or(0, |e| e.seq as i64))
    }

    /// The recorded events after sequence number `start` (0: all; the DCC's journal: with
    /// sequence numbers): in memory the journal's, durable the store's whole history.
    pub fn events(&self, start: i64) -> Result<Vec<Recorded>> {
        let start =
            u64::try_from(start).map_err(|_| invalid_input("start", "must not be negative"))?;
        let events = self.lock().history(start)?;
        Ok(events
            .iter()
            .map(|e| Recorded::of(e, &Actor::Dcc))
            .collect())
    }

    /// The recorded events after sequence number `start`, each as its line of the JSON-lines
    /// log (to stream the journal elsewhere, or to compare with a scenario's expected events).
    pub fn journal_lines(&self, start: i64) -> Result<Vec<String>> {
        let start =
            u64::try_from(start).map_err(|_| invalid_input("start", "must not be negative"))?;
        let events = self.lock().history(start)?;
        Ok(events.iter().map(journal::to_json_line).collect())
    }

    pub fn last_seq(&self) -> i64 {
        self.lock().state().last_seq() as i64
    }

    pub fn hub_count(&self) -> i64 {
        self.lock().state().hub_count() as i64
    }

    /// Writes every recorded event to `path` as chained JSON lines, atomically: the journal in
    /// memory, the store's whole history when durable (the file `exportLog` writes).
    pub fn write_log(&self, path: String) -> Result<()> {
        self.lock().export(&path)?;
        Ok(())
    }

    /// This engine's handle in this process (see `sameStateAs`, which is how to use it).
    pub fn state_handle(&self) -> i64 {
        self.handle
    }

    /// Whether this engine holds the same state and notifications as the open engine with
    /// `handle` (Kotlin: `a.sameStateAs(b)`). Never holds both engines' locks at once: the
    /// other's state is copied under its lock alone, then compared under ours. `InvalidInput`
    /// for a handle of no open engine.
    pub fn same_state_as_handle(&self, handle: i64) -> Result<bool> {
        if handle == self.handle {
            return Ok(true);
        }
        let other = open_engines()
            .get(&handle)
            .and_then(std::sync::Weak::upgrade)
            .ok_or_else(|| {
                invalid_input("handle", format!("engine {handle} is closed or never was"))
            })?;
        let theirs = other.lock().unwrap_or_else(|p| p.into_inner()).fork();
        Ok(self.lock().same_state_as(&theirs))
    }
}

/// Panics with `message`: `CommsHubOta.panicForTesting` raises it as
/// `CommsHubOtaException.Panic`, so that a service can check its handling of a defect here.
#[uniffi::export]
pub fn native_panic_for_testing(message: String) {
    panic!("{message}");
}
