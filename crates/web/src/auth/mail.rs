//! Outgoing mail (confirmation, reset and change-of-address links).
//!
//! Handlers call [`Mailer::send`], which only queues: a worker task delivers over SMTP
//! with a few retries, so a slow or absent mail server never holds a request. With no
//! SMTP configured the message (with its link) is logged at info level instead, so a
//! self-hoster can still confirm the first accounts.

use std::sync::atomic::{AtomicU64, Ordering};
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

/// The queue bound and delivery timings. `Default` is what the site runs with; tests
/// shorten the timings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// Messages waiting for the worker; past this, new ones are dropped (and logged).
    pub queue: usize,
    /// Longest one attempt may take: connecting, the server's replies, sending.
    pub smtp_timeout: Duration,
    /// Pauses before each retry; one attempt more than there are pauses.
    pub retry_after: Vec<Duration>,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            queue: QUEUE,
            smtp_timeout: SMTP_TIMEOUT,
            retry_after: RETRY_AFTER.to_vec(),
        }
    }
}

/// What the mailer did since it started (for tests and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MailStats {
    /// Messages delivered.
    pub sent: u64,
    /// Delivery attempts, failed or not.
    pub attempts: u64,
    /// Messages given up on after the last retry (or that could not be built).
    pub failed: u64,
    /// Messages refused because the queue was full or the worker had stopped.
    pub dropped: u64,
}

#[derive(Default)]
struct Counters {
    sent: AtomicU64,
    attempts: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
}

impl Counters {
    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

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
    counters: Arc<Counters>,
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
        Mailer::from_config_with(smtp_url, mail_from, MailSettings::default())
    }

    /// [`Mailer::from_config`] with other queue and timing settings.
    pub fn from_config_with(
        smtp_url: Option<&str>,
        mail_from: &str,
        settings: MailSettings,
    ) -> Result<Mailer, MailError> {
        let Some(url) = smtp_url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Mailer::log_only());
        };
        let from: Mailbox = mail_from
            .parse()
            .map_err(|_| MailError::From(mail_from.to_owned()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Url(e.to_string()))?
            // lettre bounds only the connect with this; `deliver` bounds the whole attempt.
            .timeout(Some(settings.smtp_timeout))
            .build();
        let (tx, rx) = mpsc::channel(settings.queue.max(1));
        let counters = Arc::new(Counters::default());
        tokio::spawn(deliver(rx, transport, from, settings, counters.clone()));
        Ok(Mailer {
            inner: Arc::new(Inner::Smtp(tx)),
            counters,
        })
    }

    /// Logs every message at info level instead of sending it.
    pub fn log_only() -> Mailer {
        Mailer {
            inner: Arc::new(Inner::Log),
            counters: Arc::default(),
        }
    }

    /// Keeps messages in memory, for tests and previews; see [`Mailer::captured`].
    pub fn capture() -> Mailer {
        Mailer {
            inner: Arc::new(Inner::Capture(Mutex::new(Vec::new()))),
            counters: Arc::default(),
        }
    }

    /// Messages kept by a [`Mailer::capture`] mailer (empty for the others).
    pub fn captured(&self) -> Vec<Mail> {
        match &*self.inner {
            Inner::Capture(list) => list.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            _ => Vec::new(),
        }
    }

    /// Counts of what the mailer did so far.
    pub fn stats(&self) -> MailStats {
        let c = &self.counters;
        MailStats {
            sent: c.sent.load(Ordering::Relaxed),
            attempts: c.attempts.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
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
                    Counters::add(&self.counters.dropped);
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

/// The worker: one message at a time, each tried `retry_after.len() + 1` times, each
/// attempt bounded by `smtp_timeout` (a server that accepts and then says nothing would
/// otherwise hold the worker, and so every later message, forever).
async fn deliver(
    mut rx: mpsc::Receiver<Mail>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    settings: MailSettings,
    counters: Arc<Counters>,
) {
    while let Some(mail) = rx.recv().await {
        let message = match build(&mail, &from) {
            Ok(m) => m,
            Err(e) => {
                Counters::add(&counters.failed);
                tracing::error!(to = %mail.to, error = %e, "cannot build mail; dropped");
                continue;
            }
        };
        let mut attempt = 0;
        loop {
            Counters::add(&counters.attempts);
            let attempt_result =
                tokio::time::timeout(settings.smtp_timeout, transport.send(message.clone())).await;
            let sent = match attempt_result {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!(
                    "no answer from the mail server within {:?}",
                    settings.smtp_timeout
                )),
            };
            match sent {
                Ok(_) => {
                    Counters::add(&counters.sent);
                    tracing::info!(to = %mail.to, subject = %mail.subject, "mail sent");
                    break;
                }
                Err(e) if attempt < settings.retry_after.len() => {
                    tracing::warn!(to = %mail.to, error = %e, "mail not sent; retrying");
                    tokio::time::sleep(settings.retry_after[attempt]).await;
                    attempt += 1;
                }
                Err(e) => {
                    Counters::add(&counters.failed);
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
