#!/usr/bin/env python3
"""Start-up and memory of the desktop app (docs/performance.md, issue #17 item 6).

Runs the built app through tauri-driver under the current X display (use xvfb-run), with a data
folder holding one learner with N answers, and reports:
  - launch → first screen with the learner's data: from the WebDriver session request until the
    learners list shows the learner (an upper bound: WebDriver's own start is included);
  - memory: PSS (from /proc/PID/smaps_rollup) of the app and its WebKit processes, with no model
    and, if --models DIR holds a .gguf, after the model reports ready.
Usage: xvfb-run -a python3 scripts/measure-startup.py APP_BINARY HOME [--models DIR] [--runs N]
  HOME/data/crossway is the data folder, e.g. made by
  `$CARGO_TARGET_DIR/release/examples/classroom lab HOME/data/crossway 1 1000`.
"""
import json, os, subprocess, sys, time, urllib.request, argparse, signal

def req(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=120) as resp:
        return json.loads(resp.read() or b"{}").get("value")

def find(base, css):
    try:
        return req("POST", f"{base}/element", {"using": "css selector", "value": css})
    except Exception:
        return None

def pss_kib(pids):
    total = 0
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total

def descendants(root):
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        try:
            kids = open(f"/proc/{p}/task/{p}/children").read().split()
        except OSError:
            kids = []
        for k in kids:
            out.append(int(k)); todo.append(int(k))
    return out

def names(pids):
    res = {}
    for p in pids:
        try:
            res[p] = open(f"/proc/{p}/comm").read().strip()
        except OSError:
            pass
    return res

def app_procs(driver_pid):
    """The app and every process under it (WebKit's web and network processes, their sandbox),
    not tauri-driver or WebKitWebDriver."""
    tree = names(descendants(driver_pid))
    return sorted(p for p, n in tree.items() if n != "WebKitWebDriver")

def run(app, home, models, port):
    env = dict(os.environ, XDG_DATA_HOME=f"{home}/data", XDG_CONFIG_HOME=f"{home}/config", XDG_CACHE_HOME=f"{home}/cache",
               CROSSWAY_MODELS_DIR=models or f"{home}/no-models", WEBKIT_DISABLE_COMPOSITING_MODE="1")
    drv = subprocess.Popen(["tauri-driver", "--port", str(port), "--native-port", str(port + 1)], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=1); break
            except Exception:
                time.sleep(0.1)
        t0 = time.monotonic()
        v = req("POST", f"http://127.0.0.1:{port}/session", {"capabilities": {"alwaysMatch": {"tauri:options": {"application": app}}}})
        base = f"http://127.0.0.1:{port}/session/{v['sessionId']}"
        t_session = time.monotonic() - t0
        while not find(base, ".learner-list .learner"):
            time.sleep(0.02)
        t_first = time.monotonic() - t0
        time.sleep(3)  # settle
        if os.environ.get("SHOW_TREE"):
            print(names(descendants(drv.pid)), file=sys.stderr)
        procs = app_procs(drv.pid)
        idle = pss_kib(procs)
        per = {names([p]).get(p, "?"): round(pss_kib([p]) / 1024, 1) for p in procs}
        loaded = None
        if models:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                st = req("POST", f"{base}/execute/sync", {"script": "return document.getElementById('tutor-status')?.dataset.state ?? null", "args": []})
                if st == "ready":
                    break
                time.sleep(0.2)
            time.sleep(2)
            procs = app_procs(drv.pid)
            loaded = pss_kib(procs)
        req("DELETE", base)
        return t_session, t_first, idle, loaded, per
    finally:
        drv.send_signal(signal.SIGTERM)
        try: drv.wait(10)
        except Exception: drv.kill()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("app"); ap.add_argument("home"); ap.add_argument("--models"); ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    for i in range(a.runs):
        s, f, idle, loaded, procs = run(a.app, a.home, a.models, 23000 + 2 * i)
        print(json.dumps({"run": i + 1, "session_s": round(s, 3), "first_screen_s": round(f, 3), "pss_mib_3s_after_first_screen": round(idle / 1024, 1),
                          "pss_mib_model_ready": None if loaded is None else round(loaded / 1024, 1), "processes": procs}))

main()
