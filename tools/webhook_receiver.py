#!/usr/bin/env python3
"""A webhook receiver for Lenscale's tests: fails the first N requests, then accepts.

Each request's signature (Lenscale-Signature: t=...,v1=HMAC-SHA256(secret, "t.body")) is checked;
every request is appended to --log as one JSON line {"status", "valid", "event_id", "body"}.
Prints the port it listens on (127.0.0.1, chosen by the OS) on stdout, then serves until killed.

Usage: tools/webhook_receiver.py --secret S --fail-first 3 --log /tmp/received.jsonl
"""
import argparse
import hashlib
import hmac
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--secret", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    lock = threading.Lock()
    state = {"requests": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            header = self.headers.get("Lenscale-Signature", "")
            parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
            expected = hmac.new(args.secret.encode(), f"{parts.get('t', '')}.".encode() + body, hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(expected, parts.get("v1", ""))
            with lock:
                state["requests"] += 1
                status = 503 if state["requests"] <= args.fail_first else (200 if valid else 401)
                with open(args.log, "a") as log:
                    log.write(json.dumps({"status": status, "valid": valid,
                                          "event_id": self.headers.get("Lenscale-Event-Id"),
                                          "body": body.decode()}) + "\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
