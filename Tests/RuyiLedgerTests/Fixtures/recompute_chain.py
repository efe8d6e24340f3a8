#!/usr/bin/python3
"""Recomputes a Ruyi ledger's hash chain the way the upstream server does, without any Ruyi code.

For each entry in seq order: the body must be canonical JSON (RFC 8785; our member names are ASCII, so Python's
sort_keys order is the RFC's UTF-16 order), its "seq" and "prev" must match, and
hash = SHA-256(previous hash || body). Prints "ok <entries> <head hex>" or "bad <seq> <reason>".
"""
import hashlib, json, sqlite3, sys

db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
prev = bytes(32)
n = 0
for seq, body, stored in db.execute("SELECT seq, body, hash FROM ledger_entry ORDER BY seq"):
    n += 1
    if seq != n:
        print(f"bad {n} missing"); sys.exit(1)
    obj = json.loads(body)
    canonical = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if canonical != bytes(body):
        print(f"bad {seq} not-canonical"); sys.exit(1)
    if obj["seq"] != seq or obj["prev"] != prev.hex() or obj["v"] != 1:
        print(f"bad {seq} envelope"); sys.exit(1)
    h = hashlib.sha256(prev + bytes(body)).digest()
    if h != bytes(stored):
        print(f"bad {seq} hash"); sys.exit(1)
    prev = h
print(f"ok {n} {prev.hex()}")
