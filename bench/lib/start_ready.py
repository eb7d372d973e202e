#!/usr/bin/env python3
"""netbackd's start to READY=1: the time from exec to the sd_notify READY=1 it sends once its
control socket accepts, read on a datagram socket named by NOTIFY_SOCKET as systemd would.

    start_ready.py [--runs N] [--inherited] [--json FILE] [--show-output] -- NETBACKD [ARGS...]

Each run starts NETBACKD with its sockets and state in a fresh temporary directory (--socket,
--admin-socket, --Netback:StateDirectory are appended), waits for READY=1, stops it with SIGTERM
and checks it exits 0. --inherited hands it the control socket as systemd's socket unit does (a
listening SOCK_SEQPACKET socket as fd 3, LISTEN_FDS=1, LISTEN_FDNAMES=control, LISTEN_PID set by
the shell that execs it). Prints one line per run and the median; --json writes every run.
"""
import argparse
import fcntl
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def above_3(sock):
    """The same socket on an fd above 3: fd 3 is where the daemon gets its inherited socket, and
    putting it there (then closing our copy) must not close one of ours."""
    high = fcntl.fcntl(sock.fileno(), fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(sock.detach())
    return socket.socket(fileno=high)


def cpu_time_ms(pid):
    """User + system CPU the process used so far (all its threads), from /proc: unlike the wall
    time, hardly changed by other load on the machine."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def one_run(command, inherited, timeout_s=30.0):
    with tempfile.TemporaryDirectory(prefix="netback-ready-") as d:
        notify_path = os.path.join(d, "notify")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        notify.bind(notify_path)
        notify = above_3(notify)
        sock_path = os.path.join(d, "ctl.sock")
        args = command + ["--socket", sock_path, "--admin-socket", os.path.join(d, "admin.sock"),
                          "--Netback:StateDirectory", os.path.join(d, "state")]
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        listener = None
        pass_fds = ()
        if inherited:
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            listener.bind(sock_path)
            listener.listen(64)
            listener = above_3(listener)
            os.dup2(listener.fileno(), 3, inheritable=True)
            pass_fds = (3,)
            env.update(LISTEN_FDS="1", LISTEN_FDNAMES="control")
            # LISTEN_PID must be the daemon's own pid: the shell's, which exec keeps.
            args = ["sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh"] + args
        t0 = time.monotonic()
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, pass_fds=pass_fds)
        if inherited:
            os.close(3)
        ready_ms = cpu_ms = None
        notify.settimeout(0.1)
        try:
            while time.monotonic() - t0 < timeout_s:
                try:
                    data = notify.recv(4096)
                except socket.timeout:
                    if proc.poll() is not None:
                        break
                    continue
                if b"READY=1" in data.split(b"\n"):
                    ready_ms = (time.monotonic() - t0) * 1000.0
                    cpu_ms = cpu_time_ms(proc.pid)
                    break
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                out, _ = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            notify.close()
            if listener is not None:
                listener.close()
        return ready_ms, cpu_ms, proc.returncode, out.decode(errors="replace")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--inherited", action="store_true")
    p.add_argument("--json")
    p.add_argument("--show-output", action="store_true", help="print the daemon's output of every run")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not command:
        p.error("no netbackd command given")
    runs = []
    for i in range(a.runs):
        ready_ms, cpu_ms, status, out = one_run(command, a.inherited)
        runs.append({"run": i + 1, "ready_ms": ready_ms, "cpu_ms": cpu_ms, "exit_status": status})
        shown = "no READY=1" if ready_ms is None else f"{ready_ms:.1f} ms ({cpu_ms:.0f} ms CPU)"
        print(f"run {i + 1}: start to READY=1 {shown}, exit status {status}", flush=True)
        if a.show_output or ready_ms is None or status != 0:
            sys.stderr.write(out[-2000:])
    good = [r["ready_ms"] for r in runs if r["ready_ms"] is not None and r["exit_status"] == 0]
    median = statistics.median(good) if good else None
    cpus = [r["cpu_ms"] for r in runs if r["ready_ms"] is not None and r["exit_status"] == 0 and r["cpu_ms"] is not None]
    cpu_median = statistics.median(cpus) if cpus else None
    print(f"median start to READY=1: {'n/a' if median is None else f'{median:.1f} ms'}, "
          f"CPU {'n/a' if cpu_median is None else f'{cpu_median:.0f} ms'} "
          f"({len(good)} of {len(runs)} runs; load average {os.getloadavg()[0]:.2f})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"inherited": a.inherited, "median_ms": median, "cpu_median_ms": cpu_median, "runs": runs}, f)
    return 0 if len(good) == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
