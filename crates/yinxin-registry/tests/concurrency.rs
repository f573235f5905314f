//! Many issuers on one PostgreSQL registry at once (threads, each with its own connection, as
//! separate processes or desks would be): no status index or identifier is given twice, every
//! acknowledged batch is there, the audit log pages in commit order without gaps a reader
//! could miss, and a reader of the lists never sees part of a batch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod backends;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use yinxin_registry::{IssuedRecord, PostgresRegistry, Registry, RegistryConfig};

const ISSUERS: usize = 4;
const BATCHES: usize = 12;
const BATCH: usize = 25;

#[test]
fn concurrent_issuers_never_share_an_index_and_readers_see_whole_batches() {
    let Some(backend) = backends::postgres() else {
        assert!(
            std::env::var("YINXIN_REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
            "YINXIN_REQUIRE_POSTGRES=1 but no YINXIN_TEST_POSTGRES"
        );
        eprintln!("note: YINXIN_TEST_POSTGRES not set: concurrency on PostgreSQL not tested here");
        return;
    };
    let url = backend.location();
    // Small lists (1,000 entries, closed at 900) so the issuers also race to open new ones.
    let config =
        RegistryConfig { list_size: 1000, ..RegistryConfig::new("https://status.example.gov.cn/x/lists") };
    drop(PostgresRegistry::open(&url, &config).unwrap());
    let done = AtomicBool::new(false);
    /// Stops the reader however the issuers end (a failed issuer must fail the test, not hang it).
    struct Stop<'a>(&'a AtomicBool);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let issued: Vec<IssuedRecord> = std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let reg = PostgresRegistry::open_existing(&url).unwrap();
            let mut reads = 0;
            while !done.load(Ordering::SeqCst) {
                let n = reg.licenses().unwrap().len();
                assert_eq!(n % BATCH, 0, "a read saw part of a batch ({n} licenses)");
                let lists = reg.status_lists().unwrap();
                assert!(lists.iter().all(|(_, l)| l.len() == 1000));
                reads += 1;
            }
            reads
        });
        let issuers: Vec<_> = (0..ISSUERS)
            .map(|t| {
                let url = url.clone();
                s.spawn(move || {
                    let mut reg = PostgresRegistry::open_existing(&url).unwrap();
                    let mut mine = Vec::new();
                    for b in 0..BATCHES {
                        let batch = reg
                            .issue_batch(BATCH, &mut |slots| {
                                Ok(slots
                                    .iter()
                                    .enumerate()
                                    .map(|(i, slot)| IssuedRecord {
                                        identifier: format!("t{t}-b{b}-{i}"),
                                        holder_code: "91510100MA61ABCDE3".into(),
                                        doc_type: "cn.gov.elicense.11100000000013338W001".into(),
                                        slot: slot.clone(),
                                        actor: format!("desk {t}"),
                                    })
                                    .collect())
                            })
                            .unwrap();
                        mine.extend(batch);
                    }
                    mine
                })
            })
            .collect();
        let stop = Stop(&done);
        let all: Vec<IssuedRecord> = issuers.into_iter().flat_map(|h| h.join().unwrap()).collect();
        drop(stop);
        let reads = reader.join().unwrap();
        assert!(reads > 0);
        all
    });
    let total = ISSUERS * BATCHES * BATCH;
    assert_eq!(issued.len(), total);
    let slots: HashSet<_> = issued.iter().map(|r| r.slot.clone()).collect();
    assert_eq!(slots.len(), total, "a status index was given twice");
    let reg = PostgresRegistry::open_existing(&url).unwrap();
    let stored = reg.licenses().unwrap();
    assert_eq!(stored.len(), total, "every acknowledged license is there");
    let stored_slots: HashSet<_> = stored.iter().map(|r| r.slot.clone()).collect();
    assert_eq!(stored_slots, slots);
    // 1,200 licenses in lists closed at 900: two lists, the first one full to its limit.
    let uris: HashSet<_> = stored.iter().map(|r| r.slot.uri.as_str()).collect();
    assert_eq!(uris.len(), 2, "{uris:?}");
    assert_eq!(stored.iter().filter(|r| r.slot.uri.ends_with("/1")).count(), 900);
    // The audit log, paged: every issuance once, in strictly increasing order.
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page = reg.audit_log(after, 97).unwrap();
        let Some(last) = page.last() else { break };
        after = last.sequence;
        seen.extend(page);
    }
    assert_eq!(seen.len(), total);
    assert!(seen.windows(2).all(|w| w[0].sequence < w[1].sequence));
    assert_eq!(reg.check_consistency().unwrap(), Vec::<String>::new());
}
