"""The pytest plugin: its fixtures, --swf-endpoint, and the swf_local_only marker, in a pytester run."""

from __future__ import annotations

import pytest

from awsflow.local import LocalSWF

pytest_plugins = ["pytester"]

USING_THE_FIXTURES = """
import pytest
from awsflow import WorkflowDefinition, execute, workflow_time

class Nap(WorkflowDefinition):
    @execute(version="1.0", execution_start_to_close_timeout=30 * 86400)
    def run(self, seconds):
        yield workflow_time.sleep(seconds)
        return seconds

def test_fixtures(swf_env, swf_client):
    assert swf_client is swf_env.client
    assert swf_client.describe_domain(name=swf_env.domain)["domainInfo"]["status"] == "REGISTERED"
    swf_env.start_workers(Nap)
    assert swf_env.run(Nap.run, 0) == 0

@pytest.mark.swf_local_only
def test_skips_time(swf_env):
    swf_env.start_workers(Nap)
    assert swf_env.run(Nap.run, 20 * 86400) == 20 * 86400
"""


def test_the_fixtures_work_in_process(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USING_THE_FIXTURES)
    result = pytester.runpytest_subprocess("-p", "awsflow.testing.pytest_plugin")
    result.assert_outcomes(passed=2)


def test_swf_endpoint_runs_the_same_tests_against_another_service(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # an endpoint's clients use botocore's chain
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    pytester.makepyfile(USING_THE_FIXTURES)
    with LocalSWF() as remote:
        result = pytester.runpytest_subprocess(
            "-p",
            "awsflow.testing.pytest_plugin",
            "--swf-endpoint",
            remote.endpoint_url,
            "--swf-domain",
            "shared",
            "-rs",
        )
        assert remote.client().describe_domain(name="shared")["domainInfo"]["name"] == "shared"
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*needs the in-process service's virtual clock*"])


def test_the_entry_point_is_named_after_the_plugin_module_so_dash_p_loads_it_once() -> None:
    import ast
    import importlib
    import importlib.metadata
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parents[2] / "setup.py").read_text())
    declared = [
        ast.literal_eval(keyword.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "entry_points"
    ]
    assert len(declared) == 1
    assert declared[0]["pytest11"] == ["awsflow.testing.pytest_plugin = awsflow.testing.pytest_plugin"]
    plugin = importlib.import_module("awsflow.testing.pytest_plugin")
    assert callable(plugin.swf_env) and callable(plugin.swf_client)
    installed = [
        ep for ep in importlib.metadata.entry_points(group="pytest11") if ep.value.startswith("awsflow")
    ]
    # An install made before the entry point existed lists none; any listed must be this one.
    assert all(ep.name == ep.value == "awsflow.testing.pytest_plugin" for ep in installed)


def test_an_installed_awsflow_gives_the_fixtures_without_any_configuration(pytester: pytest.Pytester) -> None:
    import importlib.metadata

    if not any(
        ep.name == "awsflow.testing.pytest_plugin" for ep in importlib.metadata.entry_points(group="pytest11")
    ):
        pytest.skip(
            "awsflow is not installed with its pytest11 entry point here (CI's pip install -e installs it)"
        )
    pytester.makepyfile(USING_THE_FIXTURES)
    result = pytester.runpytest_subprocess()  # no -p, no conftest, no ini file: the entry point alone
    result.assert_outcomes(passed=2)
