//! Operator tasks: online SQLite backups, integrity checks, and copying every row of one
//! database into another (SQLite → PostgreSQL when a site grows, or any backend into any
//! empty one).
//!
//! The copy reads the table list, columns, keys and foreign keys from the live schema,
//! so tables added by later migrations are copied without this file changing.

use std::collections::BTreeMap;
use std::path::Path;

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AssertSqlSafe, Connection, Row};

use crate::{Backend, Result, Store, StoreError};

/// The migrator's own table: each side keeps its own, and both must agree before a copy.
const MIGRATIONS_TABLE: &str = "schema_migrations";

/// How a column's values travel between backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueClass {
    Int,
    Float,
    Text,
    Blob,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    pub class: ValueClass,
}

/// An ordinary table as the copy sees it: writable columns (generated ones left out),
/// primary key (the copy pages through rows in key order) and the tables it references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    pub name: String,
    pub columns: Vec<ColumnInfo>,
    pub key: Vec<String>,
    pub parents: Vec<String>,
    /// Columns whose values come from a sequence on PostgreSQL (reset after a copy).
    pub identity: Vec<String>,
}

/// Reported after each batch of a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyProgress<'a> {
    pub table: &'a str,
    pub copied: u64,
    pub total: u64,
}

/// Rows per table, as counted by both sides after a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null(ValueClass),
    Int(i64),
    Float(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Store {
    /// A consistent copy of a live SQLite database in a new file `path` (`VACUUM INTO`,
    /// which reads one snapshot while writers go on). The copy is written beside `path`
    /// and renamed into place only when complete and `PRAGMA integrity_check` passes.
    pub async fn backup_into(&self, path: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Invalid(
                "online backups are for SQLite; back up PostgreSQL with pg_dump".into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Invalid(format!(
                "{} already exists; choose a new file name",
                path.display()
            )));
        }
        let partial = partial_name(path);
        // A partial file left by a crashed earlier attempt.
        let _ = std::fs::remove_file(&partial);
        let target = partial.to_str().ok_or_else(|| {
            StoreError::Invalid(format!("{} is not a UTF-8 path", path.display()))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        let problems = sqlite_file_integrity(&partial).await;
        match problems {
            Ok(p) if p.is_empty() => {}
            Ok(p) => {
                let _ = std::fs::remove_file(&partial);
                return Err(StoreError::Invalid(format!(
                    "the backup copy failed its integrity check: {}",
                    p.join("; ")
                )));
            }
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        }
        sync_file(&partial)?;
        std::fs::rename(&partial, path).map_err(|e| {
            StoreError::Invalid(format!("cannot move the backup to {}: {e}", path.display()))
        })?;
        sync_parent(path);
        Ok(())
    }

    /// SQLite: the problems `PRAGMA integrity_check` reports (empty when the file is
    /// sound). PostgreSQL checks its own pages; there this only proves the database answers.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = self.pool.acquire().await?;
                integrity_rows(&mut conn).await
            }
            Backend::Postgres => {
                self.ping().await?;
                Ok(Vec::new())
            }
        }
    }

    /// Every ordinary table except the migrator's, parents before the tables that
    /// reference them.
    pub async fn data_tables(&self) -> Result<Vec<TableInfo>> {
        let mut conn = self.pool.acquire().await?;
        let names = table_names(&mut conn, self.backend).await?;
        let mut tables = Vec::new();
        for name in names {
            tables.push(table_info(&mut conn, self.backend, name).await?);
        }
        dependency_order(tables)
    }

    /// Rows in each of [`Store::data_tables`], in that order.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let tables = self.data_tables().await?;
        let mut counts = Vec::new();
        for t in tables {
            let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {}",
                quote(&t.name)?
            )))
            .fetch_one(&self.pool)
            .await?;
            counts.push((t.name, n));
        }
        Ok(counts)
    }

    /// Copies every row of this database into `target`, which must have the same
    /// migrations applied and no rows. Ids are kept; PostgreSQL sequences are moved past
    /// the largest copied id. Reads one snapshot of this database (so a live site can keep
    /// serving), writes in one transaction on `target` (a failed copy leaves it empty),
    /// then checks that both sides count the same rows.
    pub async fn copy_into(
        &self,
        target: &Store,
        batch: usize,
        mut progress: impl FnMut(CopyProgress<'_>),
    ) -> Result<CopyReport> {
        let (ours, theirs) = (
            self.applied_versions().await?,
            target.applied_versions().await?,
        );
        if ours != theirs {
            return Err(StoreError::Invalid(format!(
                "the databases are at different migrations ({ours:?} and {theirs:?}); \
                 open both with this binary first"
            )));
        }
        let tables = target.data_tables().await?;
        check_same_tables(&self.data_tables().await?, &tables)?;
        for (name, n) in target.table_counts().await? {
            if n > 0 {
                return Err(StoreError::Invalid(format!(
                    "the target is not empty: table {name} has {n} rows"
                )));
            }
        }

        let mut source = self.pool.acquire().await?;
        // One snapshot for every table, so rows that reference each other stay consistent.
        let mut read = match self.backend {
            Backend::Sqlite => source.begin().await?,
            Backend::Postgres => {
                source
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        };
        let mut write = target.begin_write().await?;
        let mut expected = Vec::new();
        for table in &tables {
            let total: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {}",
                quote(&table.name)?
            )))
            .fetch_one(&mut *read)
            .await?;
            expected.push((table.name.clone(), total));
            let total = u64::try_from(total).unwrap_or(0);
            progress(CopyProgress {
                table: &table.name,
                copied: 0,
                total,
            });
            let rows_per_insert = batch.clamp(1, 30_000 / table.columns.len().max(1)).max(1);
            let select = select_page_sql(table, rows_per_insert)?;
            let select_after = select_after_sql(table, rows_per_insert)?;
            let key_at: Vec<usize> = table
                .key
                .iter()
                .map(|k| table.columns.iter().position(|c| &c.name == k))
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    StoreError::Invalid(format!("table {}: key column not copied", table.name))
                })?;
            let mut last_key: Option<Vec<Value>> = None;
            let mut copied = 0u64;
            loop {
                let rows = match &last_key {
                    None => {
                        sqlx::query(AssertSqlSafe(select.clone()))
                            .fetch_all(&mut *read)
                            .await?
                    }
                    Some(key) => {
                        let mut q = sqlx::query(AssertSqlSafe(select_after.clone()));
                        for v in key {
                            q = bind(q, v.clone());
                        }
                        q.fetch_all(&mut *read).await?
                    }
                };
                if rows.is_empty() {
                    break;
                }
                let values: Vec<Vec<Value>> = rows
                    .iter()
                    .map(|r| read_row(r, table))
                    .collect::<Result<_>>()?;
                let mut insert = sqlx::query(AssertSqlSafe(insert_sql(table, values.len())?));
                for row in &values {
                    for v in row {
                        insert = bind(insert, v.clone());
                    }
                }
                insert.execute(&mut *write).await?;
                copied += values.len() as u64;
                progress(CopyProgress {
                    table: &table.name,
                    copied,
                    total,
                });
                let last = values.last().expect("rows is not empty");
                last_key = Some(key_at.iter().map(|&i| last[i].clone()).collect());
                if values.len() < rows_per_insert {
                    break;
                }
            }
        }
        if target.backend == Backend::Postgres {
            for table in &tables {
                for column in &table.identity {
                    let sql = format!(
                        "SELECT setval(pg_get_serial_sequence($1, $2), \
                         COALESCE((SELECT MAX({col}) FROM {tbl}), 0) + 1, false)",
                        col = quote(column)?,
                        tbl = quote(&table.name)?,
                    );
                    sqlx::query(AssertSqlSafe(sql))
                        .bind(quote(&table.name)?)
                        .bind(column.clone())
                        .execute(&mut *write)
                        .await?;
                }
            }
        }
        write.commit().await?;
        read.rollback().await?;

        let copied = target.table_counts().await?;
        for ((name, want), (_, got)) in expected.iter().zip(&copied) {
            if want != got {
                return Err(StoreError::Invalid(format!(
                    "table {name}: {want} rows read but {got} in the target"
                )));
            }
        }
        Ok(CopyReport { tables: copied })
    }

    async fn applied_versions(&self) -> Result<Vec<i64>> {
        Ok(
            sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
                .fetch_all(&self.pool)
                .await?,
        )
    }
}

/// `PRAGMA integrity_check` on a SQLite file opened read-only (a backup, before it is
/// trusted). Empty when the file is sound.
pub async fn sqlite_file_integrity(path: &Path) -> Result<Vec<String>> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut conn = AnyConnection::connect(&url).await?;
    let problems = integrity_rows(&mut conn).await;
    let _ = conn.close().await;
    problems
}

async fn integrity_rows(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().filter(|r| r != "ok").collect())
}

fn partial_name(path: &Path) -> std::path::PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Invalid(format!("cannot sync {}: {e}", path.display())))
}

/// Makes a rename durable; best effort (some filesystems refuse to open directories).
fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
}

/// A catalog name as a quoted SQL identifier. Names come from the schema, not users;
/// a name with a quote or NUL is refused rather than escaped.
fn quote(name: &str) -> Result<String> {
    if name.is_empty() || name.contains(['"', '\0']) {
        return Err(StoreError::Invalid(format!(
            "unsupported identifier {name:?}"
        )));
    }
    Ok(format!("\"{name}\""))
}

async fn table_names(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>> {
    let sql = match backend {
        // `pragma_table_list` tells virtual tables (FTS) and their shadow tables apart
        // from ordinary ones; the FTS triggers rebuild those on the target.
        Backend::Sqlite => {
            "SELECT name FROM pragma_table_list
             WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
             ORDER BY table_name"
        }
    };
    let names: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut *conn).await?;
    Ok(names
        .into_iter()
        .filter(|n| n != MIGRATIONS_TABLE)
        .collect())
}

fn class_of(declared: &str, backend: Backend) -> Option<ValueClass> {
    let t = declared.to_ascii_lowercase();
    match backend {
        // SQLite's affinity rules, in their order.
        Backend::Sqlite => Some(if t.contains("int") {
            ValueClass::Int
        } else if t.contains("char") || t.contains("clob") || t.contains("text") {
            ValueClass::Text
        } else if t.contains("blob") || t.is_empty() {
            ValueClass::Blob
        } else if t.contains("real") || t.contains("floa") || t.contains("doub") {
            ValueClass::Float
        } else {
            return None;
        }),
        Backend::Postgres => match t.as_str() {
            "smallint" | "integer" | "bigint" => Some(ValueClass::Int),
            "real" | "double precision" => Some(ValueClass::Float),
            "text" | "character varying" | "character" => Some(ValueClass::Text),
            "bytea" => Some(ValueClass::Blob),
            _ => None,
        },
    }
}

async fn table_info(conn: &mut AnyConnection, backend: Backend, name: String) -> Result<TableInfo> {
    let mut columns = Vec::new();
    let mut key: Vec<(i64, String)> = Vec::new();
    let mut identity = Vec::new();
    let mut parents: Vec<String>;
    match backend {
        Backend::Sqlite => {
            // hidden: 0 ordinary, 2/3 generated.
            let rows = sqlx::query(
                "SELECT name, type, CAST(pk AS BIGINT) AS pk, CAST(hidden AS BIGINT) AS hidden
                 FROM pragma_table_xinfo($1) ORDER BY cid",
            )
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?;
            for r in rows {
                let column: String = r.try_get("name")?;
                if r.try_get::<i64, _>("hidden")? != 0 {
                    continue;
                }
                let declared: String = r.try_get("type")?;
                let pk: i64 = r.try_get("pk")?;
                if pk > 0 {
                    key.push((pk, column.clone()));
                }
                columns.push(column_info(column, &declared, backend, &name)?);
            }
            parents =
                sqlx::query_scalar("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)")
                    .bind(&name)
                    .fetch_all(&mut *conn)
                    .await?;
        }
        Backend::Postgres => {
            let rows = sqlx::query(
                "SELECT column_name::text AS name, data_type::text AS type,
                        is_generated::text AS generated, is_identity::text AS identity
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1
                 ORDER BY ordinal_position",
            )
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?;
            for r in rows {
                let column: String = r.try_get("name")?;
                if r.try_get::<String, _>("generated")? == "ALWAYS" {
                    continue;
                }
                if r.try_get::<String, _>("identity")? == "YES" {
                    identity.push(column.clone());
                }
                let declared: String = r.try_get("type")?;
                columns.push(column_info(column, &declared, backend, &name)?);
            }
            let rows = sqlx::query(
                "SELECT k.column_name::text AS name, CAST(k.ordinal_position AS BIGINT) AS pos
                 FROM information_schema.table_constraints c
                 JOIN information_schema.key_column_usage k
                   ON k.constraint_name = c.constraint_name
                  AND k.constraint_schema = c.constraint_schema
                  AND k.table_name = c.table_name
                 WHERE c.constraint_type = 'PRIMARY KEY'
                   AND c.table_schema = current_schema() AND c.table_name = $1",
            )
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?;
            for r in rows {
                key.push((r.try_get("pos")?, r.try_get("name")?));
            }
            parents = sqlx::query_scalar(
                "SELECT DISTINCT p.relname::text
                 FROM pg_constraint f
                 JOIN pg_class c ON c.oid = f.conrelid
                 JOIN pg_class p ON p.oid = f.confrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE f.contype = 'f' AND n.nspname = current_schema() AND c.relname = $1",
            )
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?;
        }
    }
    key.sort();
    if key.is_empty() {
        return Err(StoreError::Invalid(format!(
            "table {name} has no primary key; the copy pages through rows by key"
        )));
    }
    parents.retain(|p| p != &name);
    parents.sort();
    Ok(TableInfo {
        name,
        columns,
        key: key.into_iter().map(|(_, k)| k).collect(),
        parents,
        identity,
    })
}

fn column_info(name: String, declared: &str, backend: Backend, table: &str) -> Result<ColumnInfo> {
    let class = class_of(declared, backend).ok_or_else(|| {
        StoreError::Invalid(format!(
            "table {table}, column {name}: type {declared:?} cannot be copied"
        ))
    })?;
    Ok(ColumnInfo { name, class })
}

/// Parents first (Kahn's algorithm; ties by name so the order is stable).
fn dependency_order(tables: Vec<TableInfo>) -> Result<Vec<TableInfo>> {
    let mut pending: BTreeMap<String, TableInfo> =
        tables.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut ordered: Vec<TableInfo> = Vec::new();
    while !pending.is_empty() {
        let ready = pending
            .values()
            .find(|t| {
                t.parents
                    .iter()
                    .all(|p| !pending.contains_key(p) || p == &t.name)
            })
            .map(|t| t.name.clone());
        match ready {
            Some(name) => ordered.extend(pending.remove(&name)),
            None => {
                let names: Vec<&str> = pending.keys().map(String::as_str).collect();
                return Err(StoreError::Invalid(format!(
                    "foreign keys form a cycle among {}",
                    names.join(", ")
                )));
            }
        }
    }
    Ok(ordered)
}

/// Both sides must hold the same tables and writable columns, or rows would be lost.
fn check_same_tables(source: &[TableInfo], target: &[TableInfo]) -> Result<()> {
    let names = |ts: &[TableInfo]| {
        let mut v: Vec<String> = ts.iter().map(|t| t.name.clone()).collect();
        v.sort();
        v
    };
    if names(source) != names(target) {
        return Err(StoreError::Invalid(format!(
            "the databases hold different tables: {:?} and {:?}",
            names(source),
            names(target)
        )));
    }
    for t in target {
        let s = source
            .iter()
            .find(|s| s.name == t.name)
            .expect("same names");
        let cols = |t: &TableInfo| {
            let mut v: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
            v.sort();
            v
        };
        if cols(s) != cols(t) {
            return Err(StoreError::Invalid(format!(
                "table {} has columns {:?} in the source but {:?} in the target",
                t.name,
                cols(s),
                cols(t)
            )));
        }
    }
    Ok(())
}

fn column_list(table: &TableInfo) -> Result<String> {
    Ok(table
        .columns
        .iter()
        .map(|c| quote(&c.name))
        .collect::<Result<Vec<_>>>()?
        .join(", "))
}

fn key_list(table: &TableInfo) -> Result<String> {
    Ok(table
        .key
        .iter()
        .map(|k| quote(k))
        .collect::<Result<Vec<_>>>()?
        .join(", "))
}

fn select_page_sql(table: &TableInfo, limit: usize) -> Result<String> {
    Ok(format!(
        "SELECT {} FROM {} ORDER BY {} LIMIT {limit}",
        column_list(table)?,
        quote(&table.name)?,
        key_list(table)?
    ))
}

/// The next page after the last key seen: `(k1, k2) > ($1, $2)`, which both backends
/// compare as tuples.
fn select_after_sql(table: &TableInfo, limit: usize) -> Result<String> {
    let params: Vec<String> = (1..=table.key.len()).map(|i| format!("${i}")).collect();
    Ok(format!(
        "SELECT {} FROM {} WHERE ({}) > ({}) ORDER BY {} LIMIT {limit}",
        column_list(table)?,
        quote(&table.name)?,
        key_list(table)?,
        params.join(", "),
        key_list(table)?
    ))
}

fn insert_sql(table: &TableInfo, rows: usize) -> Result<String> {
    let width = table.columns.len();
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    Ok(format!(
        "INSERT INTO {} ({}) VALUES {}",
        quote(&table.name)?,
        column_list(table)?,
        tuples.join(", ")
    ))
}

fn read_row(row: &AnyRow, table: &TableInfo) -> Result<Vec<Value>> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| read_value(row, i, c.class))
        .collect()
}

fn read_value(row: &AnyRow, i: usize, class: ValueClass) -> Result<Value> {
    let value = match class {
        ValueClass::Int => row.try_get::<Option<i64>, _>(i)?.map(Value::Int),
        // SQLite may hand back a whole number stored in a REAL column as an integer.
        ValueClass::Float => match row.try_get::<Option<f64>, _>(i) {
            Ok(v) => v.map(Value::Float),
            Err(_) => match row.try_get::<Option<f32>, _>(i) {
                Ok(v) => v.map(|f| Value::Float(f64::from(f))),
                Err(_) => row
                    .try_get::<Option<i64>, _>(i)?
                    .map(|n| Value::Float(n as f64)),
            },
        },
        ValueClass::Text => row.try_get::<Option<String>, _>(i)?.map(Value::Text),
        ValueClass::Blob => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Value::Blob),
    };
    Ok(value.unwrap_or(Value::Null(class)))
}

fn bind(q: Query<'_, Any, AnyArguments>, v: Value) -> Query<'_, Any, AnyArguments> {
    match v {
        Value::Int(n) => q.bind(n),
        Value::Float(f) => q.bind(f),
        Value::Text(s) => q.bind(s),
        Value::Blob(b) => q.bind(b),
        // A typed NULL, so PostgreSQL infers the column's own type.
        Value::Null(ValueClass::Int) => q.bind(None::<i64>),
        Value::Null(ValueClass::Float) => q.bind(None::<f64>),
        Value::Null(ValueClass::Text) => q.bind(None::<String>),
        Value::Null(ValueClass::Blob) => q.bind(None::<Vec<u8>>),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, parents: &[&str]) -> TableInfo {
        TableInfo {
            name: name.into(),
            columns: vec![ColumnInfo {
                name: "id".into(),
                class: ValueClass::Int,
            }],
            key: vec!["id".into()],
            parents: parents.iter().map(|p| p.to_string()).collect(),
            identity: vec![],
        }
    }

    #[test]
    fn parents_come_first() {
        let order = dependency_order(vec![
            table("votes", &["users", "summaries"]),
            table("summaries", &["papers", "users"]),
            table("users", &[]),
            table("papers", &[]),
        ])
        .unwrap();
        let names: Vec<&str> = order.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["papers", "users", "summaries", "votes"]);
    }

    #[test]
    fn cycles_are_reported() {
        let err = dependency_order(vec![table("a", &["b"]), table("b", &["a"])])
            .unwrap_err()
            .to_string();
        assert!(err.contains("cycle"), "{err}");
    }

    #[test]
    fn identifiers_are_quoted_or_refused() {
        assert_eq!(quote("papers").unwrap(), "\"papers\"");
        assert!(quote("a\"b").is_err());
        assert!(quote("").is_err());
    }

    #[test]
    fn column_classes_follow_declared_types() {
        assert_eq!(class_of("BIGINT", Backend::Sqlite), Some(ValueClass::Int));
        assert_eq!(class_of("TEXT", Backend::Sqlite), Some(ValueClass::Text));
        assert_eq!(
            class_of("DOUBLE PRECISION", Backend::Sqlite),
            Some(ValueClass::Float)
        );
        assert_eq!(
            class_of("integer", Backend::Postgres),
            Some(ValueClass::Int)
        );
        assert_eq!(class_of("tsvector", Backend::Postgres), None);
    }

    #[test]
    fn paging_sql_uses_the_whole_key() {
        let mut t = table("votes", &[]);
        t.key = vec!["user_id".into(), "summary_id".into()];
        t.columns.push(ColumnInfo {
            name: "user_id".into(),
            class: ValueClass::Int,
        });
        let sql = select_after_sql(&t, 10).unwrap();
        assert!(
            sql.contains("WHERE (\"user_id\", \"summary_id\") > ($1, $2)"),
            "{sql}"
        );
        let insert = insert_sql(&t, 2).unwrap();
        assert!(insert.ends_with("VALUES ($1, $2), ($3, $4)"), "{insert}");
    }

    #[test]
    fn partial_names_sit_beside_the_target() {
        assert_eq!(
            partial_name(Path::new("/b/site.db")),
            Path::new("/b/site.db.partial")
        );
    }
}
