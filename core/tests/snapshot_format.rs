//! Snapshot formats: a snapshot written by an older build is still read (format 1: the
//! structured part flat, as every build before format 2 wrote it), one written by a newer build
//! is refused with a typed error that says which formats this build reads, and this build
//! writes format 2.

mod common;

use common::*;
use commshub_ota::store::snapshot;
use commshub_ota::{Actor, Engine, ErrorKind};

/// The world the format-1 fixture holds: the rolling fixture (catalogue, estate, a campaign in
/// pilot with approvals), one hub upgraded and one failed (attempts, tallies, notices in the
/// outboxes), a defect flag raised and another withdrawn. Kept as the events that build it,
/// recorded by the build that wrote format 1 (`fixtures/snapshot-format-1-world.json`): the
/// test fixtures have moved on since (customer testing is per customer now), the log has not;
/// replaying it also shows that such a log is still read.
fn world() -> Engine {
    let events: Vec<commshub_ota::Event> =
        serde_json::from_str(include_str!("fixtures/snapshot-format-1-world.json")).unwrap();
    let mut e = Engine::new();
    for event in events {
        e.apply_event(event).unwrap();
    }
    e
}

/// `world().to_snapshot()` as the format-1 encoder wrote it (`core/src/store/snapshot.rs` of
/// commit 50e3a7f, the last to write format 1), kept as bytes.
const FORMAT_1: &[u8] = include_bytes!("fixtures/snapshot-format-1.bin");

#[test]
fn a_format_1_snapshot_is_still_read_to_the_same_state() {
    let header = snapshot::check(FORMAT_1).unwrap();
    assert_eq!(header.format, 1);
    let restored = Engine::from_snapshot(FORMAT_1).unwrap();
    let expected = world();
    assert!(restored.same_state_but_dpl_history(&expected));
    // Format 1 predates the DPL's history: it starts with the counts on the snapshot's day.
    let dpl = |e: &Engine, day: i64| {
        e.state()
            .dpl_on(&Actor::Dcc, None, t(day).date_naive())
            .unwrap()
    };
    assert_eq!(dpl(&restored, 5), dpl(&expected, 5));
    assert!(dpl(&restored, 4).is_empty() && !dpl(&expected, 4).is_empty());
    assert_eq!(restored.state().last_seq(), expected.state().last_seq());
    // And it goes on from there as the original does: the same command, the same events.
    let (mut a, mut b) = (restored, expected);
    let cmd = report(&upgrade_rows(12));
    let ea = ok(&mut a, &csp(), t(6), cmd.clone());
    let eb = ok(&mut b, &csp(), t(6), cmd);
    assert_eq!(ea, eb);
    assert!(a.same_state_but_dpl_history(&b));
    assert_eq!(dpl(&a, 6), dpl(&b, 6));
}

#[test]
fn this_build_writes_format_2_and_reads_it_back() {
    let e = world();
    let bytes = e.to_snapshot();
    assert_eq!(snapshot::FORMAT, 2);
    assert_eq!(snapshot::check(&bytes).unwrap().format, 2);
    assert!(Engine::from_snapshot(&bytes).unwrap().same_state_as(&e));
    // The same state, laid out differently: the bytes are not format 1's.
    assert_ne!(&bytes[..], FORMAT_1);
}

/// `bytes` with its format field set to `format` and the checksum made good again, as a newer
/// build would have written them.
fn with_format(bytes: &[u8], format: u32) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut out = bytes[..bytes.len() - 32].to_vec();
    out[8..12].copy_from_slice(&format.to_le_bytes());
    let sum: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&sum);
    out
}

#[test]
fn a_newer_format_is_refused_with_a_typed_error_that_says_so() {
    let bytes = with_format(&world().to_snapshot(), 3);
    let err = Engine::from_snapshot(&bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CorruptSnapshot);
    let text = err.to_string();
    assert!(
        text.contains("format 3, written by a newer build")
            && text.contains("reads formats 1 and 2"),
        "{text}"
    );
    let err = snapshot::check(&with_format(FORMAT_1, 0)).unwrap_err();
    assert!(
        err.to_string().contains("format 0, which no build writes"),
        "{err}"
    );
}

#[test]
fn a_structured_part_of_the_other_format_is_refused_not_misread() {
    // Format-1 bytes labelled 2 (and the reverse) do not decode as what they claim.
    let err = Engine::from_snapshot(&with_format(FORMAT_1, 2)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CorruptSnapshot);
    assert!(
        err.to_string().contains("does not decode as format 2"),
        "{err}"
    );
    let err = Engine::from_snapshot(&with_format(&world().to_snapshot(), 1)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CorruptSnapshot);
    assert!(
        err.to_string().contains("does not decode as format 1"),
        "{err}"
    );
}
