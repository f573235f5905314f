//! Durability: writers are killed with SIGKILL at random moments, over many iterations; every
//! acknowledged issuance and status change must then be in the registry, and the registry must
//! be consistent. On SQLite, and on PostgreSQL (when `YINXIN_TEST_POSTGRES` names a server),
//! where the server itself is also stopped in immediate mode (as a crash would: no checkpoint,
//! recovery from the write-ahead log at the next start) when `YINXIN_TEST_POSTGRES_DIR` names
//! its cluster (`scripts/test-all.sh` sets both).
//!
//! The batch writer is killed once it has acknowledged a random number of licenses (read from
//! its stdout), not after a fixed time, so the test kills mid-batch on any machine and load.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use yinxin::status::Status;
use yinxin_registry::{AnyRegistry, Registry};

const ITERATIONS: usize = 12;
const LICENSES_PER_ITERATION: usize = 4000;

/// A small deterministic generator, seeded per run and printed, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn yinxin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_yinxin"))
}

fn write_input(path: &Path, iteration: usize) {
    let base: serde_json::Value = serde_json::from_slice(
        &std::fs::read(yinxin_test_vectors::fixture_path("business-license.json")).unwrap(),
    )
    .unwrap();
    let t = base["meta"]["license_type_code"].as_str().unwrap().to_owned();
    let i = base["meta"]["issuer_code"].as_str().unwrap().to_owned();
    let mut out = String::new();
    for n in 0..LICENSES_PER_ITERATION {
        let serial = format!("K{iteration:03}{n:08}");
        let mut d = base.clone();
        d["meta"]["license_identifier"] = yinxin_test_vectors::license_identifier(&t, &i, &serial).into();
        out.push_str(&serde_json::to_string(&d).unwrap());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

/// Runs a command, kills it with SIGKILL as soon as it has printed `lines` lines (or lets it end
/// if it prints fewer), and returns every line it printed.
fn run_and_kill_after_lines(mut cmd: Command, lines: usize) -> Vec<String> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    while seen.len() < lines {
        match rx.recv() {
            Ok(line) => seen.push(line),
            Err(_) => break, // the writer ended by itself
        }
    }
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    reader.join().unwrap();
    seen.extend(rx.try_iter()); // printed before the kill: acknowledged too
    seen
}

/// Runs a command, kills it with SIGKILL after `after`, and returns the lines it printed.
fn run_and_kill(mut cmd: Command, after: Duration) -> Vec<String> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader =
        std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
    std::thread::sleep(after);
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    reader.join().unwrap()
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    survive(dir.path(), db.to_str().unwrap(), ITERATIONS, &|_| {});
}

/// The same on PostgreSQL, with the server crashed (immediate stop) and restarted after every
/// other iteration.
#[test]
fn acknowledged_writes_survive_sigkill_and_a_postgresql_crash() {
    let Some(base) = std::env::var("YINXIN_TEST_POSTGRES").ok().filter(|u| !u.is_empty()) else {
        assert!(
            std::env::var("YINXIN_REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
            "YINXIN_REQUIRE_POSTGRES=1 but no YINXIN_TEST_POSTGRES"
        );
        eprintln!("note: YINXIN_TEST_POSTGRES not set: durability on PostgreSQL not tested here");
        return;
    };
    let cluster = std::env::var("YINXIN_TEST_POSTGRES_DIR").ok().filter(|d| !d.is_empty());
    if std::env::var("YINXIN_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        assert!(
            cluster.is_some(),
            "YINXIN_REQUIRE_POSTGRES=1: YINXIN_TEST_POSTGRES_DIR must name the cluster"
        );
    }
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let name = format!("yx_kill_{}", hex::encode(b));
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    drop(admin);
    let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/postgres-test-cluster.sh");
    let crashes = std::sync::atomic::AtomicUsize::new(0);
    let crash = |iteration: usize| {
        let Some(cluster) = &cluster else { return };
        if iteration % 2 == 1 {
            for step in [&["stop", cluster.as_str(), "immediate"][..], &["restart", cluster.as_str()][..]] {
                assert!(Command::new(&script).args(step).status().unwrap().success(), "{step:?}");
            }
            crashes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    };
    let dir = tempfile::tempdir().unwrap();
    survive(dir.path(), &url, 6, &crash);
    if cluster.is_some() {
        assert_eq!(crashes.load(std::sync::atomic::Ordering::SeqCst), 3);
    }
}

/// `iterations` rounds of: a batch writer killed mid-way, revocations killed at random
/// moments, `after_kills(iteration)` (a server crash), then every acknowledged write checked
/// in the registry at `registry` (a path or a URL).
fn survive(d: &Path, registry: &str, iterations: usize, after_kills: &dyn Fn(usize)) {
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    eprintln!("kill test seed {seed}");
    let mut rng = Lcg(seed);
    let ok = |cmd: &mut Command| assert!(cmd.current_dir(d).status().unwrap().success());
    ok(yinxin()
        .args([
            "authority",
            "init",
            "--dir",
            "auth",
            "--alg",
            "ed25519",
            "--name",
            "局",
            "--code",
            "11510000MB0123456W",
        ])
        .stdout(Stdio::null()));
    ok(yinxin().args(["key", "generate", "--alg", "ed25519", "--out", "holder.pem"]).stdout(Stdio::null()));
    let db = registry;

    let mut acked_issued: HashMap<String, u64> = HashMap::new();
    let mut acked_revoked: Vec<String> = Vec::new();
    let mut killed_mid_batch = 0;
    for iteration in 0..iterations {
        let input = d.join(format!("in{iteration}.jsonl"));
        write_input(&input, iteration);
        let mut cmd = yinxin();
        cmd.current_dir(d)
            .args(["license", "issue-batch", "--authority", "auth", "--registry"])
            .arg(db)
            .args([
                "--input",
                input.to_str().unwrap(),
                "--holder-key",
                "holder.pem",
                "--out-dir",
                "out",
                "--quiet",
            ]);
        // Somewhere inside the batch: after 1 to 3,700 of its 4,000 acknowledgements.
        let kill_after = 1 + rng.next(LICENSES_PER_ITERATION as u64 - 300) as usize;
        let lines = run_and_kill_after_lines(cmd, kill_after);
        if lines.len() < LICENSES_PER_ITERATION {
            killed_mid_batch += 1;
        }
        for line in &lines {
            let (id, idx) = line.split_once(' ').unwrap();
            acked_issued.insert(id.to_owned(), idx.parse().unwrap());
        }

        // Revocations, each killed at a random moment (some finish, some do not).
        let ids: Vec<String> = lines.iter().map(|l| l.split(' ').next().unwrap().to_owned()).collect();
        for _ in 0..4 {
            if ids.is_empty() {
                break;
            }
            let id = ids[rng.next(ids.len() as u64) as usize].clone();
            let mut cmd = yinxin();
            cmd.current_dir(d).args(["license", "revoke", "--registry"]).arg(db).args([
                "--id",
                &id,
                "--reason",
                "kill test",
            ]);
            let out = run_and_kill(cmd, Duration::from_millis(rng.next(40)));
            if out.iter().any(|l| l.starts_with(&format!("{id}\tINVALID"))) {
                acked_revoked.push(id);
            }
        }

        after_kills(iteration);
        // After every crash: consistent, and everything acknowledged is there.
        let reg = AnyRegistry::open_existing(Path::new(db)).unwrap();
        assert_eq!(
            reg.check_consistency().unwrap(),
            Vec::<String>::new(),
            "iteration {iteration}, seed {seed}"
        );
        for (id, idx) in &acked_issued {
            let rec =
                reg.license(id).unwrap().unwrap_or_else(|| panic!("acknowledged {id} lost (seed {seed})"));
            assert_eq!(rec.slot.index, *idx, "{id}");
        }
        for id in &acked_revoked {
            assert_eq!(
                reg.license(id).unwrap().unwrap().status,
                Status::Invalid,
                "acknowledged revocation of {id} lost"
            );
            assert!(
                reg.audit(id).unwrap().iter().any(|e| e.to == Status::Invalid && e.reason == "kill test")
            );
        }
    }
    eprintln!(
        "{} issuances and {} revocations acknowledged; {killed_mid_batch} of {iterations} batches killed mid-way",
        acked_issued.len(),
        acked_revoked.len()
    );
    assert!(killed_mid_batch > 0, "no writer was killed mid-batch: the test did not test anything");
    assert!(!acked_issued.is_empty());
}
