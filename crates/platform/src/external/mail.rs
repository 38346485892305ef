//! Mail: queued in the caller's transaction, delivered by the outbox worker over
//! SMTP when `smtp_url` is set, else written as `.eml` files under
//! `<data dir>/outbox/<app>/` (the local default: open them in any mail reader).
//!
//! Every mail is `multipart/alternative` with a text and an HTML part. Its
//! `Message-ID` is derived from its outbox row, so a redelivery after a crash is
//! recognisable as the same mail, and the `.eml` file of a redelivery replaces
//! the first.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::app::AppContext;
use crate::db::Tx;
use crate::outbox::{BoxFuture, Deliver, Outbox, OutboxRow};
use crate::validate::Email;

/// How long one SMTP exchange may take before it counts as failed (and is
/// retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail_from is not a mailbox: {0}")]
    From(String),
    #[error("smtp_url: {0}")]
    SmtpUrl(String),
}

/// One mail to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    pub fn new(
        to: &Email,
        subject: impl Into<String>,
        text: impl Into<String>,
        html: impl Into<String>,
    ) -> Self {
        Self {
            to: to.as_str().to_owned(),
            subject: subject.into(),
            text: text.into(),
            html: html.into(),
        }
    }

    pub fn to(&self) -> &str {
        &self.to
    }
}

/// Where built messages go.
trait Transport: Send + Sync + 'static {
    fn send<'a>(&'a self, key: &'a str, message: Message) -> BoxFuture<'a, Result<(), String>>;
}

struct Smtp(AsyncSmtpTransport<Tokio1Executor>);

impl Transport for Smtp {
    fn send<'a>(&'a self, _key: &'a str, message: Message) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            self.0
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        })
    }
}

/// `.eml` files in a folder, one per mail, named by its outbox row.
struct EmlFolder(PathBuf);

impl Transport for EmlFolder {
    fn send<'a>(&'a self, key: &'a str, message: Message) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let bytes = message.formatted();
            let dir = self.0.clone();
            let key = key.to_owned();
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                std::fs::create_dir_all(&dir)?;
                // Written aside and renamed: a reader never sees half a mail.
                let part = dir.join(format!(".{key}.eml.part"));
                std::fs::write(&part, &bytes)?;
                std::fs::rename(&part, dir.join(format!("{key}.eml")))
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
        })
    }
}

struct MailSender {
    from: Mailbox,
    /// The domain of `Message-ID`s.
    domain: String,
    transport: Box<dyn Transport>,
}

impl Deliver for MailSender {
    fn deliver<'a>(&'a self, d: &'a OutboxRow) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let mail: Mail = serde_json::from_str(&d.payload).map_err(|e| e.to_string())?;
            let key = d.key();
            let to: Mailbox = mail.to.parse().map_err(|e| format!("to: {e}"))?;
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(mail.subject)
                .message_id(Some(format!("<{key}@{}>", self.domain)))
                .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
                .map_err(|e| e.to_string())?;
            self.transport.send(&key, message).await
        })
    }
}

/// An app's mail: queue in a transaction; the worker delivers.
#[derive(Clone)]
pub struct Mailer {
    outbox: Outbox,
    describe: Arc<str>,
}

impl Mailer {
    /// The mailer of `ctx`'s app, its worker running until the app stops.
    pub fn start(ctx: &AppContext) -> Result<Self, MailError> {
        let p = &ctx.platform;
        let from: Mailbox = p
            .mail_from
            .parse()
            .map_err(|e| MailError::From(format!("{}: {e}", p.mail_from)))?;
        let domain = from.email.domain().to_owned();
        let (transport, describe): (Box<dyn Transport>, String) = match &p.smtp_url {
            Some(url) => {
                let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| MailError::SmtpUrl(e.to_string()))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                (Box::new(Smtp(smtp)), "smtp".into())
            }
            None => {
                let dir = ctx.data_dir("outbox");
                let describe = format!(".eml files in {}", dir.display());
                (Box::new(EmlFolder(dir)), describe)
            }
        };
        tracing::info!(app = ctx.name, to = %describe, "mail");
        let deliver = Arc::new(MailSender {
            from,
            domain,
            transport,
        });
        Ok(Self {
            outbox: Outbox::start(ctx, "mail", deliver),
            describe: describe.into(),
        })
    }

    /// Queues `mail` in `tx`: sent after the commit, never if `tx` rolls back.
    pub async fn queue(&self, tx: &mut Tx, mail: &Mail) -> Result<(), sqlx::Error> {
        let payload = serde_json::to_string(mail).expect("a mail serialises to JSON");
        self.outbox.push(tx, &payload).await.map(drop)
    }

    /// Mails not sent yet.
    pub async fn pending(&self) -> Result<i64, sqlx::Error> {
        self.outbox.pending().await
    }

    /// Where mails go, for the startup log.
    pub fn describe(&self) -> &str {
        &self.describe
    }
}
