//! A small, explicit fixture shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use commshub_ota::catalogue::{Gate, GateRecorder, HanBand, Variant};
use commshub_ota::command::*;
use commshub_ota::rollout::{Outcome, OutcomeReport};
use commshub_ota::*;

pub fn t(day: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap() + Duration::days(day)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Hub `n` as the JSON fixtures and scenarios name it: `hub(10)` is `00-00-00-00-00-00-00-10`
/// (the decimal digits read as the id's last hex digits), so "hub 10" is the same hub in a
/// fixture's description, a scenario and a Rust test.
pub fn hub(n: u64) -> HubId {
    let digits = n.to_string();
    HubId::from_u64(u64::from_str_radix(&digits, 16).expect("decimal digits are hex digits"))
}

pub fn cust(id: &str) -> Actor {
    Actor::customer(id).unwrap()
}

pub fn cid(id: &str) -> CustomerId {
    id.parse().unwrap()
}

pub fn vid(id: &str) -> VariantId {
    id.parse().unwrap()
}

pub fn fw(v: &str) -> FirmwareVersion {
    v.parse().unwrap()
}

pub fn camp(id: &str) -> CampaignId {
    id.parse().unwrap()
}

pub const NORTH: &str = "CH-N-DB";
pub const SOUTH: &str = "CH-S-SB";

pub fn variant(id: &str, region: Region) -> Box<Variant> {
    Box::new(Variant {
        id: vid(id),
        manufacturer: "Acme".into(),
        model: "CH2".into(),
        hardware_version: "B".into(),
        han_band: if region == Region::South {
            HanBand::SingleBand
        } else {
            HanBand::DualBand
        },
        region,
    })
}

/// A commissioned hub of `variant` on `firmware`, with an ESME for `import` and, when given,
/// a GSME for `gas`.
pub fn row(
    n: u64,
    variant: &str,
    firmware: &str,
    import: Option<&str>,
    gas: Option<&str>,
) -> HubRow {
    HubRow {
        id: hub(n),
        variant: vid(variant),
        firmware: fw(firmware),
        smi_status: SmiStatus::Commissioned,
        devices: HanDevices {
            esme: Some(HanDevice::new("EM-A1", "3.1")),
            gsme: gas.map(|_| HanDevice::new("GM-K1", "5.0")),
            ppmid: None,
            hcalcs: None,
            ihd: Some(HanDevice::new("IHD-X", "1.0")),
        },
        import_supplier: import.map(cid),
        gas_supplier: gas.map(cid),
        import_flags: ConsumerFlags::default(),
        gas_flags: ConsumerFlags::default(),
        installed_on: date(2024, 3, 1),
        commissioned_on: Some(date(2024, 3, 2)),
    }
}

/// Runs a command that must be accepted; on a signed engine, signed with the actor's test key.
pub fn ok(engine: &mut Engine, actor: &Actor, at: DateTime<Utc>, cmd: Command) -> Vec<Event> {
    let done = match engine.trust() {
        Some(_) => engine.execute_with(&key_of(actor), actor, at, cmd.clone()),
        None => engine.execute(actor, at, cmd.clone()),
    };
    done.unwrap_or_else(|e| panic!("{cmd:?} by {actor} refused: {e}"))
        .to_vec()
}

// --- signed logs (issue 21) ---

/// A party's test key, the same in every run (its seed spells the actor's code).
pub fn key_of(actor: &Actor) -> signing::KeyPair {
    let code = actor.to_code();
    let mut seed = [0x5au8; 32];
    for (i, b) in code.bytes().enumerate() {
        seed[i % 32] ^= b.rotate_left(i as u32 / 32);
    }
    signing::KeyPair::from_seed(&seed).unwrap()
}

/// The trust of the tests' signed logs: the log `test-log`, the DCC's test key the anchor.
pub fn trust() -> signing::Trust {
    signing::Trust::new("test-log", key_of(&Actor::Dcc).public_key()).unwrap()
}

/// The parties whose keys `register_parties` registers.
pub fn parties() -> Vec<Actor> {
    let mut all = vec![
        Actor::Csp(Region::North),
        Actor::Csp(Region::Central),
        Actor::Csp(Region::South),
    ];
    for c in ["SUP-A", "SUP-B", "SUP-C", "SUP-D", "SUP-E"] {
        all.push(cust(c));
    }
    all
}

/// The DCC registers every test party's key (signed with the anchor).
pub fn register_parties(engine: &mut Engine, at: DateTime<Utc>) {
    for party in parties() {
        let key = key_of(&party).public_key();
        ok(
            engine,
            &Actor::Dcc,
            at,
            Command::RegisterKey(RegisterKey { party, key }),
        );
    }
}

/// The forgery the signed-log tests try: event `seq`, recorded as the DCC's without an act,
/// giving hub 4 (SUP-C's) to SUP-A.
pub fn forged_supplier_change(seq: u64) -> Event {
    Event {
        seq,
        at: t(2),
        actor: Actor::Dcc,
        payload: EventPayload::SupplierChanged(commshub_ota::event::SupplierChanged {
            hub: hub(4),
            role: SupplyRole::Import,
            supplier: Some(cid("SUP-A")),
            flags: Default::default(),
        }),
        act: None,
    }
}

/// `err` is a corrupt log naming event `seq`, saying `says`.
pub fn corrupt_at(err: &Error, seq: u64, says: &str) {
    match err {
        Error::CorruptLog { line, reason } => {
            assert_eq!(*line, seq, "{err}");
            assert!(reason.contains(says), "{reason:?} should say {says:?}");
        }
        other => panic!("expected a corrupt log at event {seq}, got {other:?}"),
    }
}

/// A signed engine in memory with every test party's key registered.
pub fn signed_engine() -> Engine {
    let mut e = Engine::with_trust(trust());
    register_parties(&mut e, t(0));
    e
}

/// Runs a command that must be refused: checks the error kind and that nothing changed.
/// The field an `invalid_input` names (a test asserts on it, not on the message's wording).
#[allow(dead_code)]
pub fn field_of(err: &Error) -> String {
    match err {
        Error::InvalidInput { field, .. } => field.clone(),
        other => panic!("expected invalid_input, got {other}"),
    }
}

/// The rule a `precondition_failed` names.
#[allow(dead_code)]
pub fn rule_of(err: &Error) -> Rule {
    match err {
        Error::PreconditionFailed { rule, .. } => *rule,
        other => panic!("expected precondition_failed, got {other}"),
    }
}

pub fn refused(
    engine: &mut Engine,
    actor: &Actor,
    at: DateTime<Utc>,
    cmd: Command,
    kind: ErrorKind,
) -> Error {
    let before = engine.state().clone();
    let events = engine.events().unwrap().len();
    let done = match engine.trust() {
        Some(_) => engine
            .execute_with(&key_of(actor), actor, at, cmd.clone())
            .map(|e| e.to_vec()),
        None => engine.execute(actor, at, cmd.clone()).map(|e| e.to_vec()),
    };
    let err = done.expect_err(&format!("{cmd:?} by {actor} should be refused"));
    assert_eq!(err.kind(), kind, "{cmd:?} by {actor}: {err}");
    assert_eq!(
        engine.state(),
        &before,
        "a refused command changed the state"
    );
    assert_eq!(
        engine.events().unwrap().len(),
        events,
        "a refused command recorded events"
    );
    err
}

/// Registers a firmware version and passes every gate with the right actors (customer testing
/// closed by the DCC with its reason, no feedback given).
pub fn ready_firmware(
    engine: &mut Engine,
    variant: &str,
    region: Region,
    version: &str,
    from: &[&str],
    at: DateTime<Utc>,
) {
    ok(
        engine,
        &Actor::Csp(region),
        at,
        Command::RegisterFirmware(RegisterFirmware {
            variant: vid(variant),
            version: fw(version),
            upgrades_from: from.iter().map(|f| fw(f)).collect(),
            prerequisites: Vec::new(),
        }),
    );
    for gate in Gate::ALL {
        // No customer's testing feedback here: the DCC closes customer testing with its reason.
        let (actor, note) = match gate.recorder() {
            GateRecorder::RegionCsp => (Actor::Csp(region), None),
            GateRecorder::Dcc => (
                Actor::Dcc,
                (gate == Gate::CustomerTested).then(|| "closed on the DCC's own testing".into()),
            ),
        };
        ok(
            engine,
            &actor,
            at,
            Command::RecordGate(RecordGate {
                variant: vid(variant),
                version: fw(version),
                gate,
                note,
            }),
        );
    }
}

/// The repository's test world, `tests/fixtures/two_regions.json` (the fixture every language
/// loads): two variants (north dual band with 1.0 -> 1.1 -> 2.0; south single band with 1.0),
/// and:
/// - hub 1: north, 1.1, SUP-A supplies both fuels
/// - hub 2: north, 1.0, split supply: SUP-A electricity, SUP-B gas (SUP-B flags it vulnerable)
/// - hub 3: north, 1.1, SUP-B electricity only, installed not commissioned
/// - hub 4: south, 1.0, SUP-C electricity only
pub fn fixture() -> Engine {
    fixture_on(Engine::new())
}

/// The fixture's commands run on `e` (an engine in memory, or one opened on a store).
pub fn fixture_on(mut e: Engine) -> Engine {
    given_json(&mut e, "fixtures/two_regions.json");
    e
}

/// `tests/`, where the language-neutral fixtures and scenarios are.
pub fn tests_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

/// Runs a JSON fixture of `tests/` (its own fixtures first, then its commands) on `e`, as the
/// conformance runners of the three languages do; each command must be accepted (signed by the
/// actor's test key on a signed engine, as [`ok`] does).
pub fn given_json(e: &mut Engine, path: &str) {
    let file = tests_dir().join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|err| panic!("{path}: {err}"));
    let doc: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"));
    for inner in doc["fixtures"].as_array().into_iter().flatten() {
        given_json(e, inner.as_str().expect("a fixture is a path"));
    }
    for step in doc["commands"].as_array().into_iter().flatten() {
        let command: Command = serde_json::from_value(step["command"].clone())
            .unwrap_or_else(|err| panic!("{path}: {step}: {err}"));
        let actor: Actor = step["actor"]
            .as_str()
            .expect("actor")
            .parse()
            .expect("actor");
        let at: DateTime<Utc> = step["at"].as_str().expect("at").parse().expect("at");
        ok(e, &actor, at, command);
    }
}

// --- the rollout fixture (issue 5), shared by the rollout and hardening tests ---

pub const C1: &str = "C1";

pub fn csp() -> Actor {
    Actor::Csp(Region::North)
}

/// A hub of configuration set Y: a different ESME model from the fixture's set X.
pub fn row_y(n: u64, supplier: &str) -> HubRow {
    let mut r = row(n, NORTH, "1.1", Some(supplier), None);
    r.devices.esme = Some(HanDevice::new("EM-B2", "4.0"));
    r
}

/// The common fixture plus, all north on 1.1: hubs 10-14 SUP-A and 15 SUP-D on set X; hubs
/// 16-19 SUP-D on set Y; hub 20 split supply (SUP-A electricity, SUP-E gas). Campaign C1 to
/// 2.0 in Pilot from day 2, cut-off day 60; SUP-A and SUP-D approved their whole estates.
pub fn rolling(policy: CampaignPolicy) -> Engine {
    rolling_on(Engine::new(), policy)
}

/// The rolling fixture's commands run on `e`: `tests/fixtures/rollout_estate.json`, then the
/// campaign and the approvals.
pub fn rolling_on(mut e: Engine, policy: CampaignPolicy) -> Engine {
    given_json(&mut e, "fixtures/rollout_estate.json");
    piloting_campaign(&mut e, (t(1), t(2)), t(60), policy);
    for s in ["SUP-A", "SUP-D"] {
        ok(
            &mut e,
            &cust(s),
            t(2),
            Command::ApproveWholeEstate(ApproveWholeEstate { campaign: camp(C1) }),
        );
    }
    e
}

pub fn report(rows: &[(u64, Outcome)]) -> Command {
    Command::ReportOutcomes(ReportOutcomes {
        campaign: camp(C1),
        outcomes: rows
            .iter()
            .map(|(n, o)| OutcomeReport {
                hub: hub(*n),
                outcome: o.clone(),
                happened_at: None,
            })
            .collect(),
    })
}

pub fn read_back(v: &str) -> Outcome {
    Outcome::ReadBack { firmware: fw(v) }
}

/// Dispatch, deliver, activate, read back the target.
pub fn upgrade_rows(n: u64) -> Vec<(u64, Outcome)> {
    vec![
        (n, Outcome::Dispatched),
        (n, Outcome::Delivered),
        (n, Outcome::Activated),
        (n, read_back("2.0")),
    ]
}

pub fn fail_rows(n: u64) -> Vec<(u64, Outcome)> {
    vec![
        (n, Outcome::Dispatched),
        (n, Outcome::DeliveryFailed { reason: None }),
    ]
}

/// Campaign C1 (north, to 2.0) created at `at.0` with `cutoff` and `policy`, in its pilot
/// from `at.1`.
pub fn piloting_campaign(
    e: &mut Engine,
    at: (DateTime<Utc>, DateTime<Utc>),
    cutoff: DateTime<Utc>,
    policy: CampaignPolicy,
) {
    ok(
        e,
        &Actor::Dcc,
        at.0,
        Command::CreateCampaign(CreateCampaign {
            campaign: camp(C1),
            variant: vid(NORTH),
            target: fw("2.0"),
            cutoff,
            policy,
        }),
    );
    ok(
        e,
        &Actor::Dcc,
        at.1,
        Command::GrantPilotOa(GrantPilotOa { campaign: camp(C1) }),
    );
}

// --- PostgreSQL for the store tests ---

/// The test server's URL (`COMMSHUB_OTA_PG_URL`, set by scripts/test), or `None` to skip; under
/// CI its absence is a failure, so the PostgreSQL tests cannot be skipped there unseen.
pub fn pg_base() -> Option<String> {
    match std::env::var("COMMSHUB_OTA_PG_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var("CI").is_err(),
                "CI runs the PostgreSQL tests: COMMSHUB_OTA_PG_URL is not set"
            );
            eprintln!("COMMSHUB_OTA_PG_URL not set: PostgreSQL tests skipped");
            None
        }
    }
}

/// The URL of a new, empty database named `name` on the server at `base`.
pub fn fresh_pg_database(base: &str, name: &str) -> String {
    let mut admin = postgres::Client::connect(base, postgres::NoTls).expect("the test server");
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .expect("drop");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create");
    let (prefix, _) = base.rsplit_once('/').expect("a URL with a database");
    format!("{prefix}/{name}")
}

// --- Scratch files ---

/// A directory of scratch files under the system's temp directory, removed with everything in
/// it when dropped. The tests used to leave one per run behind (a 10 MB SQLite file each, some
/// hundred a day on a developer's machine), until the disk CI shares filled.
pub struct Scratch(std::path::PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("commshub-ota-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }

    /// The path of `name` in this directory (not created).
    pub fn file(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }

    /// The same, as the text a store location is given as.
    pub fn loc(&self, name: &str) -> String {
        self.file(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A store location that lives as long as its scratch directory (none for a database server):
/// reads as the location text.
pub struct Fresh {
    pub loc: String,
    _scratch: Option<Scratch>,
}

impl Fresh {
    /// A new SQLite file in its own scratch directory.
    pub fn sqlite(tag: &str) -> Fresh {
        let scratch = Scratch::new(tag);
        Fresh {
            loc: scratch.loc("store.db"),
            _scratch: Some(scratch),
        }
    }

    /// A location with nothing on this machine to remove (a PostgreSQL URL).
    pub fn url(loc: String) -> Fresh {
        Fresh {
            loc,
            _scratch: None,
        }
    }
}

impl std::ops::Deref for Fresh {
    type Target = str;
    fn deref(&self) -> &str {
        &self.loc
    }
}

impl std::fmt::Display for Fresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.loc)
    }
}

impl AsRef<std::path::Path> for Fresh {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(&self.loc)
    }
}
