//! The registry backends the conformance suite runs on: SQLite in a temporary directory, and
//! PostgreSQL in a fresh database of the server `YINXIN_TEST_POSTGRES` names
//! (`postgres://user@host:port/db`). Without it the PostgreSQL runs are left out with a note,
//! unless `YINXIN_REQUIRE_POSTGRES=1` (CI), which makes that a failure.
#![allow(dead_code)]

use std::path::PathBuf;

use yinxin_registry::{PostgresRegistry, Registry, RegistryConfig, RegistryError, SqliteRegistry};

/// Where a registry lives.
pub enum Backend {
    Sqlite { _dir: tempfile::TempDir, path: PathBuf },
    Postgres { url: String },
}

/// An open registry of either kind.
#[derive(Debug)]
pub enum Store {
    Sqlite(SqliteRegistry),
    Postgres(PostgresRegistry),
}

impl Store {
    pub fn registry(&mut self) -> &mut dyn Registry {
        match self {
            Self::Sqlite(r) => r,
            Self::Postgres(r) => r,
        }
    }

    pub fn problems(&self) -> Vec<String> {
        match self {
            Self::Sqlite(r) => r.check_consistency().unwrap(),
            Self::Postgres(r) => r.check_consistency().unwrap(),
        }
    }

    pub fn config(&self) -> &RegistryConfig {
        match self {
            Self::Sqlite(r) => r.config(),
            Self::Postgres(r) => r.config(),
        }
    }
}

/// Every backend available here, each empty.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![sqlite()];
    match postgres() {
        Some(b) => out.push(b),
        None if std::env::var("YINXIN_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") => {
            panic!("YINXIN_REQUIRE_POSTGRES=1 but YINXIN_TEST_POSTGRES names no server")
        }
        None => eprintln!("note: YINXIN_TEST_POSTGRES not set: the PostgreSQL backend is not tested here"),
    }
    out
}

pub fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    Backend::Sqlite { _dir: dir, path }
}

/// A fresh database on the test server, or `None` without one.
pub fn postgres() -> Option<Backend> {
    let base = std::env::var("YINXIN_TEST_POSTGRES").ok().filter(|u| !u.is_empty())?;
    let mut admin = postgres::Client::connect(&base, postgres::NoTls)
        .unwrap_or_else(|e| panic!("YINXIN_TEST_POSTGRES={base}: {e}"));
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let name = format!("yx_{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>());
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let cut = base.rfind('/').expect("a database in the URL");
    Some(Backend::Postgres { url: format!("{}/{name}", &base[..cut]) })
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres { .. } => "postgres",
        }
    }

    /// Where: a path or a URL, as `--registry` takes it.
    pub fn location(&self) -> String {
        match self {
            Self::Sqlite { path, .. } => path.display().to_string(),
            Self::Postgres { url } => url.clone(),
        }
    }

    pub fn try_open(&self, config: &RegistryConfig) -> Result<Store, RegistryError> {
        Ok(match self {
            Self::Sqlite { path, .. } => Store::Sqlite(SqliteRegistry::open(path, config)?),
            Self::Postgres { url } => Store::Postgres(PostgresRegistry::open(url, config)?),
        })
    }

    pub fn open(&self, config: &RegistryConfig) -> Store {
        self.try_open(config).unwrap_or_else(|e| panic!("{}: {e}", self.name()))
    }

    pub fn try_open_existing(&self) -> Result<Store, RegistryError> {
        Ok(match self {
            Self::Sqlite { path, .. } => Store::Sqlite(SqliteRegistry::open_existing(path)?),
            Self::Postgres { url } => Store::Postgres(PostgresRegistry::open_existing(url)?),
        })
    }

    pub fn open_existing(&self) -> Store {
        self.try_open_existing().unwrap_or_else(|e| panic!("{}: {e}", self.name()))
    }

    /// Runs one statement outside yinxin, as an administrator with the database would.
    pub fn raw_sql(&self, sql: &str) -> Result<(), String> {
        match self {
            Self::Sqlite { path, .. } => {
                let raw = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
                raw.execute(sql, []).map(|_| ()).map_err(|e| e.to_string())
            }
            Self::Postgres { url } => {
                let mut raw = postgres::Client::connect(url, postgres::NoTls).map_err(|e| e.to_string())?;
                raw.batch_execute(sql).map_err(|e| e.to_string())
            }
        }
    }
}
