"""No acknowledged write is lost: graceful shutdown under load (SIGTERM,
exit 0), a second signal (exit at once, status 1), and SIGKILL at random
moments while two clients ingest with --sync always. After each, a fresh
server on the same data directory holds every batch that got a 204.

ROUNDS (environment, default 10) sets the SIGKILL rounds; make test-long
runs 200."""
import os
import random
import signal
import threading
import time

import pytest
import requests

ROUNDS = int(os.environ.get("KILL_ROUNDS", "10"))


class Load:
    """Two writers posting numbered batches until stopped; acked: the ids of
    batches that got a 204."""

    def __init__(self, s, writers=2, lines=200, start=0):
        self.s, self.lines = s, lines
        self.acked, self.lock = [], threading.Lock()
        self.stop = threading.Event()
        self.next = start
        self.threads = [threading.Thread(target=self.run, args=(w,)) for w in range(writers)]

    def body(self, b):
        return "".join("load,w=b%d v=%di,b=%di %d\n" % (b % 7, i, b, b * 1000 + i + 1)
                       for i in range(self.lines))

    def run(self, w):
        sess = requests.Session()
        while not self.stop.is_set():
            with self.lock:
                b = self.next
                self.next += 1
            try:
                r = sess.post(self.s.url + "/write", params={"db": "db"}, data=self.body(b),
                              timeout=30)
            except requests.RequestException:
                time.sleep(0.01)
                continue
            if r.status_code == 204:
                with self.lock:
                    self.acked.append(b)
            elif r.status_code != 503:
                raise AssertionError("unexpected %d: %s" % (r.status_code, r.text))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *a):
        self.stop.set()
        for t in self.threads:
            t.join()


def check(s, acked, lines=200):
    """Every acked batch is complete; no batch is partly there."""
    r = s.sql("SELECT b, count(*) AS n FROM load GROUP BY b ORDER BY b")
    if not acked and r.status_code == 404:
        return
    assert r.status_code == 200, r.text
    have = {b: n for b, n in r.json()["rows"]}
    for b in acked:
        assert have.get(b) == lines, "batch %d: %s rows of %d" % (b, have.get(b), lines)
    for b, n in have.items():
        assert n == lines, "batch %d is partly there (%d rows): a batch commits whole" % (b, n)


def test_graceful_shutdown_under_load(make_server):
    s = make_server(pg=False)
    with Load(s) as load:
        time.sleep(1.5)
        rc = s.stop(expect=0)          # SIGTERM while the writers go on
        time.sleep(0.2)
    assert rc == 0
    assert "stopped" in s.output()
    acked = list(load.acked)
    assert len(acked) > 0
    s.start()
    check(s, acked)


def test_second_signal_exits_at_once(make_server):
    s = make_server(pg=False, args=["--memtable", "256M"])
    with Load(s) as load:
        time.sleep(1.0)
        s.proc.send_signal(signal.SIGTERM)
        s.proc.send_signal(signal.SIGTERM)
        rc = s.proc.wait(30)
        s.proc = None
        time.sleep(0.2)
    assert rc in (0, 1)
    acked = list(load.acked)
    s.start()
    check(s, acked)


def test_sigkill_rounds(make_server):
    rng = random.Random(11)
    s = make_server(pg=False)
    acked = []
    for rnd in range(ROUNDS):
        with Load(s, start=rnd * 100000) as load:
            time.sleep(rng.uniform(0.2, 1.2))
            s.kill()
            time.sleep(0.1)
        acked += load.acked
        s.start()
        check(s, acked)
