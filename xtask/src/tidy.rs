//! Architecture invariants from ARCHITECTURE.md, checked mechanically. Each check returns the
//! problems it found; `cargo test` runs every check.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub fn workspace_root() -> PathBuf {
    // `cargo run`/`cargo test` set CARGO_MANIFEST_DIR at run time too: prefer it, so a binary
    // built in another checkout (cargo's fingerprints are relocatable) still looks here.
    let dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    dir.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// `cargo metadata` for Linux x86-64 (the platform we ship and test).
pub fn metadata() -> Result<Value, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--filter-platform", "x86_64-unknown-linux-gnu"])
        .current_dir(workspace_root())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// Crates that only one workspace package may depend on (any dependency kind).
pub const OWNED: &[(&str, &[&str])] = &[
    ("rusqlite", &["crossway-store"]),
    ("rusqlite_migration", &["crossway-store"]),
    ("llama-cpp-2", &["crossway-tutor"]),
    ("tauri", &["crossway-desktop"]),
    ("tauri-build", &["crossway-desktop"]),
    // The LRS sender (issue #18) and the WebDriver client of the window tests (dev-only).
    ("ureq", &["crossway-lrs", "crossway-tests"]),
];

/// HTTP clients: none may be in what the app or the CLI run.
pub const HTTP_CLIENTS: &[&str] = &[
    "reqwest",
    "ureq",
    "hyper",
    "hyper-util",
    "isahc",
    "surf",
    "curl",
    "attohttpc",
    "minreq",
    "awc",
    "ehttp",
    "http-req",
];

/// The only crates crossway-core may depend on: it is pure logic (chrono for the time values
/// passed in, rs-fsrs for the review scheduler).
pub const CORE_ALLOWED: &[&str] = &["serde", "thiserror", "chrono", "rs-fsrs"];

fn workspace_packages(meta: &Value) -> Vec<&Value> {
    let members: HashSet<&str> =
        meta["workspace_members"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["id"].as_str().is_some_and(|id| members.contains(id)))
        .collect()
}

/// Direct dependencies of workspace packages that break an ownership rule.
pub fn check_ownership(meta: &Value, owned: &[(&str, &[&str])]) -> Vec<String> {
    let mut problems = Vec::new();
    for pkg in workspace_packages(meta) {
        let name = pkg["name"].as_str().unwrap_or_default();
        for dep in pkg["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or_default();
            if let Some((_, owners)) = owned.iter().find(|(c, _)| *c == dep_name) {
                if !owners.contains(&name) {
                    problems.push(format!("{name} depends on {dep_name}, which only {} may use", owners.join(", ")));
                }
            }
        }
    }
    problems
}

/// Every package reachable from `root` through normal (run-time) dependencies.
#[cfg(test)]
pub fn runtime_closure(meta: &Value, root: &str) -> BTreeSet<String> {
    runtime_closure_without(meta, root, &[])
}

/// [`runtime_closure`] with the packages in `skip` (and what only they bring) left out.
pub fn runtime_closure_without(meta: &Value, root: &str, skip: &[&str]) -> BTreeSet<String> {
    let names: HashMap<&str, &str> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect();
    let nodes: HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let Some(start) = names.iter().find(|(_, n)| **n == root).map(|(id, _)| *id) else { return BTreeSet::new() };
    let mut seen: HashSet<&str> = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(id) = queue.pop_front() {
        let Some(node) = nodes.get(id) else { continue };
        for dep in node["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"].as_array().into_iter().flatten().any(|k| k["kind"].is_null());
            if let (true, Some(pkg)) = (normal, dep["pkg"].as_str()) {
                if names.get(pkg).is_some_and(|n| skip.contains(n)) {
                    continue;
                }
                if seen.insert(pkg) {
                    queue.push_back(pkg);
                }
            }
        }
    }
    seen.iter().filter_map(|id| names.get(id).map(|n| n.to_string())).collect()
}

/// Invariant 4: no HTTP client in the run-time tree of `roots`; `crossway-lrs` (the LRS sender
/// behind `crossway xapi send`) is the one way in, and only for the roots in `via_lrs`.
pub fn check_no_http_clients(meta: &Value, roots: &[&str], via_lrs: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for root in roots.iter().chain(via_lrs) {
        let skip: &[&str] = if via_lrs.contains(root) { &["crossway-lrs"] } else { &[] };
        let closure = runtime_closure_without(meta, root, skip);
        if skip.is_empty() && closure.contains("crossway-lrs") {
            problems.push(format!("{root} depends on crossway-lrs, the LRS sender: it must open no socket"));
        }
        if closure.is_empty() {
            problems.push(format!("package {root} not found in cargo metadata"));
        }
        for bad in HTTP_CLIENTS {
            if closure.contains(*bad) {
                problems.push(format!(
                    "{root} pulls in the HTTP client `{bad}` at run time (try `cargo tree -p {root} -i {bad}`)"
                ));
            }
        }
    }
    problems
}

/// What runs on a learner's machine without the network: the desktop app and every library it
/// or the CLI is built from.
pub const RUNTIME_ROOTS: &[&str] =
    &["crossway-desktop", "crossway-app", "crossway-store", "crossway-tutor", "crossway-content", "crossway-core"];

/// The CLI reaches the LRS sender from one file, the `xapi send` command.
pub fn check_lrs_only_in_xapi_send() -> Vec<String> {
    let mut problems = Vec::new();
    for file in rust_files(&workspace_root().join("crates/crossway-cli/src")) {
        if file.ends_with("xapi.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (n, line) in non_test_lines(&text) {
            if line.contains("crossway_lrs") {
                problems.push(format!("{}:{n}: only `xapi send` (src/xapi.rs) may use the LRS sender", rel(&file)));
            }
        }
    }
    problems
}

pub fn check_core_is_pure(meta: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(core) = workspace_packages(meta).into_iter().find(|p| p["name"] == "crossway-core") {
        for dep in core["dependencies"].as_array().into_iter().flatten() {
            let name = dep["name"].as_str().unwrap_or_default();
            if dep["kind"].is_null() && !CORE_ALLOWED.contains(&name) {
                problems.push(format!(
                    "crossway-core depends on {name}; the core may only use {}",
                    CORE_ALLOWED.join(", ")
                ));
            }
        }
    }
    let forbidden =
        ["std::fs", "std::net", "std::process", "std::env", "SystemTime::now", "Instant::now", "Utc::now", "rand::"];
    for file in rust_files(&workspace_root().join("crates/crossway-core/src")) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (n, line) in non_test_lines(&text) {
            for f in forbidden {
                if line.contains(f) {
                    problems.push(format!(
                        "{}:{n}: crossway-core does no IO and reads no clock, but uses `{f}`",
                        rel(&file)
                    ));
                }
            }
        }
    }
    problems
}

/// Commands: the handler list in src-tauri/src/lib.rs, the permission list in build.rs and the
/// window's capability must name the same commands.
pub fn check_commands_agree() -> Vec<String> {
    let root = workspace_root().join("src-tauri");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_default();
    let lib = read("src/lib.rs");
    let build = read("build.rs");
    let granted = |file: &str| -> BTreeSet<String> {
        let cap: Value = serde_json::from_str(&read(file)).unwrap_or(Value::Null);
        cap["permissions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect()
    };

    let handlers: BTreeSet<String> = lib
        .split("generate_handler![")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.trim().rsplit("::").next().map(str::to_string))
        .filter(|s| !s.is_empty())
        .collect();
    let declared: BTreeSet<String> = build
        .split("COMMANDS: &[&str] = &[")
        .nth(1)
        .and_then(|s| s.split("];").next())
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let main = granted("capabilities/main.json");
    let class = granted("capabilities/class.json");
    let allowed: BTreeSet<String> = main.union(&class).cloned().collect();
    let defined: BTreeSet<String> = rust_files(&root.join("src/commands"))
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            text.split("#[tauri::command")
                .skip(1)
                .filter_map(|s| s.split("pub fn ").nth(1)?.split('(').next().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut problems = Vec::new();
    if handlers.is_empty() {
        problems.push("no commands found in generate_handler! in src-tauri/src/lib.rs".into());
    }
    for (what, set) in
        [("build.rs COMMANDS", &declared), ("capabilities/{main,class}.json", &allowed), ("src/commands", &defined)]
    {
        if set != &handlers {
            let missing: Vec<_> = handlers.difference(set).collect();
            let extra: Vec<_> = set.difference(&handlers).collect();
            problems.push(format!("{what} disagrees with the handler list: missing {missing:?}, extra {extra:?}"));
        }
    }
    // The teacher's window may reach its own commands and the app's status, nothing else (no
    // learner's records); the learners' window does not get the teacher's commands.
    for c in
        class.iter().filter(|c| !TEACHER_COMMANDS.contains(&c.as_str()) && !CLASS_WINDOW_BASICS.contains(&c.as_str()))
    {
        problems.push(format!("capabilities/class.json grants {c}, which the teacher's window must not reach"));
    }
    for c in main.iter().filter(|c| TEACHER_COMMANDS.contains(&c.as_str())) {
        problems
            .push(format!("capabilities/main.json grants the teacher's command {c}: it belongs to the class window"));
    }
    problems
}

/// The teacher's commands (issue #18): only the class window gets them.
pub const TEACHER_COMMANDS: &[&str] = &[
    "teacher_status",
    "create_teacher",
    "unlock_teacher",
    "lock_teacher",
    "create_class",
    "list_classes",
    "class_report",
    "import_summaries",
];

/// What the class window may call besides the teacher's commands: the app's status.
pub const CLASS_WINDOW_BASICS: &[&str] = &["data_problem", "app_status", "tutor_status", "list_roles"];

/// The webview's CSP: own origin only, no inline or eval'd script, no remote origin.
pub fn check_csp() -> Vec<String> {
    let conf: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("src-tauri/tauri.conf.json")).unwrap_or_default(),
    )
    .unwrap_or(Value::Null);
    let csp = &conf["app"]["security"]["csp"];
    let mut problems = Vec::new();
    let Some(map) = csp.as_object() else { return vec!["tauri.conf.json has no CSP object".into()] };
    if map.get("script-src").and_then(Value::as_str) != Some("'self'") {
        problems.push("CSP script-src must be exactly 'self'".into());
    }
    if map.get("default-src").and_then(Value::as_str) != Some("'self'") {
        problems.push("CSP default-src must be 'self'".into());
    }
    for (k, v) in map {
        let v = v.as_str().unwrap_or_default();
        if v.contains("unsafe-inline") || v.contains("unsafe-eval") {
            problems.push(format!("CSP {k} allows unsafe inline/eval: {v}"));
        }
        for token in v.split_whitespace() {
            let remote =
                token.starts_with("http") || token.starts_with("ws") || token == "*" || token.starts_with("https:");
            if remote && token != "http://ipc.localhost" {
                problems.push(format!("CSP {k} allows the remote origin {token}"));
            }
        }
    }
    if conf["app"]["withGlobalTauri"] != Value::Bool(false) {
        problems.push("withGlobalTauri must stay false (the UI imports @tauri-apps/api)".into());
    }
    problems
}

/// No `.unwrap()` / `.expect(` outside tests in the crates a learner's session runs through.
pub fn check_no_unwrap() -> Vec<String> {
    let root = workspace_root();
    let dirs = [
        "crates/crossway-core/src",
        "crates/crossway-content/src",
        "crates/crossway-store/src",
        "crates/crossway-app/src",
        "crates/crossway-tutor/src",
        "src-tauri/src",
    ];
    let mut problems = Vec::new();
    for dir in dirs {
        for file in rust_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (n, line) in non_test_lines(&text) {
                if line.contains(".unwrap()") || line.contains(".expect(") {
                    problems.push(format!("{}:{n}: unwrap/expect in app code; return an error instead", rel(&file)));
                }
            }
        }
    }
    problems
}

/// The window's English string tables (`const xxxEn = {` in `ui/src/i18n.ts` and
/// `ui/src/i18n/*.ts`) are spread into one: a key defined in two of them silently replaces the
/// other's text, so each key must be defined once.
pub fn check_i18n_keys_unique() -> Vec<String> {
    let ui = workspace_root().join("ui/src");
    let mut files = vec![ui.join("i18n.ts")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(ui.join("i18n"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ts"))
        .collect();
    more.sort();
    files.extend(more);
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut problems = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let mut in_en = false;
        for (n, line) in text.lines().enumerate() {
            if line.contains("En = {") && line.trim_start().starts_with(['c', 'e']) {
                in_en = true;
                continue;
            }
            if in_en && line.starts_with("};") {
                in_en = false;
            }
            let Some(key) = line.strip_prefix("  ").and_then(|l| l.split(':').next()) else { continue };
            if !in_en || key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let here = format!("{}:{}", rel(&file), n + 1);
            if let Some(first) = seen.insert(key.to_string(), here.clone()) {
                problems
                    .push(format!("{here}: the string key `{key}` is also defined at {first}; one replaces the other"));
            }
        }
    }
    problems
}

pub fn run_all() -> Result<(), Vec<String>> {
    let meta = metadata().map_err(|e| vec![e])?;
    let mut problems = check_ownership(&meta, OWNED);
    problems.extend(check_no_http_clients(&meta, RUNTIME_ROOTS, &["crossway-cli"]));
    problems.extend(check_lrs_only_in_xapi_send());
    problems.extend(check_core_is_pure(&meta));
    problems.extend(check_commands_agree());
    problems.extend(check_csp());
    problems.extend(check_i18n_keys_unique());
    problems.extend(check_no_unwrap());
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Lines before the file's `#[cfg(test)]`, numbered from 1, skipping comments.
fn non_test_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.trim_start().starts_with("#[cfg(test)]"))
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l))
}

fn rel(p: &Path) -> String {
    p.strip_prefix(workspace_root()).unwrap_or(p).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Value {
        metadata().unwrap()
    }

    #[test]
    fn only_the_owning_crate_uses_sqlite_llama_cpp_or_tauri() {
        let problems = check_ownership(&meta(), OWNED);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn the_ownership_check_catches_a_violation() {
        // Pretend rusqlite belonged to another crate: the real graph must then be reported.
        let problems = check_ownership(&meta(), &[("rusqlite", &["crossway-tutor"])]);
        assert!(problems.iter().any(|p| p.starts_with("crossway-store depends on rusqlite")), "{problems:#?}");
    }

    #[test]
    fn no_http_client_in_the_app_or_the_cli() {
        let m = meta();
        let problems = check_no_http_clients(&m, RUNTIME_ROOTS, &["crossway-cli"]);
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(check_lrs_only_in_xapi_send().is_empty());
        // The check sees the one way in: the CLI's tree holds ureq through crossway-lrs only, so
        // counting the CLI as a root without that exception fails.
        assert!(runtime_closure(&m, "crossway-cli").contains("ureq"));
        let strict = check_no_http_clients(&m, &["crossway-cli"], &[]);
        assert!(strict.iter().any(|p| p.contains("crossway-lrs")), "{strict:#?}");
        assert!(strict.iter().any(|p| p.contains("`ureq`")), "{strict:#?}");
        // The check sees real crates: the test crate does use an HTTP client (dev-only, for
        // WebDriver on localhost), and the desktop closure really holds tauri.
        assert!(runtime_closure(&m, "crossway-desktop").contains("tauri"));
        assert!(runtime_closure(&m, "crossway-cli").contains("crossway-app"));
    }

    #[test]
    fn every_string_key_is_defined_once() {
        let problems = check_i18n_keys_unique();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn the_core_is_pure() {
        let problems = check_core_is_pure(&meta());
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn every_command_has_its_permission_and_capability() {
        let problems = check_commands_agree();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn the_csp_is_strict() {
        let problems = check_csp();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn no_unwrap_in_app_code() {
        let problems = check_no_unwrap();
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
