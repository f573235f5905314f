//! The registry on PostgreSQL: many issuing desks and services, one database (with its
//! replication and managed offerings), selected by a `postgres://` URL.
//!
//! Concurrency (several processes and threads on one database):
//! * *Indices* are random in the open list, checked free inside the transaction, and the
//!   `UNIQUE (list_id, idx)` constraint decides a race: the later batch fails with a unique
//!   violation and is retried with fresh indices (the signing callback runs again), so two
//!   licenses never share an index. Identifiers are the primary key the same way.
//! * *The end of every writing transaction* (usage counts, audit rows, commit) runs under one
//!   transaction-scoped advisory lock, so audit sequence numbers are given in commit order and
//!   a reader paging the log with `audit_log(after)` never skips an entry committed late. The
//!   signing before it runs in parallel.
//! * *Publication* reads every list in one `REPEATABLE READ` snapshot: a batch is all there or
//!   not at all.
//!
//! Durability: `synchronous_commit` is on (the server's default, set again per session), so
//! `Ok` means the commit is in PostgreSQL's write-ahead log on disk. The audit log is
//! append-only in the database itself: triggers refuse UPDATE and DELETE on it, and DELETE on
//! licenses.
//!
//! Schema migrations are numbered ([`MIGRATIONS`]), recorded in `yinxin_schema`, and applied
//! on open under an advisory lock (or explicitly: `yinxin registry migrate --to URL`).

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};

use postgres::{Client, IsolationLevel, NoTls, Transaction};
use time::OffsetDateTime;
use yinxin::status::{Status, StatusList};

use crate::{
    AuditEntry, IssuedRecord, LicenseRecord, Registry, RegistryConfig, RegistryError, SignBatch, StatusSlot,
};

/// The schema, one migration per entry, applied in order; a database records the ones it has.
pub const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("postgres_schema_1.sql"))];
/// A list is closed for allocation when this share of it is used (per mille).
const CLOSE_AT_PER_MILLE: i64 = 900;
/// The advisory lock key of migrations.
const MIGRATION_LOCK: i64 = 0x7969_6e78_696e_0001;
/// The advisory lock key of commits (audit sequence order).
const COMMIT_LOCK: i64 = 0x7969_6e78_696e_0002;
/// A batch that lost an index or identifier race is retried this many times.
const RACE_RETRIES: usize = 16;

fn db(e: postgres::Error) -> RegistryError {
    RegistryError::Database(describe(&e))
}

/// The server's own message and SQLSTATE when it sent one (the client's Display says only
/// "db error").
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{} ({})", d.message(), d.code().code()),
        None => e.to_string(),
    }
}

/// A race with another issuer that a retry resolves: an index or list taken first by
/// another transaction, or a deadlock PostgreSQL broke by aborting this one.
fn unique_violation(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    [SqlState::UNIQUE_VIOLATION, SqlState::T_R_DEADLOCK_DETECTED, SqlState::T_R_SERIALIZATION_FAILURE]
        .iter()
        .any(|c| e.code() == Some(c))
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn time(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn status(v: i16) -> Status {
    Status::from_value(u8::try_from(v).unwrap_or(u8::MAX))
}

fn random_below(n: i64) -> Result<i64, RegistryError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|_| RegistryError::Rng)?;
    let n = u64::try_from(n.max(1)).unwrap_or(1);
    // n is at most 2^24, so the modulo bias is below 2^-40.
    i64::try_from(u64::from_le_bytes(b) % n).map_err(|_| RegistryError::Rng)
}

/// The PostgreSQL registry. One connection (behind a mutex, for the trait's `&self` reads);
/// open one registry per thread or process for parallel issuance.
pub struct PostgresRegistry {
    client: Mutex<Client>,
    config: RegistryConfig,
}

impl std::fmt::Debug for PostgresRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresRegistry").field("config", &self.config).finish_non_exhaustive()
    }
}

impl PostgresRegistry {
    /// Connects to `url` (`postgres://user@host:port/db`), applies the migrations it lacks, and
    /// creates the registry with `config` if the database has none. An existing registry keeps
    /// the configuration it was created with.
    pub fn open(url: &str, config: &RegistryConfig) -> Result<Self, RegistryError> {
        let mut client = Self::connect(url)?;
        migrate(&mut client)?;
        let mut tx = client.transaction().map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(db)?;
        let stored = read_config(&mut tx)?;
        let config = match stored {
            Some(c) => c,
            None => {
                if config.list_size == 0 || config.list_size > yinxin::status::MAX_ENTRIES {
                    return Err(RegistryError::Config("list size out of range".into()));
                }
                for (k, v) in [
                    ("uri_base", config.uri_base.clone()),
                    ("list_size", config.list_size.to_string()),
                    ("bits", config.bits.to_string()),
                ] {
                    tx.execute("INSERT INTO meta (key, value) VALUES ($1, $2)", &[&k, &v]).map_err(db)?;
                }
                config.clone()
            }
        };
        tx.commit().map_err(db)?;
        Ok(Self { client: Mutex::new(client), config })
    }

    /// Connects to an existing registry; fails if the database holds none.
    pub fn open_existing(url: &str) -> Result<Self, RegistryError> {
        let mut client = Self::connect(url)?;
        migrate(&mut client)?;
        let mut tx = client.transaction().map_err(db)?;
        let config = read_config(&mut tx)?
            .ok_or_else(|| RegistryError::Config(format!("no registry in {}", redact(url))))?;
        tx.commit().map_err(db)?;
        Ok(Self { client: Mutex::new(client), config })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Client>, RegistryError> {
        self.client.lock().map_err(|_| RegistryError::Database("the connection's lock is poisoned".into()))
    }

    fn connect(url: &str) -> Result<Client, RegistryError> {
        let mut client = Client::connect(url, NoTls)
            .map_err(|e| RegistryError::Database(format!("{}: {e}", redact(url))))?;
        client
            .batch_execute(
                "SET synchronous_commit = on; SET default_transaction_isolation = 'read committed'",
            )
            .map_err(db)?;
        Ok(client)
    }

    /// The configuration the registry was created with.
    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// Whether the registry holds no license (a migration target must be empty).
    pub fn is_empty(&self) -> Result<bool, RegistryError> {
        let n: i64 = self.conn()?.query_one("SELECT count(*) FROM licenses", &[]).map_err(db)?.get(0);
        Ok(n == 0)
    }

    /// yinxin's consistency checks (each license has an issuance audit entry, list usage counts
    /// match, indices inside their lists, statuses equal to their last audit entry, the
    /// append-only triggers present). Returns the problems found, none when consistent.
    pub fn check_consistency(&self) -> Result<Vec<String>, RegistryError> {
        let mut client = self.conn()?;
        let checks: [(&str, &str); 5] = [
            (
                "SELECT count(*) FROM licenses l WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.identifier = l.identifier AND a.old_status IS NULL)",
                "licenses without an issuance audit entry",
            ),
            (
                "SELECT count(*) FROM status_lists s WHERE s.used <> (SELECT count(*) FROM licenses l WHERE l.list_id = s.id)",
                "lists with a wrong usage count",
            ),
            (
                "SELECT count(*) FROM licenses l JOIN status_lists s ON s.id = l.list_id WHERE l.idx < 0 OR l.idx >= s.size",
                "indices outside their list",
            ),
            (
                "SELECT count(*) FROM licenses l WHERE l.status <> (SELECT a.new_status FROM audit a WHERE a.identifier = l.identifier ORDER BY a.seq DESC LIMIT 1)",
                "licenses whose status is not their last audit entry",
            ),
            (
                "SELECT 3 - count(*) FROM pg_trigger WHERE tgname IN ('audit_append_only_update', 'audit_append_only_delete', 'licenses_never_deleted')",
                "append-only triggers missing",
            ),
        ];
        let mut problems = Vec::new();
        for (sql, what) in checks {
            let n: i64 = client.query_one(sql, &[]).map_err(db)?.get(0);
            if n != 0 {
                problems.push(format!("{n} {what}"));
            }
        }
        Ok(problems)
    }

    /// Copies every list, license and audit entry of `from` (a registry being moved here),
    /// keeping indices, statuses, times and the audit log's order. Refuses a registry that
    /// already holds licenses.
    pub fn import(&mut self, from: &dyn Registry) -> Result<usize, RegistryError> {
        if !self.is_empty()? {
            return Err(RegistryError::Config("the target registry is not empty".into()));
        }
        let lists = from.status_lists()?;
        let licenses = from.licenses()?;
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COMMIT_LOCK]).map_err(db)?;
        let bits = i16::from(self.config.bits);
        for (n, (uri, list)) in lists.iter().enumerate() {
            let id = i64::try_from(n).map_err(|_| RegistryError::Config("too many lists".into()))? + 1;
            let size = i64::try_from(list.len()).map_err(|_| RegistryError::Config("list size".into()))?;
            tx.execute(
                "INSERT INTO status_lists (id, uri, bits, size) VALUES ($1, $2, $3, $4)",
                &[&id, uri, &bits, &size],
            )
            .map_err(db)?;
        }
        let mut entries = Vec::new();
        let mut after = 0;
        loop {
            let page = from.audit_log(after, 10_000)?;
            let Some(last) = page.last() else { break };
            after = last.sequence;
            entries.extend(page);
        }
        let insert = tx
            .prepare(
                "INSERT INTO licenses (identifier, holder_code, doc_type, list_id, idx, status, issued_at, updated_at, seq)
                 VALUES ($1, $2, $3, (SELECT id FROM status_lists WHERE uri = $4), $5, $6, $7, $8, nextval('licenses_issue_order'))",
            )
            .map_err(db)?;
        for l in &licenses {
            let idx = i64::try_from(l.slot.index).map_err(|_| RegistryError::Config("index".into()))?;
            let st = i16::from(l.status.value());
            let (issued, updated) = (l.issued_at.unix_timestamp(), l.updated_at.unix_timestamp());
            tx.execute(
                &insert,
                &[&l.identifier, &l.holder_code, &l.doc_type, &l.slot.uri, &idx, &st, &issued, &updated],
            )
            .map_err(db)?;
        }
        tx.execute(
            "UPDATE status_lists s SET used = (SELECT count(*) FROM licenses l WHERE l.list_id = s.id)",
            &[],
        )
        .map_err(db)?;
        tx.execute(
            "UPDATE status_lists SET closed = true WHERE used * 1000 >= size * $1",
            &[&CLOSE_AT_PER_MILLE],
        )
        .map_err(db)?;
        let audit = tx
            .prepare(
                "INSERT INTO audit (identifier, old_status, new_status, actor, reason, at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .map_err(db)?;
        for a in &entries {
            let old = a.from.map(|s| i16::from(s.value()));
            let new = i16::from(a.to.value());
            let at = a.at.unix_timestamp();
            tx.execute(&audit, &[&a.identifier, &old, &new, &a.actor, &a.reason, &at]).map_err(db)?;
        }
        tx.commit().map_err(db)?;
        Ok(licenses.len())
    }

    fn try_issue_batch(
        &mut self,
        count: usize,
        sign: &mut SignBatch<'_>,
    ) -> Result<Result<Vec<IssuedRecord>, postgres::Error>, RegistryError> {
        let config = self.config.clone();
        let client = self
            .client
            .get_mut()
            .map_err(|_| RegistryError::Database("the connection's lock is poisoned".into()))?;
        let mut tx = client.transaction().map_err(db)?;
        let allocated = match allocate(&mut tx, &config, count) {
            Ok(a) => a,
            Err(Raced::Db(e)) if unique_violation(&e) => return Ok(Err(e)),
            Err(Raced::Db(e)) => return Err(db(e)),
            Err(Raced::Registry(e)) => return Err(e),
        };
        let slots: Vec<StatusSlot> = allocated.iter().map(|(_, s)| s.clone()).collect();
        let records = sign(&slots)?;
        if records.len() != slots.len() || records.iter().zip(&slots).any(|(r, s)| r.slot != *s) {
            return Err(RegistryError::Config(
                "the signer returned records that do not match the slots".into(),
            ));
        }
        let at = now();
        let written = (|| -> Result<(), postgres::Error> {
            // In index order, so two batches that drew the same indices wait for each other in
            // the same order (one fails and retries) instead of each holding what the other needs.
            let mut order: Vec<(usize, &IssuedRecord, &(i64, StatusSlot))> =
                records.iter().zip(&allocated).enumerate().map(|(k, (r, a))| (k, r, a)).collect();
            order.sort_by_key(|(_, _, (list_id, slot))| (*list_id, slot.index));
            let column = |f: &dyn Fn(&IssuedRecord) -> &str| -> Vec<String> {
                order.iter().map(|(_, r, _)| f(r).to_owned()).collect()
            };
            // Issuance order numbers in the records' order, whatever order the rows go in.
            let n = i64::try_from(records.len()).unwrap_or(i64::MAX);
            let numbers: Vec<i64> = tx
                .query("SELECT nextval('licenses_issue_order') FROM generate_series(1, $1::bigint)", &[&n])?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let seqs: Vec<i64> =
                order.iter().map(|(k, _, _)| numbers.get(*k).copied().unwrap_or(0)).collect();
            let lists: Vec<i64> = order.iter().map(|(_, _, (list_id, _))| *list_id).collect();
            let indices: Vec<i64> =
                order.iter().map(|(_, _, (_, slot))| i64::try_from(slot.index).unwrap_or(i64::MAX)).collect();
            // One statement for the batch (a round trip per license is what limits a remote server).
            tx.execute(
                "INSERT INTO licenses (identifier, holder_code, doc_type, list_id, idx, status, issued_at, updated_at, seq)
                 SELECT i, h, d, l, x, 0, $6, $6, q FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $7::bigint[]) AS t(i, h, d, l, x, q)",
                &[&column(&|r| &r.identifier), &column(&|r| &r.holder_code), &column(&|r| &r.doc_type), &lists, &indices, &at, &seqs],
            )?;
            // The end: in commit order.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COMMIT_LOCK])?;
            let ids: Vec<String> = records.iter().map(|r| r.identifier.clone()).collect();
            let actors: Vec<String> = records.iter().map(|r| r.actor.clone()).collect();
            tx.execute(
                "INSERT INTO audit (identifier, old_status, new_status, actor, reason, at)
                 SELECT i, NULL, 0, a, 'issued', $3 FROM UNNEST($1::text[], $2::text[]) WITH ORDINALITY AS t(i, a, n) ORDER BY n",
                &[&ids, &actors, &at],
            )?;
            let mut per_list: Vec<(i64, i64)> = Vec::new();
            for (list_id, _) in &allocated {
                match per_list.iter_mut().find(|(id, _)| id == list_id) {
                    Some((_, n)) => *n += 1,
                    None => per_list.push((*list_id, 1)),
                }
            }
            for (list_id, n) in per_list {
                tx.execute(
                    "UPDATE status_lists SET used = used + $2, closed = closed OR (used + $2) * 1000 >= size * $3 WHERE id = $1",
                    &[&list_id, &n, &CLOSE_AT_PER_MILLE],
                )?;
            }
            Ok(())
        })();
        match written {
            Ok(()) => {}
            Err(e) if unique_violation(&e) => {
                // An identifier given twice is the caller's error, not a race of indices.
                if let Some(dup) = duplicate_identifier(&e, &records) {
                    return Err(RegistryError::Duplicate(dup));
                }
                return Ok(Err(e));
            }
            Err(e) => return Err(db(e)),
        }
        tx.commit().map_err(db)?;
        Ok(Ok(records))
    }

    fn row_to_audit(r: &postgres::Row) -> AuditEntry {
        AuditEntry {
            sequence: r.get(0),
            identifier: r.get(1),
            from: r.get::<_, Option<i16>>(2).map(status),
            to: status(r.get(3)),
            actor: r.get(4),
            reason: r.get(5),
            at: time(r.get(6)),
        }
    }

    fn row_to_record(r: &postgres::Row) -> LicenseRecord {
        LicenseRecord {
            identifier: r.get(0),
            holder_code: r.get(1),
            doc_type: r.get(2),
            slot: StatusSlot { uri: r.get(3), index: u64::try_from(r.get::<_, i64>(4)).unwrap_or(0) },
            status: status(r.get(5)),
            issued_at: time(r.get(6)),
            updated_at: time(r.get(7)),
        }
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Which identifier of `records` the unique violation names, if it is the licenses' key.
fn duplicate_identifier(e: &postgres::Error, records: &[IssuedRecord]) -> Option<String> {
    let db = e.as_db_error()?;
    if db.constraint() != Some("licenses_pkey") {
        return None;
    }
    let detail = db.detail().unwrap_or("");
    records.iter().find(|r| detail.contains(&r.identifier)).map(|r| r.identifier.clone())
}

/// Connects to `url` and applies the migrations the database lacks; the versions applied.
pub fn migrate_url(url: &str) -> Result<Vec<i32>, RegistryError> {
    migrate(&mut PostgresRegistry::connect(url)?)
}

/// Applies the migrations the database lacks, under an advisory lock (several processes may
/// open the registry at once).
pub fn migrate(client: &mut Client) -> Result<Vec<i32>, RegistryError> {
    let mut tx = client.transaction().map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(db)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS yinxin_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .map_err(db)?;
    let applied: HashSet<i32> =
        tx.query("SELECT version FROM yinxin_schema", &[]).map_err(db)?.iter().map(|r| r.get(0)).collect();
    let newest = MIGRATIONS.iter().map(|(v, _)| *v).max().unwrap_or(0);
    if let Some(unknown) = applied.iter().find(|v| **v > newest) {
        return Err(RegistryError::Config(format!(
            "the database has schema version {unknown}, newer than this yinxin knows ({newest})"
        )));
    }
    let mut done = Vec::new();
    for (version, sql) in MIGRATIONS {
        if !applied.contains(version) {
            tx.batch_execute(sql).map_err(db)?;
            tx.execute("INSERT INTO yinxin_schema (version, applied_at) VALUES ($1, $2)", &[version, &now()])
                .map_err(db)?;
            done.push(*version);
        }
    }
    tx.commit().map_err(db)?;
    Ok(done)
}

fn read_config(tx: &mut Transaction<'_>) -> Result<Option<RegistryConfig>, RegistryError> {
    let rows = tx.query("SELECT key, value FROM meta", &[]).map_err(db)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let get = |k: &str| -> Result<String, RegistryError> {
        rows.iter()
            .find(|r| r.get::<_, &str>(0) == k)
            .map(|r| r.get::<_, String>(1))
            .ok_or_else(|| RegistryError::Config(format!("meta {k} missing")))
    };
    let parse = |k: &str| -> Result<u64, RegistryError> {
        get(k)?.parse().map_err(|_| RegistryError::Config(format!("meta {k}")))
    };
    Ok(Some(RegistryConfig {
        uri_base: get("uri_base")?,
        list_size: parse("list_size")?,
        bits: u8::try_from(parse("bits")?).map_err(|_| RegistryError::Config("bits".into()))?,
    }))
}

enum Raced {
    Db(postgres::Error),
    Registry(RegistryError),
}

impl From<postgres::Error> for Raced {
    fn from(e: postgres::Error) -> Self {
        Self::Db(e)
    }
}

impl From<RegistryError> for Raced {
    fn from(e: RegistryError) -> Self {
        Self::Registry(e)
    }
}

/// Allocates `count` fresh random slots in the open lists (opening new ones as needed).
fn allocate(
    tx: &mut Transaction<'_>,
    config: &RegistryConfig,
    count: usize,
) -> Result<Vec<(i64, StatusSlot)>, Raced> {
    let mut out = Vec::with_capacity(count);
    let mut taken: HashSet<(i64, i64)> = HashSet::new();
    let mut skip: Vec<i64> = Vec::new();
    while out.len() < count {
        let open = tx.query_opt(
            "SELECT id, uri, size, used FROM status_lists WHERE NOT closed AND NOT (id = ANY($1)) ORDER BY id LIMIT 1",
            &[&skip],
        )?;
        let (list_id, uri, size, used): (i64, String, i64, i64) = match open {
            Some(r) => (r.get(0), r.get(1), r.get(2), r.get(3)),
            None => {
                let next: i64 =
                    tx.query_one("SELECT coalesce(max(id), 0) + 1 FROM status_lists", &[])?.get(0);
                let uri = format!("{}/{next}", config.uri_base);
                let size = i64::try_from(config.list_size).unwrap_or(i64::MAX);
                // Two issuers opening the same list: the later one's unique violation retries.
                tx.execute(
                    "INSERT INTO status_lists (id, uri, bits, size) VALUES ($1, $2, $3, $4)",
                    &[&next, &uri, &i16::from(config.bits), &size],
                )?;
                (next, uri, size, 0)
            }
        };
        let room = (size.saturating_mul(CLOSE_AT_PER_MILLE) / 1000).saturating_sub(used);
        let want = i64::try_from(count - out.len()).unwrap_or(i64::MAX);
        let here = room.min(want);
        if here <= 0 {
            skip.push(list_id);
            continue;
        }
        // Random candidates, checked against the list in one query per round.
        let mut chosen: Vec<i64> = Vec::new();
        let want = usize::try_from(here).unwrap_or(usize::MAX);
        while chosen.len() < want {
            let mut candidates: Vec<i64> = Vec::new();
            while candidates.len() < want - chosen.len() {
                let c = random_below(size)?;
                if !taken.contains(&(list_id, c)) && !candidates.contains(&c) {
                    candidates.push(c);
                }
            }
            let used: HashSet<i64> = tx
                .query(
                    "SELECT idx FROM licenses WHERE list_id = $1 AND idx = ANY($2)",
                    &[&list_id, &candidates],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect();
            for c in candidates {
                if !used.contains(&c) && taken.insert((list_id, c)) {
                    chosen.push(c);
                }
            }
        }
        for index in chosen {
            out.push((list_id, StatusSlot { uri: uri.clone(), index: u64::try_from(index).unwrap_or(0) }));
        }
        skip.push(list_id);
    }
    Ok(out)
}

const SELECT_LICENSE: &str =
    "SELECT l.identifier, l.holder_code, l.doc_type, s.uri, l.idx, l.status, l.issued_at, l.updated_at
     FROM licenses l JOIN status_lists s ON s.id = l.list_id";

impl Registry for PostgresRegistry {
    fn issue_batch(
        &mut self,
        count: usize,
        sign: &mut SignBatch<'_>,
    ) -> Result<Vec<IssuedRecord>, RegistryError> {
        let mut last = None;
        for _ in 0..RACE_RETRIES {
            match self.try_issue_batch(count, sign)? {
                Ok(records) => return Ok(records),
                Err(e) => last = Some(e),
            }
        }
        Err(RegistryError::Database(format!(
            "lost the race for status indices {RACE_RETRIES} times: {}",
            last.as_ref().map(describe).unwrap_or_default()
        )))
    }

    fn set_status(
        &mut self,
        identifier: &str,
        to: Status,
        actor: &str,
        reason: &str,
    ) -> Result<AuditEntry, RegistryError> {
        if reason.trim().is_empty() {
            return Err(RegistryError::ReasonMissing);
        }
        let client = self
            .client
            .get_mut()
            .map_err(|_| RegistryError::Database("the connection's lock is poisoned".into()))?;
        let mut tx = client.transaction().map_err(db)?;
        let from: i16 = tx
            .query_opt("SELECT status FROM licenses WHERE identifier = $1 FOR UPDATE", &[&identifier])
            .map_err(db)?
            .ok_or_else(|| RegistryError::NotFound(identifier.to_owned()))?
            .get(0);
        let from = status(from);
        yinxin::registry::check_transition(identifier, from, to)?;
        let at = now();
        let new = i16::from(to.value());
        tx.execute(
            "UPDATE licenses SET status = $1, updated_at = $2 WHERE identifier = $3",
            &[&new, &at, &identifier],
        )
        .map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COMMIT_LOCK]).map_err(db)?;
        let old = i16::from(from.value());
        let sequence: i64 = tx
            .query_one(
                "INSERT INTO audit (identifier, old_status, new_status, actor, reason, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
                &[&identifier, &old, &new, &actor, &reason, &at],
            )
            .map_err(db)?
            .get(0);
        tx.commit().map_err(db)?;
        Ok(AuditEntry {
            sequence,
            identifier: identifier.to_owned(),
            from: Some(from),
            to,
            actor: actor.to_owned(),
            reason: reason.to_owned(),
            at: time(at),
        })
    }

    fn license(&self, identifier: &str) -> Result<Option<LicenseRecord>, RegistryError> {
        let sql = format!("{SELECT_LICENSE} WHERE l.identifier = $1");
        Ok(self.conn()?.query_opt(&sql, &[&identifier]).map_err(db)?.as_ref().map(Self::row_to_record))
    }

    fn licenses(&self) -> Result<Vec<LicenseRecord>, RegistryError> {
        let sql = format!("{SELECT_LICENSE} ORDER BY l.seq");
        Ok(self.conn()?.query(&sql, &[]).map_err(db)?.iter().map(Self::row_to_record).collect())
    }

    fn audit(&self, identifier: &str) -> Result<Vec<AuditEntry>, RegistryError> {
        let rows = self
            .conn()?
            .query(
                "SELECT seq, identifier, old_status, new_status, actor, reason, at FROM audit WHERE identifier = $1 ORDER BY seq",
                &[&identifier],
            )
            .map_err(db)?;
        Ok(rows.iter().map(Self::row_to_audit).collect())
    }

    fn audit_log(&self, after: i64, limit: usize) -> Result<Vec<AuditEntry>, RegistryError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .conn()?
            .query(
                "SELECT seq, identifier, old_status, new_status, actor, reason, at FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &limit],
            )
            .map_err(db)?;
        Ok(rows.iter().map(Self::row_to_audit).collect())
    }

    fn status_lists(&self) -> Result<Vec<(String, StatusList)>, RegistryError> {
        let mut client = self.conn()?;
        // One snapshot: a batch is in every list or in none.
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(db)?;
        let lists = tx.query("SELECT id, uri, bits, size FROM status_lists ORDER BY id", &[]).map_err(db)?;
        let mut out = Vec::with_capacity(lists.len());
        for row in &lists {
            let (id, uri, bits, size): (i64, String, i16, i64) =
                (row.get(0), row.get(1), row.get(2), row.get(3));
            let bits = u8::try_from(bits).map_err(|_| RegistryError::Config("bits".into()))?;
            let mut list = StatusList::new(bits, u64::try_from(size).unwrap_or(0))
                .map_err(|e| RegistryError::Config(e.to_string()))?;
            for e in tx
                .query("SELECT idx, status FROM licenses WHERE list_id = $1 AND status <> 0", &[&id])
                .map_err(db)?
            {
                let (idx, value): (i64, i16) = (e.get(0), e.get(1));
                list.set(u64::try_from(idx).unwrap_or(u64::MAX), u8::try_from(value).unwrap_or(u8::MAX))
                    .map_err(|e| RegistryError::Config(e.to_string()))?;
            }
            out.push((uri, list));
        }
        tx.commit().map_err(db)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("postgres://issuer:hunter2@db:5432/yinxin"), "postgres://issuer@db:5432/yinxin");
        assert_eq!(redact("postgres://issuer@db/yinxin"), "postgres://issuer@db/yinxin");
        assert_eq!(redact("postgresql://a:b:c@h/d"), "postgresql://a@h/d");
        assert_eq!(redact("registry.db"), "registry.db");
    }
}
