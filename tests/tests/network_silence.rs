//! Network silence, observed (issue #19): the real desktop app runs a learner's main loop inside
//! a network namespace that has no interface but loopback (which the WebDriver harness itself
//! needs), under `strace -f` following the app and every WebKit process it starts. The trace
//! must hold no IP socket other than the harness's own channel: WebKitWebDriver starts the app
//! with `WEBKIT_INSPECTOR_SERVER=127.0.0.1:PORT`, where the driver listens, and WebKit's UI and
//! web processes connect there to be driven. Any other `socket(AF_INET…)`/`socket(AF_INET6…)`, and any `connect`
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
    // A call another thread interrupted is printed in two halves: `socket(AF_INET… <unfinished
    // ...>`, later `<... socket resumed>) = FD` from the same thread.
    let mut pending: HashMap<String, String> = HashMap::new();
    for line in trace.lines() {
        let Some((pid, call)) = line.split_once(' ') else { continue };
        let call = call.trim_start();
        let fd_of = |c: &str| c.split_once('(').and_then(|(_, r)| r.split([',', ')']).next()).map(str::to_string);
        let is_ip = call.contains("AF_INET");
        let opened = if call.starts_with("socket(") && is_ip && call.ends_with("<unfinished ...>") {
            pending.insert(pid.to_string(), line.to_string());
            None
        } else if call.starts_with("socket(") && is_ip {
            Some(line.to_string())
        } else if call.starts_with("<... socket resumed>") {
            pending.remove(pid)
        } else {
            None
        };
        if let Some(first) = opened {
            let fd = call.rsplit("= ").next().unwrap_or("").trim().to_string();
            if let Some(old) = open.insert((pid.to_string(), fd), IpSocket { line: first, ..IpSocket::default() }) {
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
    // A socket whose opening never resumed in the trace still counts.
    done.extend(pending.into_values().map(|line| IpSocket { line, ..IpSocket::default() }));
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
    // The harness's channel: the inspector address the driver gave (measured: the app's UI
    // process listens there and WebKit's processes connect to it). Such a socket may only ever be
    // bound or connected to exactly that address, and sends on it carry no address.
    let port = inspector.rsplit(':').next().unwrap_or_default().to_string();
    let to_inspector = |c: &String| c.contains("inet_addr(\"127.0.0.1\")") && c.contains(&format!("htons({port})"));
    let harness = |s: &IpSocket| {
        let addressed: Vec<&String> =
            s.binds.iter().chain(s.sends.iter().filter(|c| c.starts_with("connect("))).collect();
        !inspector.is_empty()
            && !addressed.is_empty()
            && addressed.into_iter().all(to_inspector)
            && s.sends.iter().filter(|c| !c.starts_with("connect(")).all(|c| !c.contains("sa_family"))
    };
    let others: Vec<&IpSocket> = sockets.iter().filter(|s| !harness(s)).collect();
    println!(
        "network trace: {} lines, {} programs, {} IP sockets ({} the harness's channel to {inspector}), {} others, {} stray IP sends",
        trace.lines().count(),
        programs.len(),
        sockets.len(),
        sockets.len() - others.len(),
        others.len(),
        stray.len()
    );
    let shown: Vec<String> = others
        .iter()
        .map(|s| {
            format!("{} / {:.300}", s.line, s.binds.iter().chain(&s.sends).cloned().collect::<Vec<_>>().join(" / "))
        })
        .collect();
    assert!(others.is_empty() && stray.is_empty(), "IP sockets besides the harness's: {shown:#?}\n{stray:#?}");
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

/// The reader sees what the window test must refuse: an IP socket that reaches anything but the
/// harness, whether its opening was printed whole or in two halves.
#[test]
fn the_trace_reader_finds_ip_sockets_and_their_addresses() {
    let trace = "10 socket(AF_UNIX, SOCK_STREAM, 0) = 3\n\
        10 connect(3, {sa_family=AF_UNIX, sun_path=\"/tmp/.X11-unix/X0\"}, 20) = 0\n\
        10 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 8\n\
        10 bind(8, {sa_family=AF_INET, sin_port=htons(4000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n\
        11 socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP <unfinished ...>\n\
        11 <... socket resumed>) = 9\n\
        11 connect(9, {sa_family=AF_INET6, sin6_port=htons(53), sin6_addr=inet_pton(AF_INET6, \"2001:db8::1\")}, 28) = 0\n\
        12 sendto(5, \"x\", 1, 0, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"93.184.216.34\")}, 16) = 1\n";
    let (sockets, stray) = ip_sockets(trace);
    assert_eq!(sockets.len(), 2, "{sockets:?}");
    let v6 = sockets.iter().find(|s| s.line.contains("AF_INET6")).unwrap();
    assert!(v6.sends[0].contains("2001:db8::1"));
    let v4 = sockets.iter().find(|s| !s.line.contains("AF_INET6")).unwrap();
    assert!(v4.binds[0].contains("htons(4000)") && v4.sends.is_empty());
    assert_eq!(stray.len(), 1, "a send to an IP address on a descriptor not seen opened: {stray:?}");
}
