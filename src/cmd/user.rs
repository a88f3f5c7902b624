//! `shortscience user …`: accounts for operators (the first admin, roles, suspensions),
//! working directly on the database, whatever the site's registration mode.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use shortscience::settings::Overrides;
use shortscience_store::{Account, NewAccount, Role, Store, Taken};
use shortscience_web::auth::password::{check_password, hash_blocking};

use super::open_store;
use crate::StoreArgs;

#[derive(Debug, Clone, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Debug, Clone, Subcommand)]
enum UserCommand {
    /// Create a confirmed account; the password is read from standard input
    Add(AddArgs),
    /// Give an account a role: user, moderator or admin
    Promote(PromoteArgs),
    /// Suspend an account (it is logged out everywhere), or lift a suspension
    Suspend(SuspendArgs),
    /// List the accounts
    List(ListArgs),
}

#[derive(Debug, Clone, Args)]
struct AddArgs {
    #[arg(value_name = "USERNAME")]
    username: String,
    #[arg(long, value_name = "EMAIL")]
    email: String,
    /// Read the password from the first line of standard input
    #[arg(long, required = true)]
    password_stdin: bool,
    #[arg(long, value_name = "ROLE", default_value = "user", value_parser = parse_role)]
    role: Role,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Clone, Args)]
struct PromoteArgs {
    #[arg(value_name = "USERNAME")]
    username: String,
    #[arg(long, value_name = "ROLE", value_parser = parse_role)]
    role: Role,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Clone, Args)]
struct SuspendArgs {
    #[arg(value_name = "USERNAME")]
    username: String,
    /// Lift the suspension instead
    #[arg(long)]
    lift: bool,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, Clone, Args)]
struct ListArgs {
    #[command(flatten)]
    store: StoreArgs,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}

pub async fn run(args: UserArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        UserCommand::Add(a) => add(a).await,
        UserCommand::Promote(a) => {
            let store = store(&a.store).await?;
            let account = find(&store, &a.username).await?;
            store.set_role(account.id, a.role).await?;
            super::announce_write(&store).await;
            println!("{} is now {}", account.username, a.role);
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Suspend(a) => {
            let store = store(&a.store).await?;
            let account = find(&store, &a.username).await?;
            store.set_suspended(account.id, !a.lift).await?;
            super::announce_write(&store).await;
            if a.lift {
                println!("{} may log in again", account.username);
            } else {
                println!(
                    "{} is suspended and logged out everywhere",
                    account.username
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List(a) => {
            let store = store(&a.store).await?;
            let accounts = store.list_accounts().await?;
            println!(
                "{:>6}  {:<24} {:<10} {:<12} email",
                "id", "username", "role", "status"
            );
            for acc in &accounts {
                println!(
                    "{:>6}  {:<24} {:<10} {:<12} {}",
                    acc.id.0,
                    acc.username,
                    acc.role,
                    status(acc),
                    acc.email.as_deref().unwrap_or("-")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn store(args: &StoreArgs) -> anyhow::Result<Store> {
    Ok(open_store(args, Overrides::default()).await?.1)
}

async fn find(store: &Store, username: &str) -> anyhow::Result<Account> {
    store
        .account_by_name(username)
        .await?
        .with_context(|| format!("there is no account called {username:?}"))
}

fn status(a: &Account) -> &'static str {
    if a.suspended_at.is_some() {
        "suspended"
    } else if a.pending {
        "pending"
    } else if !a.has_password {
        "no password"
    } else if a.email_confirmed_at.is_none() {
        "unconfirmed"
    } else {
        "active"
    }
}

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

async fn add(a: AddArgs) -> anyhow::Result<ExitCode> {
    let password = read_password()?;
    check_password(&password)?;
    // Checked before the slow hash and the database, for a quick, precise error.
    shortscience_store::check_username(&a.username)?;
    shortscience_store::check_email(&a.email)?;
    let store = store(&a.store).await?;
    let hash = tokio::task::spawn_blocking(move || hash_blocking(&password)).await??;
    let new = NewAccount {
        username: a.username.trim().to_owned(),
        email: a.email.trim().to_owned(),
        password_hash: hash,
        role: a.role,
        email_confirmed: true,
        pending: false,
    };
    match store.create_account(&new).await? {
        Ok(id) => {
            super::announce_write(&store).await;
            println!("created {} ({}, id {})", new.username, a.role, id.0);
            Ok(ExitCode::SUCCESS)
        }
        Err(Taken::Username) => bail!("the username {:?} is taken", new.username),
        Err(Taken::Email) => bail!("another account already uses {}", new.email),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_for_clap() {
        assert_eq!(parse_role("admin").unwrap(), Role::Admin);
        assert_eq!(parse_role("Moderator").unwrap(), Role::Moderator);
        assert!(parse_role("root").unwrap_err().contains("root"));
    }
}
