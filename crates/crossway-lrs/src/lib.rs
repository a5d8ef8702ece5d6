//! Sends xAPI 1.0.3 statements to a Learning Record Store (issue #18) — a school's own LRS,
//! configured by its teacher. This crate is the only Crossway code that opens a network socket;
//! only `crossway xapi send` uses it, and `crossway-desktop` does not depend on it
//! (ARCHITECTURE.md, invariant 4; `cargo xtask tidy` checks both).
//!
//! - **Batches**: statements are POSTed to `<endpoint>/statements` in batches (HTTP Basic auth,
//!   `X-Experience-API-Version: 1.0.3`).
//! - **Idempotent**: Crossway's statement ids are derived from the record, so a statement sent
//!   twice is the same statement, and an LRS stores it once: it answers a batch with the ids it
//!   stored (204 when none were new), and the rest are counted as `already_there`.
//! - **Rejections are reported, not swallowed**: when the LRS refuses a batch (400, 409), its
//!   statements are sent one by one to find the ones it refuses, each reported with the status
//!   and the LRS's own reason; the others are stored.
//! - **Failures resume**: a connection error or a 5xx is retried with a growing pause; when the
//!   LRS stays away the error says how many were stored, and running the same command again
//!   picks up where it stopped.

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

/// Statements per request.
pub const DEFAULT_BATCH: usize = 200;
/// Tries of one request before the LRS counts as unreachable.
const TRIES: u32 = 4;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    pub id: String,
    pub status: u16,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SendReport {
    pub sent: usize,
    pub already_there: usize,
    pub rejected: Vec<Rejected>,
    pub ms: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// The statements cannot be sent at all (no id, not an object): nothing was sent.
    Invalid(String),
    /// The LRS refused the credentials.
    Unauthorized { status: u16, reason: String },
    /// The LRS did not answer (or answered 5xx) after retries; `done` is what got through.
    Unreachable { detail: String, done: SendReport },
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Invalid(m) => write!(f, "{m}"),
            SendError::Unauthorized { status, reason } => write!(
                f,
                "the LRS refused the user name or password (HTTP {status}: {reason}); check --user and --password-file"
            ),
            SendError::Unreachable { detail, done } => write!(
                f,
                "the LRS stopped answering ({detail}) after {} statements were stored ({} already there). \
                 Nothing is lost: run the same command again when it is back; statements already stored are \
                 recognised by their ids and not sent twice",
                done.sent, done.already_there
            ),
        }
    }
}

impl std::error::Error for SendError {}

/// A Learning Record Store endpoint with its credentials.
pub struct Lrs {
    endpoint: String,
    auth: String,
    agent: ureq::Agent,
    pub batch: usize,
    /// Pause before the first retry; doubled for each next one.
    pub retry_pause: Duration,
}

enum Answer {
    Status(u16, String),
    Down(String),
}

enum Posted {
    Stored { new: usize },
    Refused { status: u16, reason: String },
}

impl Lrs {
    /// `endpoint` is the LRS's xAPI base, e.g. `http://127.0.0.1:8100/xAPI/`.
    pub fn new(endpoint: &str, user: &str, password: &str) -> Result<Self, SendError> {
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(SendError::Invalid(format!("--lrs {endpoint}: give the LRS's http:// or https:// address")));
        }
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")));
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
        Ok(Lrs { endpoint, auth, agent, batch: DEFAULT_BATCH, retry_pause: Duration::from_millis(500) })
    }

    fn request(&self, method: &str, url: &str, body: Option<&Value>) -> Answer {
        let req =
            self.agent.request(method, url).set("Authorization", &self.auth).set("X-Experience-API-Version", "1.0.3");
        let res = match body {
            Some(b) => req.set("Content-Type", "application/json").send_string(&b.to_string()),
            None => req.call(),
        };
        match res {
            Ok(r) => {
                let status = r.status();
                Answer::Status(status, r.into_string().unwrap_or_default())
            }
            Err(ureq::Error::Status(status, r)) => Answer::Status(status, r.into_string().unwrap_or_default()),
            Err(e) => Answer::Down(e.to_string()),
        }
    }

    /// A request retried while the LRS is down or answers 5xx.
    fn request_retrying(&self, method: &str, url: &str, body: Option<&Value>) -> Result<(u16, String), String> {
        let mut pause = self.retry_pause;
        let mut last = String::new();
        for attempt in 0..TRIES {
            if attempt > 0 {
                std::thread::sleep(pause);
                pause *= 2;
            }
            match self.request(method, url, body) {
                Answer::Status(s, b) if s < 500 => return Ok((s, b)),
                Answer::Status(s, b) => last = format!("HTTP {s}: {}", reason(&b)),
                Answer::Down(e) => last = e,
            }
        }
        Err(last)
    }

    /// Sends every statement not already in the LRS; reports what was stored, what was there and
    /// what the LRS refused (with its reason).
    pub fn send(&self, statements: &[Value]) -> Result<SendReport, SendError> {
        let started = Instant::now();
        for (i, s) in statements.iter().enumerate() {
            if s.get("id").and_then(Value::as_str).is_none() {
                return Err(SendError::Invalid(format!(
                    "statement {} has no id: Crossway sends only statements with stable ids (export again with this version)",
                    i + 1
                )));
            }
        }
        let url = format!("{}/statements", self.endpoint);
        let mut done = SendReport::default();
        let unreachable = |detail: String, done: &mut SendReport| {
            done.ms = started.elapsed().as_secs_f64() * 1000.0;
            SendError::Unreachable { detail, done: done.clone() }
        };
        for chunk in statements.chunks(self.batch.max(1)) {
            match self.post(&url, chunk) {
                Ok(Posted::Stored { new }) => {
                    done.sent += new;
                    done.already_there += chunk.len() - new;
                }
                Ok(Posted::Refused { status, reason }) if matches!(status, 401 | 403) => {
                    return Err(SendError::Unauthorized { status, reason })
                }
                // Refused as a whole (a bad statement, or an id the LRS holds with other content):
                // one by one, to store the good ones and name the bad ones.
                Ok(Posted::Refused { .. }) => {
                    for s in chunk {
                        let id = s.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
                        match self.post(&url, std::slice::from_ref(s)) {
                            Ok(Posted::Stored { new }) => {
                                done.sent += new;
                                done.already_there += 1 - new;
                            }
                            Ok(Posted::Refused { status, reason }) if matches!(status, 401 | 403) => {
                                return Err(SendError::Unauthorized { status, reason })
                            }
                            Ok(Posted::Refused { status, reason }) => {
                                done.rejected.push(Rejected { id, status, reason })
                            }
                            Err(e) => return Err(unreachable(e, &mut done)),
                        }
                    }
                }
                Err(e) => return Err(unreachable(e, &mut done)),
            }
        }
        done.ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(done)
    }

    /// One POST of `batch`: how many of its statements were new, or why it was refused. An xAPI
    /// LRS answers 200 with the ids it stored (an LRS that already holds an identical statement
    /// leaves it out; Ralph does) or 204 when there was nothing new to store.
    fn post(&self, url: &str, batch: &[Value]) -> Result<Posted, String> {
        let (status, body) = self.request_retrying("POST", url, Some(&Value::Array(batch.to_vec())))?;
        match status {
            200 => {
                let ids: Vec<Value> = serde_json::from_str(&body).unwrap_or_default();
                Ok(Posted::Stored { new: ids.len().min(batch.len()) })
            }
            204 => Ok(Posted::Stored { new: 0 }),
            _ => Ok(Posted::Refused { status, reason: reason(&body) }),
        }
    }

    /// How many statements the LRS holds (all pages of `GET statements`), for checks and tests.
    pub fn count(&self) -> Result<usize, String> {
        // `limit=0` asks for the LRS's own maximum (all of them, for Ralph); `more` pages on.
        let mut url = format!("{}/statements?limit=0", self.endpoint);
        let mut n = 0;
        loop {
            let (status, body) = self.request_retrying("GET", &url, None)?;
            if status != 200 {
                return Err(format!("HTTP {status}: {}", reason(&body)));
            }
            let v: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
            let page = v["statements"].as_array().map_or(0, Vec::len);
            n += page;
            // An empty page ends it too: Ralph gives a `more` link even after the last page.
            match v["more"].as_str().filter(|m| !m.is_empty() && page > 0) {
                Some(more) if self.absolute(more) != url => url = self.absolute(more),
                _ => return Ok(n),
            }
        }
    }

    /// A `more` link (absolute, or a path on the LRS's host) as a URL.
    fn absolute(&self, link: &str) -> String {
        if link.starts_with("http://") || link.starts_with("https://") {
            return link.to_string();
        }
        let scheme_end = self.endpoint.find("://").map_or(0, |i| i + 3);
        let host_end = self.endpoint[scheme_end..].find('/').map_or(self.endpoint.len(), |i| scheme_end + i);
        format!("{}{link}", &self.endpoint[..host_end])
    }
}

/// The LRS's reason from an error body: its `detail`/`message`/`error` field, or the text.
fn reason(body: &str) -> String {
    let v: Option<Value> = serde_json::from_str(body).ok();
    let field = v.as_ref().and_then(|v| ["detail", "message", "error"].iter().find_map(|k| v.get(*k)));
    let text = match field {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => body.trim().to_string(),
    };
    text.chars().take(500).collect()
}
