//! Network silence, observed (issue #19): the real desktop app runs a learner's main loop inside
//! a network namespace that has no interface but loopback (which the WebDriver harness itself
//! needs), under `strace -f` following the app and every WebKit process it starts. The trace
//! must hold no IP socket other than the one the harness asked for: WebKitWebDriver starts the
//! app with `WEBKIT_INSPECTOR_SERVER=127.0.0.1:PORT`, and WebKit's inspector server listens
//! there for the driver. Any other `socket(AF_INET…)`/`socket(AF_INET6…)`, and any `connect`
//! or `sendto` to an IP address, fails the test. Run by `scripts/test.sh` (needs `strace`,
//! `unshare` and `ip`; as a normal user `unshare` maps root in a user namespace).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crossway_tests::webdriver::Session;
use crossway_tests::window::{app_binary, new_english_learner, Driver, ONE_WINDOW};

const NAME: &str = "the_app_opens_no_ip_socket_and_works_in_a_namespace_without_a_network";
const INNER: &str = "CROSSWAY_TEST_IN_NETNS";

/// One IP socket seen in the trace and what was done with it.
#[derive(Debug, Default)]
struct IpSocket {
    line: String,
    binds: Vec<String>,
    sends: Vec<String>,
}

/// Reads a `strace -f -e trace=%network` log: every IP socket per (pid, fd), its binds and its
/// connects/sends; plus every connect/sendto to an IP address on any descriptor.
fn ip_sockets(trace: &str) -> (Vec<IpSocket>, Vec<String>) {
    let mut open: HashMap<(String, String), IpSocket> = HashMap::new();
    let mut done = Vec::new();
    let mut stray = Vec::new();
    for line in trace.lines() {
        let Some((pid, call)) = line.split_once(' ') else { continue };
        let call = call.trim_start();
        let fd_of = |c: &str| c.split_once('(').and_then(|(_, r)| r.split([',', ')']).next()).map(str::to_string);
        let is_ip = call.contains("AF_INET");
        if call.starts_with("socket(") && is_ip {
            let fd = call.rsplit("= ").next().unwrap_or("").trim().to_string();
            if let Some(old) =
                open.insert((pid.to_string(), fd), IpSocket { line: line.to_string(), ..IpSocket::default() })
            {
                done.push(old);
            }
        } else if call.starts_with("bind(")
            || call.starts_with("connect(")
            || call.starts_with("sendto(")
            || call.starts_with("sendmsg(")
        {
            let fd = fd_of(call).unwrap_or_default();
            match open.get_mut(&(pid.to_string(), fd)) {
                Some(s) if call.starts_with("bind(") => s.binds.push(call.to_string()),
                Some(s) => s.sends.push(call.to_string()),
                None if is_ip => stray.push(line.to_string()),
                None => {}
            }
        }
    }
    done.extend(open.into_values());
    (done, stray)
}

#[test]
#[ignore = "needs the built app, tauri-driver, a display, strace and unshare: run scripts/test.sh"]
fn the_app_opens_no_ip_socket_and_works_in_a_namespace_without_a_network() {
    if std::env::var_os(INNER).is_none() {
        // Run this very test again inside a new network namespace, loopback brought up.
        let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
        let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let mut cmd = Command::new("unshare");
        if !root {
            cmd.arg("--map-root-user");
        }
        let status = cmd
            .args(["--net", "--", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\""])
            .arg(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--include-ignored", "--nocapture", "--test-threads=1"])
            .env(INNER, "1")
            .status()
            .unwrap_or_else(|e| panic!("cannot run unshare ({e}); scripts/test.sh installs util-linux and iproute2"));
        assert!(status.success(), "the run inside the network namespace failed ({status})");
        return;
    }

    // Inside: no interface but loopback.
    let links = Command::new("ip").args(["-o", "link", "show"]).output().expect("ip (iproute2) is missing");
    let links = String::from_utf8_lossy(&links.stdout).to_string();
    let names: Vec<&str> = links.lines().filter_map(|l| l.split(':').nth(1)).map(str::trim).collect();
    assert_eq!(names, ["lo"], "{links}");

    let xdg = tempfile::tempdir().unwrap();
    let trace = xdg.path().join("trace.txt");
    let env_seen = xdg.path().join("inspector.txt");
    let wrapper = xdg.path().join("crossway-traced");
    write_wrapper(&wrapper, &app_binary(), &trace, &env_seen);

    let driver = Driver::start(xdg.path());
    let s = Session::start(&driver.url, wrapper.to_str().unwrap()).unwrap();
    new_english_learner(&s, "Noor", Some("amazon-ads"));
    s.click(&s.wait("#onboarding-done").unwrap()).unwrap();
    s.click(&s.wait("#path-steps .step[data-kp='marketing.acos'] .open-lesson").unwrap()).unwrap();
    s.wait("#lesson-body strong").unwrap();
    s.click(&s.wait("form[data-item='marketing.acos.basic'] input[value='1']").unwrap()).unwrap();
    s.click(&s.wait("form[data-item='marketing.acos.basic'] .check-answer").unwrap()).unwrap();
    s.wait_text("form[data-item='marketing.acos.basic'] .feedback", "attempt #").unwrap();
    s.click(&s.wait("#nav-progress").unwrap()).unwrap();
    s.wait("#module-table").unwrap();
    s.click(&s.wait("#nav-settings").unwrap()).unwrap();
    s.wait("#pack-settings").unwrap();
    s.end().unwrap();
    drop(driver);

    let inspector = std::fs::read_to_string(&env_seen).unwrap_or_default().trim().to_string();
    let trace = std::fs::read_to_string(&trace).expect("no trace was written");
    let programs: Vec<&str> =
        trace.lines().filter(|l| l.contains("execve(\"")).filter_map(|l| l.split('"').nth(1)).collect();
    assert!(
        programs.iter().any(|p| p.contains("WebKitWebProcess"))
            && programs.iter().any(|p| p.contains("WebKitNetworkProcess")),
        "the trace must follow WebKit's processes: {programs:?}"
    );
    let (sockets, stray) = ip_sockets(&trace);
    let harness = |s: &IpSocket| {
        !inspector.is_empty()
            && s.sends.is_empty()
            && !s.binds.is_empty()
            && s.binds.iter().all(|b| {
                let port = inspector.rsplit(':').next().unwrap_or_default();
                b.contains("inet_addr(\"127.0.0.1\")") && b.contains(&format!("htons({port})"))
            })
    };
    let others: Vec<&IpSocket> = sockets.iter().filter(|s| !harness(s)).collect();
    println!(
        "network trace: {} lines, {} programs, {} IP sockets ({} the harness's inspector channel on {inspector}), {} others, {} stray IP sends",
        trace.lines().count(),
        programs.len(),
        sockets.len(),
        sockets.len() - others.len(),
        others.len(),
        stray.len()
    );
    assert!(others.is_empty() && stray.is_empty(), "IP sockets besides the harness's: {others:#?}\n{stray:#?}");
}

/// The "application" WebKitWebDriver starts: records the inspector address it was given, then
/// runs the app under strace, following every process and thread.
fn write_wrapper(path: &Path, app: &Path, trace: &Path, env_seen: &Path) {
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$WEBKIT_INSPECTOR_SERVER\" > '{}'\nexec strace -f --seccomp-bpf -qq -e trace=%network,execve -o '{}' -- '{}' \"$@\"\n",
        env_seen.display(),
        trace.display(),
        app.display()
    );
    std::fs::write(path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}
