#!/usr/bin/env python3
"""Turns bench/breakdown.sh's perf stat files into a per-packet table (markdown)."""
import json, re, statistics, sys

work, label = sys.argv[1], sys.argv[2]

def counts(path):
    c = {}
    for line in open(path):
        parts = line.strip().split(',')
        if len(parts) < 3 or not parts[0] or parts[0].startswith('<'):
            continue
        try:
            value = float(parts[0])
        except ValueError:
            continue
        c[parts[2].replace('syscalls:sys_enter_', '')] = value
    return c

def ping_packets():
    text = open(f'{work}/ping.out').read()
    m = re.search(r'(\d+) received', text)
    times = [float(t) for t in re.findall(r'time=([\d.]+) ms', text)]
    return int(m.group(1)) if m else 0, times

def udp_packets():
    j = json.load(open(f'{work}/udp64.out'))
    s = j['end']['sum']
    return int(s['packets'] - s.get('lost_packets', 0)), s

rows = []
n_ping, times = ping_packets()
n_udp, udp = udp_packets()
kinds = ['epoll_wait', 'epoll_pwait', 'readv', 'writev', 'read', 'write', 'io_uring_enter', 'futex', 'sendmsg', 'recvmsg']
print(f'### {label}\n')
if times:
    times.sort()
    print(f'ping: {n_ping} round trips, RTT median {statistics.median(times) * 1000:.0f} µs, '
          f'p99 {times[min(len(times) - 1, int(len(times) * 0.99))] * 1000:.0f} µs')
print(f'UDP 64 B: {n_udp} packets received ({udp.get("lost_percent", 0):.0f}% lost), '
      f'{n_udp / udp["seconds"] / 1000:.0f} kpps\n')
print('| workload | side | ' + ' | '.join(kinds) + ' | all syscalls | ctx switches | CPU µs |')
print('|---|---|' + '---:|' * (len(kinds) + 3))
for name, n in (('ping', n_ping), ('udp64', n_udp)):
    for side in ('netfront', 'netbackd'):
        c = counts(f'{work}/{name}-{side}.csv')
        per = lambda k: c.get(k, 0) / n if n else 0
        total = sum(c.get(k, 0) for k in kinds)
        print(f'| {name} | {side} | ' + ' | '.join(f'{per(k):.2f}' for k in kinds) +
              f' | {total / n if n else 0:.2f} | {per("context-switches"):.2f} | {c.get("task-clock", 0) * 1000 / n if n else 0:.1f} |')
print('\nPer packet: a ping packet is one round trip (request and reply); a UDP packet is one the host received.')
