"""The base of every tap in this project: secret redaction, fast output, a clear `--test`."""

from __future__ import annotations

import abc
import logging
from typing import Any

import click
from singer_sdk import Tap
from singer_sdk.helpers.capabilities import EMIT_ACTIVATE_VERSION_CONFIG
from singer_sdk.tap_base import CliTestOptionValue

from connector_kit.errors import ConnectorError
from connector_kit.output import BufferedSingerWriter
from connector_kit.redaction import protect_secrets
from connector_kit.settings import secret_values
from connector_kit.startup import TunedCommandLine


class ConnectorTap(TunedCommandLine, Tap, metaclass=abc.ABCMeta):
    """A Singer SDK tap whose secrets never reach a log and whose `--test` says what it did.

    Subclasses implement `check_connection`: the cheapest calls that prove the settings work.
    """

    message_writer_class = BufferedSingerWriter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        protect_secrets(secret_values(dict(self.config), self.config_jsonschema))

    @classmethod
    def append_builtin_config(cls, config_jsonschema: dict[str, Any]) -> None:
        """The SDK's built-in settings, and `emit_activate_version_messages`.

        The SDK reads that setting for the `activate-version` capability every tap declares,
        but does not list it among a tap's settings; listed here, `--about` and Meltano know it.
        """
        super().append_builtin_config(config_jsonschema)
        properties = config_jsonschema.setdefault("properties", {})
        for name, setting in EMIT_ACTIVATE_VERSION_CONFIG["properties"].items():
            properties.setdefault(name, setting)

    @abc.abstractmethod
    def check_connection(self) -> str:
        """Prove the settings work with the fewest calls; return what was found."""

    @classmethod
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        """`--test`: run `check_connection` and say clearly whether it passed."""
        if value != CliTestOptionValue.All.value:
            super().cb_test(ctx, param, value)
            return
        config = ctx.params.get("config")
        tap = cls(
            config=getattr(config, "config", None),
            parse_env_config=bool(getattr(config, "parse_env", False)),
            validate_config=True,
        )
        logger = logging.getLogger(cls.name)
        try:
            found = tap.check_connection()
        except ConnectorError as exc:
            logger.error("Connection test failed: %s", exc)
            ctx.exit(1)
        logger.info("Connection test passed: %s.", found)
        ctx.exit(0)
