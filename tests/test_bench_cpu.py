"""bench/web.py's CPU clock: each server's workers' CPU is counted to that server, none elsewhere."""

import os
import signal
import subprocess
import sys
import time

import pytest

from bench.web import CpuClock

BURN = "import sys, time\nend = time.process_time() + float(sys.argv[1])\nwhile time.process_time() < end:\n    pass"
# A "server": a parent process whose child (its "worker") burns the CPU, as gunicorn's master and workers.
SERVER = "import subprocess, sys\nsubprocess.run([sys.executable, '-c', sys.argv[1], sys.argv[2]], check=True)\n"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_a_servers_workers_cpu_is_counted_to_that_server_and_not_to_the_other():
    portal = subprocess.Popen([sys.executable, "-c", SERVER, BURN, "20"])
    baseline = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(20)"])
    try:
        clock = CpuClock({portal.pid: "portal", baseline.pid: "baseline"})
        time.sleep(0.5)  # the worker is running
        before = clock.read()
        time.sleep(1.0)
        after = clock.read()
    finally:
        for server in (portal, baseline):
            for pid, (parent, _name, _ticks) in CpuClock._processes().items():
                if parent == server.pid:
                    os.kill(pid, signal.SIGKILL)
            server.kill()
            server.wait()
    # The worker burned up to a second of CPU (less on a busy machine): all of it counted to the portal.
    assert after["portal"] - before["portal"] > 0.2
    assert after["baseline"] - before["baseline"] < 0.05
    assert after["load"] >= before["load"]


def test_cpu_a_request_is_each_groups_cpu_over_the_requests_sent():
    before = {"portal": 1.0, "baseline": 5.0, "database": 2.0, "load": 3.0}
    after = {"portal": 2.0, "baseline": 9.0, "database": 2.5, "load": 3.2}
    used = CpuClock.per_request(before, after, "portal", 100)
    assert used == pytest.approx({"web": 10.0, "database": 5.0, "load": 2.0})
    assert CpuClock.per_request(before, after, "baseline", 100)["web"] == pytest.approx(40.0)
    assert CpuClock.per_request(before, after, "portal", 0) is None
    assert CpuClock.per_request(None, after, "portal", 10) is None
