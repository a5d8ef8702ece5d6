//! Reading `strace -f -e trace=%network,execve` logs of the app (issue #19's network silence):
//! every IP socket per (pid, fd), what it was bound or connected to, and a verdict per run — an
//! IP socket is allowed only as the WebDriver harness's own channel (the
//! `WEBKIT_INSPECTOR_SERVER` address WebKitWebDriver gave that run).

use std::collections::HashMap;

/// One IP socket seen in the trace and what was done with it.
#[derive(Debug, Default)]
pub struct IpSocket {
    pub line: String,
    pub binds: Vec<String>,
    pub sends: Vec<String>,
}

/// Reads a `strace -f -e trace=%network` log: every IP socket per (pid, fd), its binds and its
/// connects/sends; plus every connect/sendto to an IP address on any descriptor.
pub fn ip_sockets(trace: &str) -> (Vec<IpSocket>, Vec<String>) {
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

/// One traced run of the app, judged.
#[derive(Debug, Default)]
pub struct RunReport {
    pub lines: usize,
    /// Programs started (`execve`).
    pub programs: Vec<String>,
    pub ip_sockets: usize,
    /// IP sockets that were the harness's channel.
    pub harness: usize,
    /// Every other IP socket, with what was done with it (must be empty).
    pub others: Vec<String>,
    /// Sends to an IP address on a descriptor not seen opened (must be empty).
    pub stray: Vec<String>,
}

/// Judges one run's trace; `inspector` is the address the harness gave it (`127.0.0.1:PORT`), or
/// empty for a program driven without WebDriver (the CLI), where no IP socket is allowed at all.
pub fn judge(trace: &str, inspector: &str) -> RunReport {
    let programs: Vec<String> = trace
        .lines()
        .filter(|l| l.contains("execve(\""))
        .filter_map(|l| l.split('"').nth(1))
        .map(str::to_string)
        .collect();
    let (sockets, stray) = ip_sockets(trace);
    // Such a socket may only ever be bound or connected to exactly the inspector address, and
    // sends on it carry no address.
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
    let others: Vec<String> = sockets
        .iter()
        .filter(|s| !harness(s))
        .map(|s| {
            format!("{} / {:.300}", s.line, s.binds.iter().chain(&s.sends).cloned().collect::<Vec<_>>().join(" / "))
        })
        .collect();
    RunReport {
        lines: trace.lines().count(),
        programs,
        ip_sockets: sockets.len(),
        harness: sockets.len() - others.len(),
        others,
        stray,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_cli_run_may_open_no_ip_socket_at_all() {
        let trace = "10 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 8\n\
            10 bind(8, {sa_family=AF_INET, sin_port=htons(4000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n";
        assert_eq!(judge(trace, "127.0.0.1:4000").others.len(), 0, "the harness's channel");
        assert_eq!(judge(trace, "").others.len(), 1, "no harness: any IP socket is refused");
        assert_eq!(judge(trace, "127.0.0.1:4001").others.len(), 1, "another port");
    }
}
