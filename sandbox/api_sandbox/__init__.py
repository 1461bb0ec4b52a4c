"""api-sandbox: local HTTP emulators of the project's APIs, with deterministic data and faults."""

from api_sandbox.sandbox import Sandbox

__all__ = ["Sandbox"]
