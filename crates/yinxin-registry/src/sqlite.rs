//! The embedded registry: SQLite (bundled), WAL, synchronous = FULL.

use std::collections::HashSet;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;
use yinxin::status::{Status, StatusList};

use crate::{
    AuditEntry, IssuedRecord, LicenseRecord, Registry, RegistryConfig, RegistryError, SignBatch, StatusSlot,
};

/// A rusqlite result as a registry result: the database's own message in
/// [`RegistryError::Database`] (the error type lives in the core, which has no SQLite).
trait OrDatabase<T> {
    fn db(self) -> Result<T, RegistryError>;
}

impl<T> OrDatabase<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T, RegistryError> {
        self.map_err(|e| RegistryError::Database(e.to_string()))
    }
}

/// The schema version this code writes and reads (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;
/// A list is closed for allocation when this share of it is used (per mille), so random
/// allocation never needs many tries.
const CLOSE_AT_PER_MILLE: u64 = 900;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE status_lists (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    bits INTEGER NOT NULL,
    size INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE licenses (
    identifier TEXT PRIMARY KEY,
    holder_code TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    list_id INTEGER NOT NULL REFERENCES status_lists(id),
    idx INTEGER NOT NULL,
    status INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    UNIQUE (list_id, idx)
);
CREATE INDEX licenses_status ON licenses (list_id, status) WHERE status <> 0;
CREATE INDEX licenses_seq ON licenses (seq);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    identifier TEXT NOT NULL REFERENCES licenses(identifier),
    old_status INTEGER,
    new_status INTEGER NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX audit_identifier ON audit (identifier);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER licenses_never_deleted BEFORE DELETE ON licenses
    BEGIN SELECT RAISE(ABORT, 'licenses are never deleted'); END;
";

/// The SQLite registry. One writer at a time (SQLite's rule); readers may run beside it.
#[derive(Debug)]
pub struct SqliteRegistry {
    conn: Connection,
    config: RegistryConfig,
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn time(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn status(v: i64) -> Status {
    Status::from_value(u8::try_from(v).unwrap_or(u8::MAX))
}

fn random_below(n: u64) -> Result<u64, RegistryError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|_| RegistryError::Rng)?;
    // n is at most 2^24, so the modulo bias is below 2^-40.
    Ok(u64::from_le_bytes(b) % n.max(1))
}

impl SqliteRegistry {
    /// Opens the registry at `path`, creating it with `config` if it does not exist. An
    /// existing registry keeps the configuration it was created with.
    pub fn open(path: &Path, config: &RegistryConfig) -> Result<Self, RegistryError> {
        let conn = Connection::open(path).db()?;
        conn.pragma_update(None, "journal_mode", "WAL").db()?;
        conn.pragma_update(None, "synchronous", "FULL").db()?;
        conn.pragma_update(None, "foreign_keys", "ON").db()?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).db()?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).db()?;
        match version {
            0 => {
                if config.list_size == 0 || config.list_size > yinxin::status::MAX_ENTRIES {
                    return Err(RegistryError::Config("list size out of range".into()));
                }
                let tx = conn.unchecked_transaction().db()?;
                tx.execute_batch(SCHEMA).db()?;
                for (k, v) in [
                    ("uri_base", config.uri_base.clone()),
                    ("list_size", config.list_size.to_string()),
                    ("bits", config.bits.to_string()),
                ] {
                    tx.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", params![k, v]).db()?;
                }
                tx.pragma_update(None, "user_version", SCHEMA_VERSION).db()?;
                tx.commit().db()?;
                Ok(Self { conn, config: config.clone() })
            }
            SCHEMA_VERSION => {
                let get = |k: &str| -> Result<String, RegistryError> {
                    conn.query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0)).db()
                };
                let parse = |k: &str| -> Result<u64, RegistryError> {
                    get(k)?.parse().map_err(|_| RegistryError::Config(format!("meta {k}")))
                };
                let stored = RegistryConfig {
                    uri_base: get("uri_base")?,
                    list_size: parse("list_size")?,
                    bits: u8::try_from(parse("bits")?).map_err(|_| RegistryError::Config("bits".into()))?,
                };
                Ok(Self { conn, config: stored })
            }
            other => Err(RegistryError::Config(format!("schema version {other} is not {SCHEMA_VERSION}"))),
        }
    }

    /// Opens an existing registry; fails if there is none at `path`.
    pub fn open_existing(path: &Path) -> Result<Self, RegistryError> {
        if !path.exists() {
            return Err(RegistryError::Config(format!("no registry at {}", path.display())));
        }
        Self::open(path, &RegistryConfig::new("unused"))
    }

    /// The configuration the registry was created with.
    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// Runs SQLite's integrity check and yinxin's own consistency checks (each license has an
    /// issuance audit entry, list usage counts match, indices inside their lists). Returns the
    /// problems found, none when consistent.
    pub fn check_consistency(&self) -> Result<Vec<String>, RegistryError> {
        let mut problems = Vec::new();
        let integrity: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).db()?;
        if integrity != "ok" {
            problems.push(format!("integrity_check: {integrity}"));
        }
        let fk: i64 =
            self.conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).db()?;
        if fk != 0 {
            problems.push(format!("{fk} foreign key violations"));
        }
        let missing: i64 = self.conn.query_row(
            "SELECT count(*) FROM licenses l WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.identifier = l.identifier AND a.old_status IS NULL)",
            [],
            |r| r.get(0),
        ).db()?;
        if missing != 0 {
            problems.push(format!("{missing} licenses without an issuance audit entry"));
        }
        let wrong_used: i64 = self.conn.query_row(
            "SELECT count(*) FROM status_lists s WHERE s.used <> (SELECT count(*) FROM licenses l WHERE l.list_id = s.id)",
            [],
            |r| r.get(0),
        ).db()?;
        if wrong_used != 0 {
            problems.push(format!("{wrong_used} lists with a wrong usage count"));
        }
        let outside: i64 = self.conn.query_row(
            "SELECT count(*) FROM licenses l JOIN status_lists s ON s.id = l.list_id WHERE l.idx < 0 OR l.idx >= s.size",
            [],
            |r| r.get(0),
        ).db()?;
        if outside != 0 {
            problems.push(format!("{outside} indices outside their list"));
        }
        let last_status: i64 = self.conn.query_row(
            "SELECT count(*) FROM licenses l WHERE l.status <> (SELECT a.new_status FROM audit a WHERE a.identifier = l.identifier ORDER BY a.seq DESC LIMIT 1)",
            [],
            |r| r.get(0),
        ).db()?;
        if last_status != 0 {
            problems.push(format!("{last_status} licenses whose status is not their last audit entry"));
        }
        Ok(problems)
    }

    fn row_to_audit(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
        Ok(AuditEntry {
            sequence: r.get(0)?,
            identifier: r.get(1)?,
            from: r.get::<_, Option<i64>>(2)?.map(status),
            to: status(r.get(3)?),
            actor: r.get(4)?,
            reason: r.get(5)?,
            at: time(r.get(6)?),
        })
    }

    fn row_to_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<LicenseRecord> {
        Ok(LicenseRecord {
            identifier: row.get(0)?,
            holder_code: row.get(1)?,
            doc_type: row.get(2)?,
            slot: StatusSlot { uri: row.get(3)?, index: u64::try_from(row.get::<_, i64>(4)?).unwrap_or(0) },
            status: status(row.get(5)?),
            issued_at: time(row.get(6)?),
            updated_at: time(row.get(7)?),
        })
    }
}

const SELECT_LICENSE: &str =
    "SELECT l.identifier, l.holder_code, l.doc_type, s.uri, l.idx, l.status, l.issued_at, l.updated_at
     FROM licenses l JOIN status_lists s ON s.id = l.list_id";

/// Allocates `count` fresh random slots inside a transaction.
fn allocate(
    tx: &rusqlite::Transaction<'_>,
    config: &RegistryConfig,
    count: usize,
) -> Result<Vec<(i64, StatusSlot)>, RegistryError> {
    let mut out = Vec::with_capacity(count);
    let mut taken: HashSet<(i64, u64)> = HashSet::new();
    let mut current: Option<(i64, String, u64, u64)> = None;
    while out.len() < count {
        let (list_id, uri, size, used) = match current.take() {
            Some(c) => c,
            None => {
                let open = tx
                    .query_row(
                        "SELECT id, uri, size, used FROM status_lists WHERE closed = 0 ORDER BY id LIMIT 1",
                        [],
                        |r| {
                            Ok((
                                r.get::<_, i64>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, i64>(2)?,
                                r.get::<_, i64>(3)?,
                            ))
                        },
                    )
                    .optional()
                    .db()?;
                match open {
                    Some((id, uri, size, used)) => {
                        (id, uri, u64::try_from(size).unwrap_or(0), u64::try_from(used).unwrap_or(0))
                    }
                    None => {
                        let next: i64 = tx
                            .query_row("SELECT coalesce(max(id), 0) + 1 FROM status_lists", [], |r| r.get(0))
                            .db()?;
                        let uri = format!("{}/{next}", config.uri_base);
                        tx.execute(
                            "INSERT INTO status_lists (id, uri, bits, size) VALUES (?1, ?2, ?3, ?4)",
                            params![
                                next,
                                uri,
                                config.bits,
                                i64::try_from(config.list_size).unwrap_or(i64::MAX)
                            ],
                        )
                        .db()?;
                        (next, uri, config.list_size, 0)
                    }
                }
            }
        };
        if used * 1000 >= size * CLOSE_AT_PER_MILLE {
            tx.execute("UPDATE status_lists SET closed = 1 WHERE id = ?1", [list_id]).db()?;
            continue;
        }
        let mut exists = tx.prepare_cached("SELECT 1 FROM licenses WHERE list_id = ?1 AND idx = ?2").db()?;
        let index = loop {
            let candidate = random_below(size)?;
            if taken.contains(&(list_id, candidate)) {
                continue;
            }
            let used_before =
                exists.exists(params![list_id, i64::try_from(candidate).unwrap_or(i64::MAX)]).db()?;
            if !used_before {
                break candidate;
            }
        };
        taken.insert((list_id, index));
        out.push((list_id, StatusSlot { uri: uri.clone(), index }));
        current = Some((list_id, uri, size, used + 1));
    }
    Ok(out)
}

impl Registry for SqliteRegistry {
    fn issue_batch(
        &mut self,
        count: usize,
        sign: &mut SignBatch<'_>,
    ) -> Result<Vec<IssuedRecord>, RegistryError> {
        let config = self.config.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).db()?;
        let allocated = allocate(&tx, &config, count)?;
        let slots: Vec<StatusSlot> = allocated.iter().map(|(_, s)| s.clone()).collect();
        let records = sign(&slots)?;
        if records.len() != slots.len() || records.iter().zip(&slots).any(|(r, s)| r.slot != *s) {
            return Err(RegistryError::Config(
                "the signer returned records that do not match the slots".into(),
            ));
        }
        let at = now();
        {
            let mut seen = tx.prepare_cached("SELECT 1 FROM licenses WHERE identifier = ?1").db()?;
            let mut seq: i64 =
                tx.query_row("SELECT coalesce(max(seq), 0) FROM licenses", [], |r| r.get(0)).db()?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO licenses (identifier, holder_code, doc_type, list_id, idx, status, issued_at, updated_at, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6, ?7)",
            ).db()?;
            let mut audit = tx.prepare_cached(
                "INSERT INTO audit (identifier, old_status, new_status, actor, reason, at) VALUES (?1, NULL, 0, ?2, 'issued', ?3)",
            ).db()?;
            let mut used = tx.prepare_cached("UPDATE status_lists SET used = used + 1 WHERE id = ?1").db()?;
            for (record, (list_id, slot)) in records.iter().zip(&allocated) {
                if seen.exists([&record.identifier]).db()? {
                    return Err(RegistryError::Duplicate(record.identifier.clone()));
                }
                seq += 1;
                insert
                    .execute(params![
                        record.identifier,
                        record.holder_code,
                        record.doc_type,
                        list_id,
                        i64::try_from(slot.index).unwrap_or(i64::MAX),
                        at,
                        seq
                    ])
                    .db()?;
                audit.execute(params![record.identifier, record.actor, at]).db()?;
                used.execute([list_id]).db()?;
            }
        }
        tx.commit().db()?;
        Ok(records)
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
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).db()?;
        let from: i64 = tx
            .query_row("SELECT status FROM licenses WHERE identifier = ?1", [identifier], |r| r.get(0))
            .optional()
            .db()?
            .ok_or_else(|| RegistryError::NotFound(identifier.to_owned()))?;
        let from = status(from);
        yinxin::registry::check_transition(identifier, from, to)?;
        let at = now();
        tx.execute(
            "UPDATE licenses SET status = ?1, updated_at = ?2 WHERE identifier = ?3",
            params![i64::from(to.value()), at, identifier],
        )
        .db()?;
        tx.execute(
            "INSERT INTO audit (identifier, old_status, new_status, actor, reason, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![identifier, i64::from(from.value()), i64::from(to.value()), actor, reason, at],
        ).db()?;
        let sequence = tx.last_insert_rowid();
        tx.commit().db()?;
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
        let sql = format!("{SELECT_LICENSE} WHERE l.identifier = ?1");
        self.conn.query_row(&sql, [identifier], Self::row_to_record).optional().db()
    }

    fn licenses(&self) -> Result<Vec<LicenseRecord>, RegistryError> {
        let sql = format!("{SELECT_LICENSE} ORDER BY l.seq");
        let mut stmt = self.conn.prepare(&sql).db()?;
        let rows = stmt.query_map([], Self::row_to_record).db()?;
        rows.collect::<Result<_, _>>().db()
    }

    fn audit(&self, identifier: &str) -> Result<Vec<AuditEntry>, RegistryError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, identifier, old_status, new_status, actor, reason, at FROM audit WHERE identifier = ?1 ORDER BY seq",
        ).db()?;
        let rows = stmt.query_map([identifier], Self::row_to_audit).db()?;
        rows.collect::<Result<_, _>>().db()
    }

    fn audit_log(&self, after: i64, limit: usize) -> Result<Vec<AuditEntry>, RegistryError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, identifier, old_status, new_status, actor, reason, at FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        ).db()?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(rusqlite::params![after, limit], Self::row_to_audit).db()?;
        rows.collect::<Result<_, _>>().db()
    }

    fn status_lists(&self) -> Result<Vec<(String, StatusList)>, RegistryError> {
        let mut lists = Vec::new();
        let mut stmt = self.conn.prepare("SELECT id, uri, bits, size FROM status_lists ORDER BY id").db()?;
        let rows: Vec<(i64, String, i64, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .db()?
            .collect::<Result<_, _>>()
            .db()?;
        let mut entries =
            self.conn.prepare("SELECT idx, status FROM licenses WHERE list_id = ?1 AND status <> 0").db()?;
        for (id, uri, bits, size) in rows {
            let bits = u8::try_from(bits).map_err(|_| RegistryError::Config("bits".into()))?;
            let mut list = StatusList::new(bits, u64::try_from(size).unwrap_or(0))
                .map_err(|e| RegistryError::Config(e.to_string()))?;
            let set: Vec<(i64, i64)> = entries
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .db()?
                .collect::<Result<_, _>>()
                .db()?;
            for (idx, value) in set {
                list.set(u64::try_from(idx).unwrap_or(u64::MAX), u8::try_from(value).unwrap_or(u8::MAX))
                    .map_err(|e| RegistryError::Config(e.to_string()))?;
            }
            lists.push((uri, list));
        }
        Ok(lists)
    }
}
