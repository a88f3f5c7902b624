//! One way to read a result row, whichever path fetched it: sqlx's `AnyRow`, or a row
//! of the direct SQLite reads (`direct`). Row decoders written against [`Columns`]
//! exist once, so both paths build the same values from the same SQL.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, StoreError};

/// A column type both paths can decode.
pub(crate) trait Value:
    for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + rusqlite::types::FromSql
{
}

impl<T> Value for T where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + rusqlite::types::FromSql
{
}

pub(crate) trait Columns {
    /// The named column, decoded.
    fn col<T: Value>(&self, column: &str) -> Result<T>;
}

impl Columns for AnyRow {
    fn col<T: Value>(&self, column: &str) -> Result<T> {
        Ok(self.try_get(column)?)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn col<T: Value>(&self, column: &str) -> Result<T> {
        rusqlite::Row::get(self, column)
            .map_err(|e| StoreError::Invalid(format!("column {column}: {e}")))
    }
}
