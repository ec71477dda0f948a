#!/usr/bin/env python3
"""Generate the committed network traces (tests/traces/*.txt), deterministically.

Format (Pensieve "cooked"): one line per 1 s interval, `<time_s> <throughput_mbps> [<ttfb_ms>]`.
File names carry the family: stable-2mbps.txt, markov-4g-07.txt, ...
Usage: python3 scripts/gen_traces.py [out_dir [seed]]   (no dependencies; seeded, so re-running
reproduces the committed files byte for byte). The default seed 20261125 wrote tests/traces/;
another seed gives a held-out set of the same families (tests/traces-heldout/ used 7).
"""
import os
import random
import sys

LENGTH = 700  # seconds: a 600 s VOD plus room for stalls (the simulator wraps longer sessions)


def write(out, name, rates, ttfb=None):
    with open(os.path.join(out, name + ".txt"), "w") as f:
        for t, r in enumerate(rates):
            r = max(0.0, r)
            if ttfb is None:
                f.write("%d %.4f\n" % (t, r))
            else:
                f.write("%d %.4f %d\n" % (t, r, ttfb[t]))


def noisy(rng, base, rel):
    return base * (1.0 + rng.uniform(-rel, rel))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "traces")
    os.makedirs(out, exist_ok=True)
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20261125
    rng = random.Random(seed)

    # Stable links with +-5% jitter.
    for mbps in (0.5, 1, 2, 4, 8):
        write(out, "stable-%smbps" % mbps, [noisy(rng, mbps, 0.05) for _ in range(LENGTH)])

    # One step down / up at a random time.
    for i in range(1, 6):
        hi = rng.choice([3.0, 4.0, 5.0, 6.0, 8.0])
        lo = rng.choice([0.8, 1.2, 1.5, 2.0])
        at = rng.randint(60, 400)
        write(out, "step-down-%02d" % i, [noisy(rng, hi if t < at else lo, 0.08) for t in range(LENGTH)])
    for i in range(1, 6):
        lo = rng.choice([0.8, 1.2, 1.5, 2.0])
        hi = rng.choice([3.0, 4.0, 5.0, 6.0, 8.0])
        at = rng.randint(60, 400)
        write(out, "step-up-%02d" % i, [noisy(rng, lo if t < at else hi, 0.08) for t in range(LENGTH)])

    # Slow ramps over minutes.
    for i in range(1, 4):
        a, b = rng.uniform(0.8, 1.5), rng.uniform(4.0, 7.0)
        write(out, "ramp-up-%02d" % i, [noisy(rng, a + (b - a) * t / LENGTH, 0.06) for t in range(LENGTH)])
    for i in range(1, 4):
        a, b = rng.uniform(4.0, 7.0), rng.uniform(0.8, 1.5)
        write(out, "ramp-down-%02d" % i, [noisy(rng, a + (b - a) * t / LENGTH, 0.06) for t in range(LENGTH)])

    # Markov-modulated cellular links: a state holds for a geometric time, then moves to a
    # neighbouring state; lognormal-ish noise inside a state.
    def markov(states, stay, n, start):
        s = start
        rates = []
        for _ in range(n):
            if rng.random() > stay:
                s = max(0, min(len(states) - 1, s + rng.choice([-1, 1])))
            rates.append(states[s] * rng.lognormvariate(0.0, 0.25))
        return rates

    for i in range(1, 9):
        write(out, "markov-3g-%02d" % i, markov([0.3, 0.6, 1.0, 1.5, 2.2, 3.0], 0.93, LENGTH, rng.randint(1, 4)))
    for i in range(1, 9):
        write(out, "markov-4g-%02d" % i, markov([1.0, 2.0, 3.5, 5.0, 8.0, 12.0], 0.95, LENGTH, rng.randint(1, 4)))

    # Sudden drops to 300 kbps for 10-40 s, a few times.
    for i in range(1, 7):
        base = rng.choice([3.0, 4.0, 5.0, 6.0])
        rates = [noisy(rng, base, 0.08) for _ in range(LENGTH)]
        for _ in range(rng.randint(1, 3)):
            at, dur = rng.randint(40, 600), rng.randint(10, 40)
            for t in range(at, min(LENGTH, at + dur)):
                rates[t] = noisy(rng, 0.3, 0.1)
        write(out, "drop-%02d" % i, rates)

    # Outages of 2-10 s (no throughput at all).
    for i in range(1, 7):
        base = rng.choice([2.5, 3.5, 4.5, 6.0])
        rates = [noisy(rng, base, 0.1) for _ in range(LENGTH)]
        for _ in range(rng.randint(2, 5)):
            at, dur = rng.randint(30, 650), rng.randint(2, 10)
            for t in range(at, min(LENGTH, at + dur)):
                rates[t] = 0.0
        write(out, "outage-%02d" % i, rates)

    # High latency: 600 ms time to first byte (+-100 ms).
    for i in range(1, 6):
        base = rng.choice([1.5, 2.5, 3.5, 4.5, 6.0])
        rates = [noisy(rng, base, 0.1) for _ in range(LENGTH)]
        write(out, "latency-%02d" % i, rates, [int(600 + rng.uniform(-100, 100)) for _ in range(LENGTH)])


if __name__ == "__main__":
    main()
