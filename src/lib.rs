//! The pure, testable pieces of the `shortscience` command: summary files, settings,
//! export file names and demo content. The commands themselves live in the binary.

pub mod dates;
pub mod demo;
pub mod naming;
pub mod settings;
pub mod summary_file;
