"""Worker process that indexes ticket ranges (`python -m integrations.sandbox.index_worker`).

Plain subprocesses rather than multiprocessing: they need neither `fork` (unsafe in a process
with threads) nor a re-import of the caller's `__main__` (which `spawn` does, and which breaks
unguarded scripts). The worker reads its job (`index.worker_job`) as JSON on stdin and writes
one encoded segment per range to stdout. Nothing imports this module; it only runs.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from integrations.sandbox.config import SandboxConfig
from integrations.sandbox.index import build_segment, encode_segment


def main() -> None:
    from integrations.sandbox.generator import simulator

    spec = json.loads(sys.stdin.buffer.read())
    config = SandboxConfig(
        seed=spec["seed"],
        agents=spec["agents"],
        tickets=spec["tickets"],
        months=spec["months"],
        email=spec["email"],
        end=datetime.fromtimestamp(spec["end"], UTC),
    )
    simulate = simulator(config, spec["end"]).simulate
    for first, last in spec["ranges"]:
        sys.stdout.buffer.write(encode_segment(build_segment(simulate, first, last)))
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
