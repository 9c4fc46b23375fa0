"""Probes a URL every 50 ms until a stop file appears; prints "<seconds> <status> <at>" a probe,
<at> being when it started, in seconds since the prober did.

One process for the whole phase, and a new connection for every probe (as a load balancer's
health check makes), so a probe's time is the server's accept and answer, not a process start.
A probe that fails or takes over 10 s takes 10 s, status 000.
"""
import http.client
import os
import sys
import time
import urllib.parse

url, stop = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2]
began = time.monotonic()
while not os.path.exists(stop):
    start = time.monotonic()
    try:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        connection.request("GET", url.path)
        status = connection.getresponse().status
        connection.close()
        print(f"{time.monotonic() - start:.4f} {status} {start - began:.2f}", flush=True)
    except OSError:
        print(f"10 000 {start - began:.2f}", flush=True)
    time.sleep(0.05)
