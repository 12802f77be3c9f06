#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora into tests/fuzz/corpus/<target>/.

The seeds were made once with this script and are committed; run it again
(redis-server 7.0 on PATH) only to rebuild them. It starts a throwaway
redis-server on a free loopback port in a temporary directory and takes
from it what it wrote: small dump.rdb files (every type and encoding, with
expiries, compressed and not, encodings forced with tiny limits so each file
stays a few KB), DUMP payloads, the listpack and intset blobs inside them,
its replies in RESP2 and RESP3, and a multi-part AOF (manifest, RDB base,
incr file). Requests, config files and hand-made AOF cases are written out
here, taken from the unit tests' inputs (tests/wire/resp_test.c,
tests/core/config_test.c, tests/engine/aof_test.c).
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(ROOT, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def batch(seq, payload):
    """One batch of ringkv's direct AOF log: its header line and payload."""
    header = b"#ringkv-batch %016x %08x %08x\n" % (seq, len(payload), crc32c(payload))
    return header + payload


def padding_line(n):
    return b"#" + b" " * (n - 2) + b"\n"


def resp_command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Redis:
    """Just enough of a client: send a command, read one raw reply."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _need(self, n):
        while len(self.buf) < n:
            self.buf += self.sock.recv(65536)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _reply(self):
        """Returns (raw bytes, value)."""
        line = self._line()
        raw = line + b"\r\n"
        t, rest = line[:1], line[1:]
        if t in b"$=!":
            n = int(rest)
            if n < 0:
                return raw, None
            data = self._need(n + 2)
            return raw + data, data[:-2]
        if t in b"*%~>|":
            n = int(rest)
            if n < 0:
                return raw, None
            if t in b"%|":
                n *= 2
            items = []
            for _ in range(n):
                r, v = self._reply()
                raw += r
                items.append(v)
            if t == b"|":  # an attribute precedes the real reply
                r, v = self._reply()
                return raw + r, v
            return raw, items
        return raw, rest

    def call(self, *args):
        self.sock.sendall(resp_command(*args))
        return self._reply()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(workdir):
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", workdir,
         "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            return proc, Redis(port)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("redis-server did not start")


def tiny_limits(r):
    for name, value in [("hash-max-listpack-entries", 4), ("hash-max-listpack-value", 8),
                        ("zset-max-listpack-entries", 4), ("zset-max-listpack-value", 8),
                        ("set-max-intset-entries", 4), ("list-max-listpack-size", 4)]:
        r.call("CONFIG", "SET", name, value)


def default_limits(r):
    for name, value in [("hash-max-listpack-entries", 128), ("hash-max-listpack-value", 64),
                        ("zset-max-listpack-entries", 128), ("zset-max-listpack-value", 64),
                        ("set-max-intset-entries", 512), ("list-max-listpack-size", -2)]:
        r.call("CONFIG", "SET", name, value)


def fill(r, group):
    if group == "strings":
        r.call("SET", "s", "hello")
        r.call("SET", "int", "12345")
        r.call("SET", "neg", "-7")
        r.call("SET", "big", "9223372036854775807")
        r.call("SET", "zero-padded", "007")
        r.call("SET", "empty", "")
        r.call("SET", "long", "a" * 100)
        r.call("SET", "mix", ",".join(str(i) for i in range(60)))
        r.call("SET", "exp-ms", "v", "PX", "100000000")
        r.call("PEXPIREAT", "int", "4102444800123")
    elif group == "lists":
        r.call("RPUSH", "l", "a", "b", "3", "-4096", "70000", "x" * 70)
        r.call("RPUSH", "l-ints", *range(20))
        r.call("RPUSH", "l-long", "y" * 300, "tail")
        r.call("EXPIRE", "l", "100000")
    elif group == "hashes":
        r.call("HSET", "h", "f", "v", "n", "1")
        r.call("HSET", "h-table", *sum(([f"f{i}", str(i)] for i in range(6)), []))
        r.call("HSET", "h-long", "f", "x" * 20)
        r.call("PEXPIRE", "h", "5000000")
    elif group == "sets":
        r.call("SADD", "s-int", 1, 2, 3, -100000)
        r.call("SADD", "s-wide", 1, 5000000000)
        r.call("SADD", "s-table", "x", "y", "z")
        r.call("SADD", "s-big", *range(10))
    elif group == "zsets":
        r.call("ZADD", "z", "1.5", "m", "2", "n", "-inf", "lo")
        r.call("ZADD", "z-skip", *sum(([f"{i}.25", f"m{i}"] for i in range(6)), []))
        r.call("ZADD", "z-long", "3", "q" * 20)
        r.call("EXPIRE", "z", "200000")


GROUPS = ["strings", "lists", "hashes", "sets", "zsets"]


def dumps_and_payloads(r, workdir):
    dump = os.path.join(workdir, "dump.rdb")
    for limits in ["tiny", "default"]:
        tiny_limits(r) if limits == "tiny" else default_limits(r)
        for compression in ["yes", "no"]:
            r.call("CONFIG", "SET", "rdbcompression", compression)
            for group in GROUPS:
                r.call("FLUSHALL")
                fill(r, group)
                if compression == "yes" and limits == "tiny":
                    r.call("SELECT", 3)
                    r.call("SET", "in-db3", "v")
                    r.call("SELECT", 0)
                r.call("SAVE")
                with open(dump, "rb") as f:
                    write("rdb_file", f"{group}-{limits}-lzf-{compression}.rdb", f.read())
                if compression == "yes":
                    continue
                _, keys = r.call("KEYS", "*")
                for key in sorted(keys):
                    _, payload = r.call("DUMP", key)
                    name = key.decode()
                    write("rdb_value", f"{group}-{limits}-{name}", payload)
                    blobs(payload, f"{group}-{limits}-{name}")
    r.call("FLUSHALL")
    r.call("SAVE")
    with open(dump, "rb") as f:
        write("rdb_file", "empty.rdb", f.read())


def rdb_string(payload, at):
    """Reads an uncompressed RDB string at payload[at]; returns (bytes, end)."""
    b = payload[at]
    kind = b >> 6
    if kind == 0:
        n, at = b & 0x3F, at + 1
    elif kind == 1:
        n, at = ((b & 0x3F) << 8) | payload[at + 1], at + 2
    elif b == 0x80:
        n, at = struct.unpack(">I", payload[at + 1:at + 5])[0], at + 5
    else:
        return None, at
    return payload[at:at + n], at + n


def blobs(payload, name):
    """Keeps the listpack or intset blob a DUMP payload carries."""
    t = payload[0]
    if t in (16, 17, 20):
        blob, _ = rdb_string(payload, 1)
        if blob:
            write("listpack", name, blob)
    elif t == 11:
        blob, _ = rdb_string(payload, 1)
        if blob:
            write("intset", name, blob)
    elif t == 18:  # quicklist 2: node count, then container + listpack per node
        at = 2
        if payload[at] == 2:
            blob, _ = rdb_string(payload, at + 1)
            if blob:
                write("listpack", name, blob)


def replies(r):
    """Raw replies of every type, RESP2 then RESP3."""
    r.call("FLUSHALL")
    fill(r, "hashes")
    fill(r, "zsets")
    r.call("SET", "s", "hello")
    r.call("RPUSH", "l", "a", "b")
    commands = [("PING",), ("GET", "s"), ("GET", "missing"), ("INCR", "n"), ("LRANGE", "l", 0, -1),
                ("HGETALL", "h"), ("ZRANGE", "z", 0, -1, "WITHSCORES"), ("SMEMBERS", "nosuch"),
                ("NOSUCHCOMMAND",), ("EXISTS", "s"), ("ZSCORE", "z", "m"),
                ("BLPOP", "nothing", "0.01"), ("HRANDFIELD", "h", -3, "WITHVALUES")]
    for proto in [2, 3]:
        r.call("HELLO", proto)
        stream = b""
        for i, c in enumerate(commands):
            raw, _ = r.call(*c)
            write("resp_reply", f"resp{proto}-{c[0].lower()}-{i}", raw)
            stream += raw
        write("resp_reply", f"resp{proto}-pipeline", stream)
    raw, _ = r.call("HELLO", 3)
    write("resp_reply", "resp3-hello", raw)
    r.call("HELLO", 2)
    for name, raw in [("double", b",3.14\r\n"), ("inf", b",-inf\r\n"), ("bool", b"#t\r\n"),
                      ("null", b"_\r\n"), ("bignum", b"(3492890328409238509324850943850943825024385\r\n"),
                      ("verbatim", b"=15\r\ntxt:Some string\r\n"), ("bloberr", b"!21\r\nSYNTAX invalid syntax\r\n"),
                      ("set", b"~2\r\n+a\r\n:1\r\n"), ("push", b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n"),
                      ("attribute", b"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n"),
                      ("nested", b"*2\r\n*2\r\n*1\r\n*0\r\n:1\r\n%1\r\n+k\r\n~1\r\n_\r\n"),
                      ("nil-array", b"*-1\r\n"), ("nil-bulk", b"$-1\r\n")]:
        write("resp_reply", f"hand-{name}", raw)


def aof(r, workdir):
    """A multi-part AOF: RDB base, then an incr file with every kind of record."""
    r.call("FLUSHALL")
    default_limits(r)
    r.call("CONFIG", "SET", "appendonly", "yes")
    r.call("CONFIG", "SET", "aof-timestamp-enabled", "yes")
    for _ in range(100):
        _, info = r.call("INFO", "persistence")
        if b"aof_rewrite_in_progress:0" in info and b"aof_rewrite_scheduled:0" in info:
            break
        time.sleep(0.05)
    r.call("SET", "k", "v")
    r.call("SELECT", 2)
    r.call("RPUSH", "l", "a", "b")
    r.call("MULTI")
    r.call("INCR", "n")
    r.call("HSET", "h", "f", "v")
    r.call("EXEC")
    r.call("PEXPIRE", "l", "100000")
    r.call("DEL", "n")
    time.sleep(1.2)  # appendfsync everysec
    d = os.path.join(workdir, "appendonlydir")
    files = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            files[name] = f.read()
        if name.endswith(".manifest"):
            write("aof_manifest", "redis-7.0", files[name])
        else:
            write("aof_reader", "redis-7.0" + name.split("appendonly.aof")[1], files[name])
    # A single-file AOF with an RDB preamble (aof-use-rdb-preamble before 7.0).
    write("aof_reader", "rdb-preamble",
          files["appendonly.aof.1.base.rdb"] + files["appendonly.aof.1.incr.aof"])
    r.call("CONFIG", "SET", "appendonly", "no")


def hand_made():
    # RESP requests: byte 0 limits (bit 0 authenticated), byte 1 cut count, cut gaps, stream.
    streams = {
        "set-get": resp_command("SET", "k", "v") + resp_command("GET", "k"),
        "inline": b"PING\r\nset k \"a\\x41\\n\" 'it''s'\nGET k\n",
        "empty-multibulk": b"*0\r\n*-1\r\n*1\r\n$0\r\n\r\n",
        "mset": resp_command("MSET", *sum(([f"k{i}", "v" * i] for i in range(12)), [])),
        "bad-dollar": b"*2\r\n$3\r\nGET\r\n:1\r\n",
        "bad-count": b"*3x\r\n",
        "big-bulk": b"*1\r\n$20000\r\n" + b"x" * 100,
        "nul-inline": b"GET a\x00b\r\n",
        "unbalanced": b"SET \"k v\r\n",
        "auth": resp_command("AUTH", "secret") + resp_command("PING"),
    }
    for name, stream in streams.items():
        write("resp_request", name + "-auth-whole", bytes([1, 0]) + stream)
        cuts = bytes([1, 2, 3, 5, 8])
        write("resp_request", name + "-unauth-cut", bytes([0, len(cuts)]) + cuts + stream)
    write("resp_request", "tiny-bulk-max", bytes([5, 1, 4]) + resp_command("SET", "k", "x" * 200))

    # AOF files (tests/engine/aof_test.c's cases).
    cmds = resp_command("SELECT", "0") + resp_command("SET", "a", "1")
    write("aof_reader", "plain", cmds + resp_command("DEL", "a"))
    write("aof_reader", "annotations", b"#TS:1700000000\r\n" + cmds + b"#TS:1700000001\r\n")
    write("aof_reader", "multi-open", cmds + resp_command("MULTI") + resp_command("INCR", "n"))
    write("aof_reader", "multi-closed",
          resp_command("multi") + resp_command("INCR", "n") + resp_command("exec"))
    write("aof_reader", "truncated", cmds + b"*2\r\n$3\r\nDEL\r\n$1\r")
    write("aof_reader", "corrupt", cmds + b"*2\r\n$3\r\nDEL\r\nxx")
    # ringkv's direct log: batch header lines and 512-byte padding lines
    # (engine/aof_batch.h), whole, torn, with a hole, and with plain
    # records Redis appended after a batch.
    b1 = cmds
    b2 = resp_command("MULTI") + resp_command("INCR", "n") + resp_command("EXEC")
    b3 = resp_command("SET", "b", "2")
    pad = padding_line(512)
    write("aof_reader", "batched",
          batch(1, b1) + batch(2, b2) + batch(3, b3) + pad * 3)
    torn = bytearray(batch(2, b2))
    torn[-3] ^= 0x20
    write("aof_reader", "batched-torn", batch(1, b1) + bytes(torn) + pad)
    write("aof_reader", "batched-hole", batch(1, b1) + pad + batch(3, b3) + pad)
    write("aof_reader", "batched-then-plain", batch(1, b1) + resp_command("DEL", "a"))

    # Manifests.
    write("aof_manifest", "quoted",
          'file "a b.aof.1.base.rdb" seq 1 type b\n'
          "file 'appendonly.aof.1.incr.aof' seq 1 type i\n"
          'file "x\\x41\\n" seq 2 type i extra key\n'
          "# comment\n"
          "file appendonly.aof.3.base.aof seq 3 type h\n")
    write("aof_manifest", "crlf", "file appendonly.aof.1.base.rdb seq 1 type b\r\n")

    # Config files (tests/core/config_test.c's directives).
    write("config", "basic",
          "# comment\nport 7000\nbind 127.0.0.1 ::1\nsave 900 1 300 10\nsave \"\"\n"
          "maxmemory 1gb\nappendonly yes\nappendfsync always\ndir \"./data dir\"\n"
          "loglevel warning\nhz 20\nrequirepass 'se cret'\n")
    write("config", "limits",
          "client-output-buffer-limit normal 0 0 0 replica 256mb 64mb 60\n"
          "proto-max-bulk-len 1mb\nclient-query-buffer-limit 2gb\ndatabases 32\n"
          "hash-max-listpack-entries 4\nhash-max-ziplist-value 8\nlist-max-listpack-size -3\n"
          "zset-max-listpack-entries 2\nset-max-intset-entries 0\nactive-expire-effort 10\n")
    write("config", "misc",
          "maxmemory-policy allkeys-lfu\nenable-debug-command local\nappendfilename \"a.aof\"\n"
          "appenddirname dir\ndbfilename x.rdb\nprotected-mode no\nlazyfree-lazy-user-flush yes\n"
          "aof-use-rdb-preamble no\nauto-aof-rewrite-percentage 0\nlfu-log-factor 5\ntimeout 10\n")
    write("config", "bad-line", "port 6379\nnosuch-directive 1\n")


def main():
    if shutil.which("redis-server") is None:
        sys.exit("redis-server not found")
    hand_made()
    workdir = tempfile.mkdtemp(prefix="ringkv-seeds-")
    proc, r = start_server(workdir)
    try:
        dumps_and_payloads(r, workdir)
        replies(r)
        aof(r, workdir)
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
