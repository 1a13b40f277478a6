"""A local Zendesk Support look-alike, generated deterministically from a seed.

    from integrations.sandbox import SandboxConfig, start_sandbox

    with start_sandbox(SandboxConfig(seed=7, tickets=500), port=0) as sb:
        sb.url, sb.email, sb.token, sb.truth(), sb.stats()

The production Zendesk client talks to it over real HTTP; nothing is patched.
"""

from __future__ import annotations

from integrations.sandbox.config import SandboxConfig
from integrations.sandbox.faults import parse_faults
from integrations.sandbox.generator import Desk, generate_desk
from integrations.sandbox.handle import Sandbox, start_sandbox

__all__ = ["Desk", "Sandbox", "SandboxConfig", "generate_desk", "parse_faults", "start_sandbox"]
