"""Packaging for awsflow: the framework and its embedded SWF-compatible service."""

from setuptools import find_packages, setup

setup(
    name="awsflow",
    version="0.1.0.dev0",
    description="Durable, distributed workflows on Amazon SWF in the style of the AWS Flow Framework",
    long_description=open("README.rst", encoding="utf-8").read(),
    long_description_content_type="text/x-rst",
    packages=find_packages(include=["awsflow", "awsflow.*"]),
    package_data={"awsflow": ["py.typed"], "awsflow.ui": ["static/*"]},
    python_requires=">=3.10",
    install_requires=["botocore>=1.31"],
    # The awsflow command, and awsflow's pytest plugin (fixtures swf_env, swf_client;
    # --swf-endpoint), active once installed. The plugin's entry is named after its module, so
    # "-p awsflow.testing.pytest_plugin" loads it once.
    entry_points={
        "console_scripts": ["awsflow = awsflow.cli:console_main"],
        "pytest11": ["awsflow.testing.pytest_plugin = awsflow.testing.pytest_plugin"],
    },
    extras_require={
        # The workers' lean wire path decodes SWF's answers with orjson when it is installed
        # (a cold replay's history ~2x faster than the stdlib json it falls back to).
        "fast": ["orjson>=3.8"],
        "test": [
            "pytest>=7",
            "hypothesis>=6.80",
            "moto[server]>=5",
            "ruff>=0.5",
            "mypy>=1.8",
            # the reference the differential tests compare with (it pulls six, dill, retrying)
            "botoflow==0.8",
        ],
        # The documentation site (docs/): python -m sphinx -W -b html docs docs/_build/html.
        # pytest because the reference documents the pytest plugin, which imports it.
        "docs": ["sphinx>=7", "furo>=2024.1", "pytest>=7"],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
    ],
)
