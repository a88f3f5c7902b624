//! Outgoing mail (confirmation, reset and change-of-address links).
//!
//! Handlers call [`Mailer::send`], which only queues: a worker task delivers over SMTP
//! with a few retries, so a slow or absent mail server never holds a request. With no
//! SMTP configured the message (with its link) is logged at info level instead, so a
//! self-hoster can still confirm the first accounts.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::mpsc;

/// Messages waiting for the worker; past this, new ones are dropped (and logged).
const QUEUE: usize = 256;
/// Pauses between delivery attempts.
const RETRY_AFTER: [Duration; 3] = [
    Duration::from_secs(2),
    Duration::from_secs(10),
    Duration::from_secs(60),
];
/// One SMTP conversation may take this long.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// A plain-text message to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid smtp_url: {0}")]
    Url(String),
    #[error("invalid mail_from {0:?}: use an address like \"ShortScience <noreply@example.org>\"")]
    From(String),
}

/// Where mail goes. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

enum Inner {
    Smtp(mpsc::Sender<Mail>),
    Log,
    Capture(Mutex<Vec<Mail>>),
}

impl Mailer {
    /// SMTP when `smtp_url` is set (`smtp://[user:pass@]host[:port]`, with
    /// `?tls=required` for STARTTLS, or `smtps://` for TLS from the start), logging
    /// otherwise. Must be called inside a tokio runtime: it starts the worker.
    pub fn from_config(smtp_url: Option<&str>, mail_from: &str) -> Result<Mailer, MailError> {
        let Some(url) = smtp_url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Mailer::log_only());
        };
        let from: Mailbox = mail_from
            .parse()
            .map_err(|_| MailError::From(mail_from.to_owned()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(deliver(rx, transport, from));
        Ok(Mailer {
            inner: Arc::new(Inner::Smtp(tx)),
        })
    }

    /// Logs every message at info level instead of sending it.
    pub fn log_only() -> Mailer {
        Mailer {
            inner: Arc::new(Inner::Log),
        }
    }

    /// Keeps messages in memory, for tests and previews; see [`Mailer::captured`].
    pub fn capture() -> Mailer {
        Mailer {
            inner: Arc::new(Inner::Capture(Mutex::new(Vec::new()))),
        }
    }

    /// Messages kept by a [`Mailer::capture`] mailer (empty for the others).
    pub fn captured(&self) -> Vec<Mail> {
        match &*self.inner {
            Inner::Capture(list) => list.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            _ => Vec::new(),
        }
    }

    /// True when mail really leaves the server.
    pub fn delivers(&self) -> bool {
        matches!(&*self.inner, Inner::Smtp(_))
    }

    /// Queues a message; never waits for the mail server.
    pub fn send(&self, mail: Mail) {
        match &*self.inner {
            Inner::Smtp(tx) => {
                if let Err(e) = tx.try_send(mail) {
                    let mail = match e {
                        mpsc::error::TrySendError::Full(m)
                        | mpsc::error::TrySendError::Closed(m) => m,
                    };
                    tracing::error!(to = %mail.to, subject = %mail.subject, "mail queue full or stopped; message dropped");
                }
            }
            Inner::Log => {
                tracing::info!(
                    to = %mail.to,
                    subject = %mail.subject,
                    "no smtp_url configured; this message was not sent:\n{}",
                    mail.body
                );
            }
            Inner::Capture(list) => list.lock().unwrap_or_else(|e| e.into_inner()).push(mail),
        }
    }
}

/// The worker: one message at a time, each tried up to four times.
async fn deliver(
    mut rx: mpsc::Receiver<Mail>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
) {
    while let Some(mail) = rx.recv().await {
        let message = match build(&mail, &from) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(to = %mail.to, error = %e, "cannot build mail; dropped");
                continue;
            }
        };
        let mut attempt = 0;
        loop {
            match transport.send(message.clone()).await {
                Ok(_) => {
                    tracing::info!(to = %mail.to, subject = %mail.subject, "mail sent");
                    break;
                }
                Err(e) if attempt < RETRY_AFTER.len() => {
                    tracing::warn!(to = %mail.to, error = %e, "mail not sent; retrying");
                    tokio::time::sleep(RETRY_AFTER[attempt]).await;
                    attempt += 1;
                }
                Err(e) => {
                    tracing::error!(to = %mail.to, subject = %mail.subject, error = %e, "mail not sent; giving up");
                    break;
                }
            }
        }
    }
}

fn build(mail: &Mail, from: &Mailbox) -> Result<Message, Box<dyn std::error::Error + Send + Sync>> {
    let to: Mailbox = mail.to.parse()?;
    Ok(Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_keeps_and_log_drops() {
        let m = Mailer::capture();
        let mail = Mail {
            to: "a@example.org".into(),
            subject: "Hi".into(),
            body: "https://x/confirm?token=abc".into(),
        };
        m.send(mail.clone());
        assert_eq!(m.captured(), std::slice::from_ref(&mail));
        assert!(!m.delivers());
        let log = Mailer::log_only();
        log.send(mail);
        assert!(log.captured().is_empty());
    }

    #[tokio::test]
    async fn bad_settings_are_reported() {
        assert!(matches!(
            Mailer::from_config(Some("ftp://mail.example"), "a@example.org"),
            Err(MailError::Url(_))
        ));
        assert!(matches!(
            Mailer::from_config(Some("smtp://127.0.0.1:2525"), "not an address"),
            Err(MailError::From(_))
        ));
        assert!(
            Mailer::from_config(Some("smtp://127.0.0.1:2525"), "Site <noreply@example.org>")
                .unwrap()
                .delivers()
        );
        assert!(!Mailer::from_config(None, "whatever").unwrap().delivers());
        assert!(
            !Mailer::from_config(Some("  "), "whatever")
                .unwrap()
                .delivers()
        );
    }

    #[test]
    fn messages_refuse_header_injection() {
        let from: Mailbox = "Site <noreply@example.org>".parse().unwrap();
        let bad = Mail {
            to: "a@example.org\r\nBcc: all@example.org".into(),
            subject: "x".into(),
            body: "y".into(),
        };
        assert!(build(&bad, &from).is_err());
        let ok = Mail {
            to: "a@example.org".into(),
            subject: "Line\r\nBcc: all@example.org".into(),
            body: "y".into(),
        };
        let text = String::from_utf8(build(&ok, &from).unwrap().formatted()).unwrap();
        assert!(!text.contains("\r\nBcc:"), "{text}");
    }
}
