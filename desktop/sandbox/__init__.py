"""A Kuaishou-compatible gateway on loopback, with one seeded demo shop (demo mode and tests).

    from desktop.sandbox import Sandbox, DEMO_CREDENTIALS
    with Sandbox(seed=7) as sb:           # serving on http://127.0.0.1:<ephemeral port>
        sb.base_url, sb.credentials       # point a client here, sign with credentials.sign_secret
        sb.advance(3600)                  # an hour later: due requests were auto-approved

It shares nothing with the client except :mod:`desktop.core.kuaishou.signing` and the API's JSON
shapes, so a bug in one cannot hide in the other. Qt-free.
"""

from desktop.sandbox.auth import DEMO_CREDENTIALS, SandboxCredentials
from desktop.sandbox.faults import KINDS as FAULT_KINDS
from desktop.sandbox.server import METHODS, Sandbox

__all__ = ["DEMO_CREDENTIALS", "FAULT_KINDS", "METHODS", "Sandbox", "SandboxCredentials"]
