//! A registry chosen by where it is: a `postgres://` (or `postgresql://`) URL selects
//! PostgreSQL, anything else is the path of a SQLite file. What every `--registry` of the CLI
//! takes.

use std::path::Path;

use yinxin::status::{Status, StatusList};

use crate::{
    AuditEntry, IssuedRecord, LicenseRecord, PostgresRegistry, Registry, RegistryConfig, RegistryError,
    SignBatch, SqliteRegistry,
};

/// Whether `location` names a PostgreSQL server rather than a SQLite file.
pub fn is_postgres_url(location: &Path) -> bool {
    location.to_str().is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// A SQLite or a PostgreSQL registry.
#[derive(Debug)]
pub enum AnyRegistry {
    /// A SQLite file.
    Sqlite(SqliteRegistry),
    /// A PostgreSQL database.
    Postgres(PostgresRegistry),
}

impl AnyRegistry {
    /// Opens the registry at `location` (a path or a `postgres://` URL), creating it with
    /// `config` if it holds none.
    pub fn open(location: &Path, config: &RegistryConfig) -> Result<Self, RegistryError> {
        match location.to_str() {
            Some(url) if is_postgres_url(location) => {
                Ok(Self::Postgres(PostgresRegistry::open(url, config)?))
            }
            _ => Ok(Self::Sqlite(SqliteRegistry::open(location, config)?)),
        }
    }

    /// Opens an existing registry at `location`; fails if there is none.
    pub fn open_existing(location: &Path) -> Result<Self, RegistryError> {
        match location.to_str() {
            Some(url) if is_postgres_url(location) => {
                Ok(Self::Postgres(PostgresRegistry::open_existing(url)?))
            }
            _ => Ok(Self::Sqlite(SqliteRegistry::open_existing(location)?)),
        }
    }

    /// The configuration the registry was created with.
    pub fn config(&self) -> &RegistryConfig {
        match self {
            Self::Sqlite(r) => r.config(),
            Self::Postgres(r) => r.config(),
        }
    }

    /// The backend's consistency checks: the problems found, none when consistent.
    pub fn check_consistency(&self) -> Result<Vec<String>, RegistryError> {
        match self {
            Self::Sqlite(r) => r.check_consistency(),
            Self::Postgres(r) => r.check_consistency(),
        }
    }

    fn inner(&self) -> &dyn Registry {
        match self {
            Self::Sqlite(r) => r,
            Self::Postgres(r) => r,
        }
    }

    fn inner_mut(&mut self) -> &mut dyn Registry {
        match self {
            Self::Sqlite(r) => r,
            Self::Postgres(r) => r,
        }
    }
}

impl Registry for AnyRegistry {
    fn issue_batch(
        &mut self,
        count: usize,
        sign: &mut SignBatch<'_>,
    ) -> Result<Vec<IssuedRecord>, RegistryError> {
        self.inner_mut().issue_batch(count, sign)
    }

    fn set_status(
        &mut self,
        identifier: &str,
        status: Status,
        actor: &str,
        reason: &str,
    ) -> Result<AuditEntry, RegistryError> {
        self.inner_mut().set_status(identifier, status, actor, reason)
    }

    fn license(&self, identifier: &str) -> Result<Option<LicenseRecord>, RegistryError> {
        self.inner().license(identifier)
    }

    fn licenses(&self) -> Result<Vec<LicenseRecord>, RegistryError> {
        self.inner().licenses()
    }

    fn audit(&self, identifier: &str) -> Result<Vec<AuditEntry>, RegistryError> {
        self.inner().audit(identifier)
    }

    fn audit_log(&self, after: i64, limit: usize) -> Result<Vec<AuditEntry>, RegistryError> {
        self.inner().audit_log(after, limit)
    }

    fn status_lists(&self) -> Result<Vec<(String, StatusList)>, RegistryError> {
        self.inner().status_lists()
    }
}
