"""The Kubernetes manifests in deploy/ are valid and agree with the lenscale CLI.

kubectl --dry-run=client cannot check them here: it needs a reachable API server even for a
client-side dry run (it fetches the API's discovery document and OpenAPI schema first). So the
check is offline: every document against deploy/schema/kubernetes-subset.json (the fields we use,
closed, so a typo fails), then the cross-references a schema cannot express, and finally each
container's flags against the built `lenscale` binary's --help when one is there.
"""
from __future__ import annotations

import glob
import json
import os
import re
import subprocess

import jsonschema
import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(REPO, "deploy")


def documents():
    docs = []
    for path in sorted(glob.glob(os.path.join(DEPLOY, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            docs += [(os.path.basename(path), doc) for doc in yaml.safe_load_all(f) if doc is not None]
    return docs


def schema():
    with open(os.path.join(DEPLOY, "schema", "kubernetes-subset.json"), encoding="utf-8") as f:
        return json.load(f)


def pod_specs():
    for name, doc in documents():
        if doc["kind"] in ("Deployment", "Job"):
            yield name, doc, doc["spec"]["template"]["spec"]


def lenscale_binary():
    for candidate in (os.environ.get("LENSCALE_BIN"), os.path.join(REPO, ".build", "debug", "lenscale")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def test_the_three_workloads_are_there():
    kinds = {(doc["kind"], (doc["spec"]["template"]["spec"]["containers"][0].get("args") or [""])[0])
             for _, doc in documents() if doc["kind"] != "Service"}
    assert kinds == {("Deployment", "serve"), ("Deployment", "worker"), ("Job", "batch")}


def test_every_document_matches_the_schema():
    validator = jsonschema.Draft202012Validator(schema())
    for name, doc in documents():
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, f"{name} {doc['kind']}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_the_schema_catches_mistakes():
    validator = jsonschema.Draft202012Validator(schema())
    _, job = next((n, d) for n, d in documents() if d["kind"] == "Job")
    broken = json.loads(json.dumps(job))
    broken["spec"]["template"]["spec"]["containers"][0]["arg"] = ["batch"]  # misspelt field
    assert list(validator.iter_errors(broken))
    broken = json.loads(json.dumps(job))
    broken["spec"]["template"]["spec"]["restartPolicy"] = "Always"  # not allowed for a Job
    assert list(validator.iter_errors(broken))
    broken = json.loads(json.dumps(job))
    broken["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "two"
    assert list(validator.iter_errors(broken))


def test_selectors_match_their_pods():
    docs = documents()
    for name, doc in docs:
        if doc["kind"] == "Deployment":
            labels = doc["spec"]["template"]["metadata"]["labels"]
            assert doc["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
    pods = [doc["spec"]["template"]["metadata"]["labels"] for _, doc in docs if doc["kind"] == "Deployment"]
    for name, doc in docs:
        if doc["kind"] == "Service":
            assert sum(doc["spec"]["selector"].items() <= labels.items() for labels in pods) == 1, name


def test_probes_and_services_name_declared_ports():
    declared = []  # (pod labels, port names)
    for name, doc, spec in pod_specs():
        for container in spec["containers"]:
            ports = {p.get("name") for p in container.get("ports", [])}
            declared.append((doc["spec"]["template"]["metadata"].get("labels", {}), ports))
            for probe in ("readinessProbe", "livenessProbe"):
                port = container.get(probe, {}).get("httpGet", {}).get("port")
                if isinstance(port, str):
                    assert port in ports, f"{name}: {probe} uses undeclared port {port}"
    for name, doc in documents():
        if doc["kind"] == "Service":
            selector = doc["spec"]["selector"].items()
            for port in doc["spec"]["ports"]:
                if isinstance(port.get("targetPort"), str):
                    assert any(selector <= labels.items() and port["targetPort"] in ports for labels, ports in declared), \
                        f"{name}: no selected pod declares port {port['targetPort']}"


def flag(args, name):
    """The value of `--name=value` or `--name value` in a container's args, or None."""
    for index, arg in enumerate(args):
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
        if arg == f"--{name}" and index + 1 < len(args):
            return args[index + 1]
    return None


def test_probed_and_exposed_ports_listen_on_the_pod_address():
    """The kubelet probes the pod's IP, so a listener left on loopback never becomes ready."""
    for name, doc, spec in pod_specs():
        for container in spec["containers"]:
            args = container.get("args", [])
            ports = {p["name"]: p["containerPort"] for p in container.get("ports", []) if "name" in p}
            listeners = {}  # port number -> the host it binds
            if flag(args, "port") is not None:
                listeners[int(flag(args, "port"))] = flag(args, "host") or "127.0.0.1"
            if flag(args, "metrics-port") is not None:
                listeners[int(flag(args, "metrics-port"))] = flag(args, "metrics-host") or "127.0.0.1"
            for port_name, number in ports.items():
                assert number in listeners, f"{name}: port {port_name} ({number}) is declared but nothing listens on it"
                assert not listeners[number].startswith("127.") and listeners[number] != "localhost", \
                    f"{name}: port {port_name} ({number}) listens on {listeners[number]}, which probes and Services cannot reach"


def test_variables_in_args_are_defined_and_volumes_exist():
    for name, doc, spec in pod_specs():
        indexed = doc["kind"] == "Job" and doc["spec"].get("completionMode") == "Indexed"
        volumes = {v["name"] for v in spec.get("volumes", [])}
        for container in spec["containers"]:
            env = {e["name"] for e in container.get("env", [])} | ({"JOB_COMPLETION_INDEX"} if indexed else set())
            for arg in container.get("args", []):
                for variable in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", arg):
                    assert variable in env, f"{name}: {arg} uses ${variable}, which the container does not define"
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in volumes, f"{name}: mounts undeclared volume {mount['name']}"


def test_the_batch_job_shards_one_way_per_index():
    job = next(doc for _, doc in documents() if doc["kind"] == "Job")
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    args = container["args"]
    # The shard count the pods are told must be the number of indexes the Job runs.
    count = env.get("LENSCALE_SHARD_COUNT") or next(a.split("=", 1)[1] for a in args if a.startswith("--shard-count="))
    assert int(count) == spec["completions"]
    assert not any(a.startswith("--shard=") or a == "--shard" for a in args), "a fixed --shard would make every pod the same shard"
    out = next(a.split("=", 1)[1] for a in args if a.startswith("--out="))
    assert "$(JOB_COMPLETION_INDEX)" in out, "each shard needs its own output folder"


def test_flags_exist_in_the_cli():
    binary = lenscale_binary()
    if binary is None:
        pytest.skip("no lenscale binary (swift build) to check the flags against")
    for name, doc, spec in pod_specs():
        for container in spec["containers"]:
            args = container["args"]
            result = subprocess.run([binary, args[0], "--help"], capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, f"{name}: lenscale {args[0]} --help failed: {result.stderr}"
            assert f"USAGE: lenscale {args[0]}" in result.stdout, f"{name}: lenscale has no subcommand {args[0]}"
            for arg in args[1:]:
                if arg.startswith("--"):
                    flag = arg.split("=", 1)[0]
                    assert re.search(re.escape(flag) + r"\b", result.stdout), f"{name}: lenscale {args[0]} has no {flag}"
