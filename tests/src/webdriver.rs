//! A minimal W3C WebDriver client over HTTP on localhost, for driving the real Crossway window
//! through tauri-driver → WebKitWebDriver.

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// WebDriver key code points for [`Session::press`].
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const ARROW_DOWN: &str = "\u{E015}";

pub struct Session {
    base: String,
    agent: ureq::Agent,
}

pub struct Element(String);

fn call(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Result<Value, String> {
    let req = agent.request(method, url);
    let resp = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    match resp {
        Ok(r) => r.into_json::<Value>().map(|v| v["value"].clone()).map_err(|e| e.to_string()),
        Err(ureq::Error::Status(code, r)) => {
            Err(format!("{method} {url}: HTTP {code}: {}", r.into_string().unwrap_or_default()))
        }
        Err(e) => Err(format!("{method} {url}: {e}")),
    }
}

impl Session {
    /// Starts the app at `application` through the driver at `driver` (e.g. http://127.0.0.1:4444).
    pub fn start(driver: &str, application: &str) -> Result<Session, String> {
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": application}}}});
        // tauri-driver proxies to WebKitWebDriver, which it starts itself: on a loaded machine the
        // first request can reach it before that is listening and come back as a transport error
        // (no HTTP status, no session made). Retry those for a while; report anything else.
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("{driver}/session");
        let v = loop {
            match agent.request("POST", &url).send_json(caps.clone()) {
                Err(ureq::Error::Transport(t)) if Instant::now() < deadline => {
                    eprintln!("webdriver: session request failed ({t}); retrying");
                    std::thread::sleep(Duration::from_secs(1));
                }
                Ok(r) => break r.into_json::<Value>().map(|v| v["value"].clone()).map_err(|e| e.to_string())?,
                Err(ureq::Error::Status(code, r)) => {
                    return Err(format!("POST {url}: HTTP {code}: {}", r.into_string().unwrap_or_default()))
                }
                Err(e) => return Err(format!("POST {url}: {e}")),
            }
        };
        let id = v["sessionId"].as_str().ok_or_else(|| format!("no session id in {v}"))?;
        Ok(Session { base: format!("{driver}/session/{id}"), agent })
    }

    fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        call(&self.agent, "POST", &format!("{}{path}", self.base), Some(body))
    }

    fn get(&self, path: &str) -> Result<Value, String> {
        call(&self.agent, "GET", &format!("{}{path}", self.base), None)
    }

    pub fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let v = self.post("/elements", json!({"using": "css selector", "value": css}))?;
        Ok(v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[ELEMENT_KEY].as_str().map(|s| Element(s.to_string())))
            .collect())
    }

    /// Waits up to 20 s for at least one element matching `css`.
    pub fn wait(&self, css: &str) -> Result<Element, String> {
        self.wait_for(css, 20)
    }

    /// Waits up to `secs` for at least one element matching `css` (for the on-device model's
    /// work, which a busy 2-core machine can make slow).
    pub fn wait_for(&self, css: &str, secs: u64) -> Result<Element, String> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(e) = self.find_all(css)?.into_iter().next() {
                return Ok(e);
            }
            if Instant::now() > deadline {
                let body = self.text_of("body").unwrap_or_default();
                let url = self.get("/url").unwrap_or_default();
                let html = self.execute("return document.documentElement.outerHTML.slice(0, 2000)").unwrap_or_default();
                return Err(format!("timed out waiting for `{css}` at {url}; the window shows:\n{body}\n{html}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn click(&self, e: &Element) -> Result<(), String> {
        self.post(&format!("/element/{}/click", e.0), json!({})).map(|_| ())
    }

    pub fn type_into(&self, e: &Element, text: &str) -> Result<(), String> {
        self.post(&format!("/element/{}/value", e.0), json!({"text": text})).map(|_| ())
    }

    pub fn text(&self, e: &Element) -> Result<String, String> {
        Ok(self.get(&format!("/element/{}/text", e.0))?.as_str().unwrap_or_default().to_string())
    }

    pub fn attr(&self, e: &Element, name: &str) -> Result<Option<String>, String> {
        Ok(self.get(&format!("/element/{}/attribute/{name}", e.0))?.as_str().map(String::from))
    }

    pub fn text_of(&self, css: &str) -> Result<String, String> {
        let e = self.find_all(css)?.into_iter().next().ok_or_else(|| format!("no `{css}`"))?;
        self.text(&e)
    }

    /// Waits until the text of `css` contains `needle`.
    pub fn wait_text(&self, css: &str, needle: &str) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text_of(css).unwrap_or_default();
            if text.contains(needle) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for `{needle}` in `{css}`, which shows: {text:?}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn execute(&self, script: &str) -> Result<Value, String> {
        self.execute_with(script, json!([]))
    }

    /// Presses and releases each key of `keys` in turn on the focused element (W3C actions;
    /// special keys as WebDriver code points, e.g. [`TAB`], [`ENTER`]).
    pub fn press(&self, keys: &str) -> Result<(), String> {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": k.to_string()}));
            actions.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        self.post("/actions", json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})).map(|_| ())
    }

    /// Resizes the window (W3C "Set Window Rect"); returns the rect the window got.
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<Value, String> {
        self.post("/window/rect", json!({"width": width, "height": height}))
    }

    /// Runs `script` asynchronously: it ends by calling its last argument with the result.
    pub fn execute_async(&self, script: &str, args: Value) -> Result<Value, String> {
        self.post("/execute/async", json!({"script": script, "args": args}))
    }

    /// Runs `script` with `args` (a JSON array, the script's `arguments`).
    pub fn execute_with(&self, script: &str, args: Value) -> Result<Value, String> {
        self.post("/execute/sync", json!({"script": script, "args": args}))
    }

    /// The handles of the app's open windows (W3C "Get Window Handles").
    pub fn window_handles(&self) -> Result<Vec<String>, String> {
        let v = self.get("/window/handles")?;
        Ok(v.as_array().into_iter().flatten().filter_map(|h| h.as_str().map(str::to_string)).collect())
    }

    pub fn window_handle(&self) -> Result<String, String> {
        Ok(self.get("/window")?.as_str().unwrap_or_default().to_string())
    }

    /// Makes `handle` the window the next commands go to (W3C "Switch To Window").
    pub fn switch_to_window(&self, handle: &str) -> Result<(), String> {
        self.post("/window", json!({"handle": handle})).map(|_| ())
    }

    /// Waits until a window other than those in `known` opens; returns its handle.
    pub fn wait_new_window(&self, known: &[String], secs: u64) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(h) = self.window_handles()?.into_iter().find(|h| !known.contains(h)) {
                return Ok(h);
            }
            if Instant::now() > deadline {
                return Err(format!("no new window within {secs} s (windows: {:?})", self.window_handles()?));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn screenshot_png(&self) -> Result<Vec<u8>, String> {
        let b64 = self.get("/screenshot")?;
        base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap_or_default()).map_err(|e| e.to_string())
    }

    pub fn end(self) -> Result<(), String> {
        call(&self.agent, "DELETE", &self.base, None).map(|_| ())
    }
}
