#!/usr/bin/env python3
"""The outage lab's clients: bounded, paced HTTP load from many loopback addresses.

Python standard library only. `--threads` workers send GET requests to nginx for
`--seconds` seconds at `--rate` requests per second in total, each request from one of
`--clients` source addresses 127.0.0.10, 127.0.0.11, ... (every 127.0.0.0/8 address is
local on Linux, so nginx logs real, distinct client addresses). A request that fails to
connect (nginx down) is counted and the worker waits for its next slot: the load never
spins (wrk, by contrast, retries a refused connection at once, in a loop that takes a whole
core while nginx is down). Prints a one-line summary of what the clients saw and exits by
itself.
"""

import argparse
import collections
import http.client
import random
import threading
import time

PATHS = [
    ("/api/orders?id={n}", 40),
    ("/api/items/{n}", 30),
    ("/api/cart", 15),
    ("/health", 15),  # answered by nginx itself, never proxied
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--rate", type=float, default=20.0, help="requests per second, in total")
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--clients", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    end = time.monotonic() + args.seconds
    interval = args.threads / args.rate
    seen = collections.Counter()
    lock = threading.Lock()
    paths = [p for p, w in PATHS for _ in range(w)]

    def worker(k):
        rng = random.Random(args.seed * 1000 + k)
        # Spread the workers' first requests over one interval.
        slot = time.monotonic() + interval * k / args.threads
        while True:
            now = time.monotonic()
            if slot > now:
                time.sleep(slot - now)
            if time.monotonic() >= end:
                return
            path = rng.choice(paths).format(n=rng.randint(1, 500))
            client = f"127.0.0.{10 + rng.randrange(args.clients)}"
            try:
                conn = http.client.HTTPConnection(
                    "127.0.0.1", args.port, timeout=args.timeout, source_address=(client, 0)
                )
                conn.request("GET", path, headers={"User-Agent": "hindsight-lab/1.0"})
                resp = conn.getresponse()
                resp.read()
                outcome = str(resp.status)
                conn.close()
            except ConnectionRefusedError:
                outcome = "refused"
            except OSError as e:  # timeouts, resets
                outcome = type(e).__name__
            with lock:
                seen[outcome] += 1
            # Next slot: exponential gaps around the mean, never catching up in a burst.
            slot = max(slot + rng.expovariate(1.0 / interval), time.monotonic())

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(seen.values())
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(seen.items()))
    print(f"load: {total} requests in {args.seconds:.0f} s ({detail})", flush=True)


if __name__ == "__main__":
    main()
