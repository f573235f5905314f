//! The SQLite registry: issuance batches, random never-reused indices, list growth, status
//! transitions, the append-only audit log, and consistency.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashSet;

use yinxin::ErrorCode;
use yinxin::status::Status;
use yinxin_registry::{IssuedRecord, Registry, RegistryConfig, RegistryError, SqliteRegistry, StatusSlot};

fn config(size: u64) -> RegistryConfig {
    RegistryConfig { list_size: size, ..RegistryConfig::new("https://status.example.gov.cn/lists/") }
}

fn records(prefix: &str, slots: &[StatusSlot]) -> Vec<IssuedRecord> {
    slots
        .iter()
        .enumerate()
        .map(|(i, s)| IssuedRecord {
            identifier: format!("{prefix}-{i}"),
            holder_code: "91510100MA61ABCDE3".into(),
            doc_type: "cn.gov.elicense.11100000000013338W001".into(),
            slot: s.clone(),
            actor: "test".into(),
        })
        .collect()
}

fn issue(reg: &mut SqliteRegistry, prefix: &str, n: usize) -> Result<Vec<IssuedRecord>, RegistryError> {
    reg.issue_batch(n, &mut |slots| Ok(records(prefix, slots)))
}

#[test]
fn batches_get_random_distinct_indices_and_lists_grow() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = SqliteRegistry::open(&dir.path().join("r.db"), &config(100)).unwrap();
    let issued = issue(&mut reg, "a", 50).unwrap();
    assert_eq!(issued.len(), 50);
    let more = issue(&mut reg, "b", 100).unwrap();
    let all: Vec<&IssuedRecord> = issued.iter().chain(&more).collect();
    let slots: HashSet<&StatusSlot> = all.iter().map(|r| &r.slot).collect();
    assert_eq!(slots.len(), 150, "no slot given twice");
    assert!(all.iter().all(|r| r.slot.index < 100));
    // Lists close at 90 entries: 150 licenses span two lists.
    let uris: HashSet<&str> = all.iter().map(|r| r.slot.uri.as_str()).collect();
    assert_eq!(
        uris,
        HashSet::from(["https://status.example.gov.cn/lists/1", "https://status.example.gov.cn/lists/2"])
    );
    assert_eq!(all.iter().filter(|r| r.slot.uri.ends_with("/1")).count(), 90);
    // Random, not sequential: the first ten indices are not 0..10 in order.
    let first: Vec<u64> = issued.iter().take(10).map(|r| r.slot.index).collect();
    assert_ne!(first, (0..10).collect::<Vec<_>>());
    assert_eq!(reg.licenses().unwrap().len(), 150);
    assert!(reg.check_consistency().unwrap().is_empty());
}

#[test]
fn failed_batches_record_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = SqliteRegistry::open(&dir.path().join("r.db"), &config(1000)).unwrap();
    issue(&mut reg, "a", 3).unwrap();
    // A duplicate identifier anywhere in the batch refuses the whole batch.
    let err = reg
        .issue_batch(3, &mut |slots| {
            let mut r = records("c", slots);
            r[2].identifier = "a-1".into();
            Ok(r)
        })
        .unwrap_err();
    assert_eq!(err.code(), "registry.duplicate");
    // A failing signer records nothing.
    let err = reg
        .issue_batch(2, &mut |_| {
            Err(RegistryError::Issue { code: "license.issuer_code_mismatch", message: "x".into() })
        })
        .unwrap_err();
    assert_eq!(err.code(), "license.issuer_code_mismatch");
    assert_eq!(reg.licenses().unwrap().len(), 3);
    assert!(reg.license("c-0").unwrap().is_none());
    assert!(reg.check_consistency().unwrap().is_empty());
}

#[test]
fn status_transitions_and_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let mut reg = SqliteRegistry::open(&path, &config(1000)).unwrap();
    issue(&mut reg, "x", 3).unwrap();
    reg.set_status("x-0", Status::Suspended, "clerk", "under review").unwrap();
    reg.set_status("x-0", Status::Valid, "clerk", "review passed").unwrap();
    reg.set_status("x-0", Status::Invalid, "director", "fraud").unwrap();
    let code = |r: Result<_, RegistryError>| r.unwrap_err().code();
    assert_eq!(code(reg.set_status("x-0", Status::Valid, "clerk", "undo")), "registry.transition");
    assert_eq!(code(reg.set_status("x-0", Status::Suspended, "clerk", "x")), "registry.transition");
    assert_eq!(code(reg.set_status("x-1", Status::Valid, "clerk", "already valid")), "registry.transition");
    assert_eq!(code(reg.set_status("nope", Status::Invalid, "clerk", "x")), "registry.not_found");
    // Every change says why: an empty or blank reason is refused and nothing changes.
    for blank in ["", "  \t"] {
        assert_eq!(code(reg.set_status("x-1", Status::Suspended, "clerk", blank)), "registry.reason_missing");
    }
    assert_eq!(reg.license("x-1").unwrap().unwrap().status, Status::Valid);
    reg.set_status("x-1", Status::Suspended, "clerk", "lost").unwrap();

    // The whole log, page by page: the three issuances, then the changes, in order.
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = reg.audit_log(after, 2).unwrap();
        let Some(last) = page.last() else { break };
        after = last.sequence;
        all.extend(page);
    }
    let reasons: Vec<&str> = all.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons, ["issued", "issued", "issued", "under review", "review passed", "fraud", "lost"]);
    assert!(all.windows(2).all(|w| w[0].sequence < w[1].sequence));

    let log = reg.audit("x-0").unwrap();
    let steps: Vec<(Option<Status>, Status, &str)> =
        log.iter().map(|e| (e.from, e.to, e.reason.as_str())).collect();
    assert_eq!(
        steps,
        [
            (None, Status::Valid, "issued"),
            (Some(Status::Valid), Status::Suspended, "under review"),
            (Some(Status::Suspended), Status::Valid, "review passed"),
            (Some(Status::Valid), Status::Invalid, "fraud"),
        ]
    );
    assert_eq!(log[3].actor, "director");
    assert_eq!(reg.license("x-0").unwrap().unwrap().status, Status::Invalid);

    // The published lists carry the statuses.
    let lists = reg.status_lists().unwrap();
    assert_eq!(lists.len(), 1);
    let (uri, list) = &lists[0];
    let rec = |id: &str| reg.license(id).unwrap().unwrap();
    assert_eq!(uri, &rec("x-0").slot.uri);
    assert_eq!(list.status(rec("x-0").slot.index).unwrap(), Status::Invalid);
    assert_eq!(list.status(rec("x-1").slot.index).unwrap(), Status::Suspended);
    assert_eq!(list.status(rec("x-2").slot.index).unwrap(), Status::Valid);
    assert_eq!(list.len(), 1000);

    // The audit log and the licenses cannot be rewritten, even with raw SQL.
    drop(reg);
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert!(raw.execute("UPDATE audit SET reason = 'nothing happened'", []).is_err());
    assert!(raw.execute("DELETE FROM audit", []).is_err());
    assert!(raw.execute("DELETE FROM licenses", []).is_err());
    drop(raw);
    let reg = SqliteRegistry::open_existing(&path).unwrap();
    assert!(reg.check_consistency().unwrap().is_empty());
    assert_eq!(reg.config().list_size, 1000, "configuration persists");
}

#[test]
fn opening_a_missing_registry_without_creating_fails() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        SqliteRegistry::open_existing(&dir.path().join("none.db")).unwrap_err().code(),
        "registry.config"
    );
    assert_eq!(
        SqliteRegistry::open(&dir.path().join("bad.db"), &config(0)).unwrap_err().code(),
        "registry.config"
    );
}
