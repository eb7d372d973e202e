#!/usr/bin/env python3
"""Socket activation without systemd, for bench/faults.sh: holds a listening SOCK_SEQPACKET socket
at PATH (as netback.socket does) and runs netbackd with it as fd 3 (LISTEN_FDS=1,
LISTEN_FDNAMES=control, LISTEN_PID the daemon's own pid); on SIGHUP stops the daemon (SIGTERM, wait)
and starts the next one on the same socket, as `systemctl restart netback` does with the socket
unit. The socket outlives every daemon: a frontend connecting in between waits in its backlog.

    socket_hold.py --socket PATH --logs PREFIX -- NETBACKD [ARGS...]

Daemon N writes PREFIX-N.log; once it has exited, PREFIX-N.status holds its exit status. SIGTERM
or SIGINT stops the daemon and exits. PREFIX.pid holds the running daemon's pid.
"""
import argparse
import fcntl
import os
import signal
import socket
import subprocess
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--logs", required=True)
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if os.path.exists(a.socket):
        os.unlink(a.socket)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(a.socket)
    os.chmod(a.socket, 0o660)
    listener.listen(64)
    # Kept above fd 3 (where each daemon gets it): closing the child's copy must not close ours.
    high = fcntl.fcntl(listener.fileno(), fcntl.F_DUPFD_CLOEXEC, 10)
    listener.close()
    listener = socket.socket(fileno=high)
    waited = {signal.SIGHUP, signal.SIGTERM, signal.SIGINT, signal.SIGCHLD}
    signal.pthread_sigmask(signal.SIG_BLOCK, waited)  # taken with sigwaitinfo: no polling delay

    def start(n):
        os.dup2(listener.fileno(), 3, inheritable=True)
        with open(f"{a.logs}-{n}.log", "wb") as log:
            proc = subprocess.Popen(["sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh"] + command,
                                    env=dict(os.environ, LISTEN_FDS="1", LISTEN_FDNAMES="control"),
                                    stdout=log, stderr=subprocess.STDOUT, pass_fds=(3,),
                                    preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_SETMASK, []))
        os.close(3)
        with open(f"{a.logs}.pid.new", "w") as f:
            f.write(f"{proc.pid}\n")
        os.replace(f"{a.logs}.pid.new", f"{a.logs}.pid")
        return proc

    def record(n, status):
        with open(f"{a.logs}-{n}.status", "w") as f:
            f.write(f"{status if status >= 0 else 128 - status}\n")

    n = 1
    proc = start(n)
    while True:
        sig = signal.sigwaitinfo(waited).si_signo
        if sig == signal.SIGCHLD:
            if proc.poll() is not None:
                record(n, proc.returncode)
                print(f"socket_hold: netbackd exited by itself ({proc.returncode})", file=sys.stderr)
                return 1
            continue
        proc.send_signal(signal.SIGTERM)
        record(n, proc.wait())
        if sig != signal.SIGHUP:
            return 0
        n += 1
        proc = start(n)


if __name__ == "__main__":
    sys.exit(main())
