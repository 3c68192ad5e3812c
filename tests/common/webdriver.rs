//! A headless Chromium driven over the W3C WebDriver protocol (Debian's `chromium` and
//! `chromium-driver`, installed by `scripts/browser-deps.sh`): chromedriver started on a free
//! loopback port, one browser session per [`Browser`], plain JSON over HTTP — no client crate.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The element key of the W3C protocol.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::blocking::Client,
}

impl Driver {
    /// Starts chromedriver; `None` when it is not installed (the caller says so and fails).
    pub fn start() -> Option<Driver> {
        let bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap(),
        };
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(30) {
            if let Ok(r) = d.http.get(format!("{}/status", d.base)).send()
                && r.status().is_success()
            {
                return Some(d);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }

    /// A new headless browser window of 1280 × 1600.
    pub fn browser(&self) -> Browser<'_> {
        let chromium = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or("/usr/bin/chromium");
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--disable-gpu", "--window-size=1280,1600", "--lang=zh-CN"]
            }
        }}});
        let v: Value = self
            .http
            .post(format!("{}/session", self.base))
            .json(&caps)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {v}"))
            .to_string();
        Browser {
            driver: self,
            url: format!("{}/session/{id}", self.base),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session.
pub struct Browser<'d> {
    driver: &'d Driver,
    url: String,
}

impl Browser<'_> {
    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.url);
        let r = match method {
            "GET" => self.driver.http.get(&url).send(),
            "DELETE" => self.driver.http.delete(&url).send(),
            _ => self.driver.http.post(&url).json(&body).send(),
        }
        .unwrap();
        let v: Value = r.json().unwrap();
        if let Some(e) = v["value"]["error"].as_str() {
            panic!("webdriver {method} {path}: {e}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    /// Opens a URL.
    pub fn go(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    /// The current URL.
    pub fn current_url(&self) -> String {
        self.call("GET", "/url", Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The page's HTML as the browser has it now.
    pub fn source(&self) -> String {
        self.call("GET", "/source", Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The first element matching a CSS selector.
    pub fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            json!({ "using": "css selector", "value": css }),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v} at {}", self.current_url()))
            .to_string()
    }

    /// Types into an element (for a file input: the file's absolute path).
    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            json!({ "text": text }),
        );
    }

    /// Runs a script in the page (`arguments` empty): its return value.
    pub fn run_js(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    /// Sets a form field's value as a script would: WebDriver's typing goes key by key and
    /// cannot enter Chinese, nor a date in every locale.
    pub fn set_value(&self, css: &str, value: &str) {
        self.run_js(&format!(
            "document.querySelector({}).value = {}",
            Value::from(css),
            Value::from(value)
        ));
    }

    /// Clicks an element.
    pub fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), json!({}));
    }

    /// Waits until the page's HTML contains `text` (pages that refresh themselves included).
    pub fn wait_for(&self, text: &str, within: Duration) -> String {
        let t = Instant::now();
        loop {
            let s = self.source();
            if s.contains(text) {
                return s;
            }
            assert!(
                t.elapsed() < within,
                "no {text:?} after {within:?} at {}:\n{s}",
                self.current_url()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A PNG screenshot of the window.
    pub fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let v = self.call("GET", "/screenshot", Value::Null);
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let _ = self.driver.http.delete(&self.url).send();
    }
}
