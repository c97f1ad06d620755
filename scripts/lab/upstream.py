#!/usr/bin/env python3
"""The outage lab's upstream: a small JSON API behind nginx's proxy_pass.

Python standard library only (ThreadingHTTPServer). It answers every GET at once, unless
the control file exists and says `slow`: then each answer takes a random 0.6 to 2.5 s,
longer than the lab's `proxy_read_timeout` most of the time (nginx answers 504), shorter
some of the time (a slow 200). The lab creates and removes the control file to start and
end the fault, so no signal or restart is needed.
"""

import argparse
import json
import os
import random
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--control", required=True, help="file that makes answers slow when it says `slow`")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    def slow():
        try:
            with open(args.control, encoding="utf-8") as f:
                return f.read().strip() == "slow"
        except FileNotFoundError:
            return False

    class Handler(BaseHTTPRequestHandler):
        server_version = "lab-upstream/1.0"

        def do_GET(self):
            if slow():
                time.sleep(rng.uniform(0.6, 2.5))
            body = json.dumps({"path": self.path, "ok": True}).encode() + b"\n"
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # nginx gave up waiting (proxy_read_timeout)

        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 128

    server = Server(("127.0.0.1", args.port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"upstream: pid {os.getpid()} listening on 127.0.0.1:{args.port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
