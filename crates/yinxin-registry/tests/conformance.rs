//! One conformance suite for every registry backend (SQLite, and PostgreSQL when
//! `YINXIN_TEST_POSTGRES` names a server: `scripts/test-all.sh` starts a throw-away cluster and
//! sets it; `YINXIN_REQUIRE_POSTGRES=1` makes its absence a failure): issuance batches, random
//! never-reused indices, list growth and closing, status transitions, the append-only audit
//! log (refused by the database itself), the lists to publish, and consistency.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod backends;

use std::collections::HashSet;

use backends::{Backend, backends};
use yinxin::ErrorCode;
use yinxin::status::Status;
use yinxin_registry::{IssuedRecord, Registry, RegistryConfig, RegistryError, StatusSlot};

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

fn issue(reg: &mut dyn Registry, prefix: &str, n: usize) -> Result<Vec<IssuedRecord>, RegistryError> {
    reg.issue_batch(n, &mut |slots| Ok(records(prefix, slots)))
}

#[test]
fn batches_get_random_distinct_indices_and_lists_grow() {
    for backend in backends() {
        batches_get_random_distinct_indices_and_lists_grow_on(&backend);
    }
}

fn batches_get_random_distinct_indices_and_lists_grow_on(backend: &Backend) {
    let mut store = backend.open(&config(100));
    let reg = store.registry();
    let issued = issue(reg, "a", 50).unwrap();
    assert_eq!(issued.len(), 50);
    let more = issue(reg, "b", 100).unwrap();
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
    let listed: Vec<String> = reg.licenses().unwrap().into_iter().map(|r| r.identifier).collect();
    let issued_order: Vec<String> = all.iter().map(|r| r.identifier.clone()).collect();
    assert_eq!(listed, issued_order, "{}: licenses in issuance order", backend.name());
    assert_eq!(store.problems(), Vec::<String>::new(), "{}", backend.name());
}

#[test]
fn failed_batches_record_nothing() {
    for backend in backends() {
        failed_batches_record_nothing_on(&backend);
    }
}

fn failed_batches_record_nothing_on(backend: &Backend) {
    let mut store = backend.open(&config(1000));
    let reg = store.registry();
    issue(reg, "a", 3).unwrap();
    // A duplicate identifier anywhere in the batch refuses the whole batch.
    let err = reg
        .issue_batch(3, &mut |slots| {
            let mut r = records("c", slots);
            r[2].identifier = "a-1".into();
            Ok(r)
        })
        .unwrap_err();
    assert_eq!(err.code(), "registry.duplicate", "{}: {err}", backend.name());
    // A failing signer records nothing.
    let err = reg
        .issue_batch(2, &mut |_| {
            Err(RegistryError::Issue { code: "license.issuer_code_mismatch", message: "x".into() })
        })
        .unwrap_err();
    assert_eq!(err.code(), "license.issuer_code_mismatch");
    assert_eq!(reg.licenses().unwrap().len(), 3);
    assert!(reg.license("c-0").unwrap().is_none());
    assert_eq!(store.problems(), Vec::<String>::new(), "{}", backend.name());
}

#[test]
fn status_transitions_and_audit_log() {
    for backend in backends() {
        status_transitions_and_audit_log_on(&backend);
    }
}

fn status_transitions_and_audit_log_on(backend: &Backend) {
    let mut store = backend.open(&config(1000));
    let reg = store.registry();
    issue(reg, "x", 3).unwrap();
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
    drop(store);
    for sql in ["UPDATE audit SET reason = 'nothing happened'", "DELETE FROM audit", "DELETE FROM licenses"] {
        assert!(backend.raw_sql(sql).is_err(), "{}: {sql} was allowed", backend.name());
    }
    if backend.name() == "postgres" {
        assert!(backend.raw_sql("TRUNCATE audit CASCADE").is_err(), "TRUNCATE was allowed");
    }
    let store = backend.open_existing();
    assert_eq!(store.problems(), Vec::<String>::new(), "{}", backend.name());
    assert_eq!(store.config().list_size, 1000, "configuration persists");
}

#[test]
fn opening_a_missing_registry_without_creating_fails() {
    for backend in backends() {
        assert_eq!(backend.try_open_existing().unwrap_err().code(), "registry.config", "{}", backend.name());
        assert_eq!(backend.try_open(&config(0)).unwrap_err().code(), "registry.config", "{}", backend.name());
    }
}
