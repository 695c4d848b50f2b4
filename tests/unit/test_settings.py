"""Settings: declared once, parsed from options or environment, documented in the README."""

from __future__ import annotations

import dataclasses
import re

import pytest

from shkg.cli import _parser
from shkg.settings import Settings, env_name, markdown_table, option_name
from tests.support import ROOT


def test_readme_documents_every_setting_as_declared() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", readme, re.DOTALL)
    assert section, "README has no settings table"
    assert section.group(1) == markdown_table(), (
        "README settings table is stale: paste markdown_table()"
    )
    for item in dataclasses.fields(Settings):
        assert f"`{option_name(item.name)}`" in section.group(1)
        assert f"`{env_name(item.name)}`" in section.group(1)


def test_options_win_over_environment_over_defaults() -> None:
    settings = Settings.from_sources(
        {"query_timeout": 2.0},
        {
            "SHKG_QUERY_TIMEOUT": "7",
            "SHKG_PORT": "9000",
            "SHKG_FEDERATION_ALLOWLIST": "http://a/s, http://b/s",
            "SHKG_RATE_CONCURRENT": "",
            "SHKG_ACCESS_LOG": "off",
        },
    )
    assert settings.query_timeout == 2.0 and settings.port == 9000
    assert settings.federation_allowlist == ("http://a/s", "http://b/s")
    assert settings.rate_concurrent is None and settings.access_log is False
    assert Settings.from_sources({}, {}) == Settings()


def test_environment_round_trip() -> None:
    settings = Settings(
        port=1234, federation_allowlist=("http://x/sparql",), rate_query_seconds=1.5
    )
    assert Settings.from_sources({}, settings.to_environ()) == settings


def test_bad_value_names_the_setting() -> None:
    with pytest.raises(ValueError, match="--query-timeout / SHKG_QUERY_TIMEOUT"):
        Settings.from_sources({}, {"SHKG_QUERY_TIMEOUT": "soon"})


def test_off_on_the_command_line_turns_a_limit_off() -> None:
    # None means "not given" to an option; `off` must still win over a default that limits.
    args = _parser().parse_args(["serve", "--rate-concurrent", "off", "--rate-query-seconds", ""])
    settings = Settings.from_sources(vars(args), {})
    assert settings.rate_concurrent is None and settings.rate_query_seconds is None
    assert Settings.from_sources(vars(_parser().parse_args(["serve"])), {}).rate_concurrent == 2
