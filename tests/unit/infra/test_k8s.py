"""infra/k8s: every overlay rendered by kustomize (`kubectl kustomize`, offline), its core objects
validated strictly against the Kubernetes schema of a pinned version, and what the deployment rests
on checked object by object. KEDA's objects have no schema here: their required fields are checked
one by one."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from ingest.platform.broker import QUEUES
from ingest.platform.settings import Settings
from tests.support import services

REPO = Path(__file__).resolve().parents[3]
K8S = REPO / "infra" / "k8s"
OPERATIONS = REPO / "docs" / "operations.md"
RENDERS = ("base", "overlays/production", "overlays/small")
# The oldest Kubernetes the manifests are meant for; kubernetes-validate ships its schema.
K8S_VERSION = "1.32.0"
KEDA = {"ScaledObject", "TriggerAuthentication"}
WORKLOADS = {"Deployment", "Job"}
UID = 10001

Obj = dict[str, Any]


@functools.cache
def render(path: str) -> tuple[Obj, ...]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        services.unavailable("kubectl", "not on PATH (infra/setup --test installs it)")
    done = subprocess.run([kubectl, "kustomize", str(K8S / path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


@pytest.fixture(params=RENDERS)
def objects(request: pytest.FixtureRequest) -> tuple[Obj, ...]:
    return render(request.param)


def of_kind(objects: tuple[Obj, ...], kind: str) -> list[Obj]:
    return [o for o in objects if o["kind"] == kind]


def named(objects: tuple[Obj, ...], kind: str, name: str) -> Obj:
    found = [o for o in of_kind(objects, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod_spec(workload: Obj) -> Obj:
    spec: Obj = workload["spec"]["template"]["spec"]
    return spec


def containers(workload: Obj) -> Iterator[Obj]:
    spec = pod_spec(workload)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def workloads(objects: tuple[Obj, ...]) -> list[Obj]:
    return [o for o in objects if o["kind"] in WORKLOADS]


def consumed_queues(deployment: Obj) -> set[str]:
    args = pod_spec(deployment)["containers"][0]["args"]
    return set(args[args.index("--queues") + 1].split(",")) if "--queues" in args else set()


QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$")
SCALE = {None: 1.0, "m": 0.001, "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30}


def quantity(value: str | int) -> float:
    match = QUANTITY.match(str(value))
    assert match, f"unexpected quantity {value!r}"
    return float(match.group(1)) * SCALE[match.group(2)]


def test_every_render_has_the_deployables_and_core_objects_pass_the_schema(objects: tuple[Obj, ...]) -> None:
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    assert {("Deployment", f"bordereau-{c}") for c in ("api", "worker-daily", "worker-bulk", "beat")} <= names
    assert {("Job", "bordereau-migrate"), ("HorizontalPodAutoscaler", "bordereau-api"),
            ("Service", "bordereau-api"), ("ConfigMap", "bordereau")} <= names
    for obj in objects:
        if obj["kind"] in KEDA:
            continue
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {list(exc.path)}")


def test_overlays_set_their_own_namespace() -> None:
    namespaces = {path: {o["metadata"].get("namespace") for o in render(path)} for path in RENDERS[1:]}
    assert namespaces == {"overlays/production": {"bordereau"}, "overlays/small": {"bordereau-small"}}


def test_every_container_runs_non_root_on_a_read_only_root_with_requests_and_limits(
        objects: tuple[Obj, ...]) -> None:
    for workload in workloads(objects):
        where = workload["metadata"]["name"]
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == UID, where
        assert pod["automountServiceAccountToken"] is False, where
        mounted = {v["name"] for v in pod["volumes"]}
        for container in containers(workload):
            at = f"{where}/{container['name']}"
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, at
            assert security["allowPrivilegeEscalation"] is False and security["capabilities"]["drop"] == ["ALL"], at
            # The writable places the code uses: the data dir (spool, beat's schedule) and /tmp.
            paths = {m["mountPath"] for m in container["volumeMounts"]}
            assert {"/data", "/tmp"} <= paths and {m["name"] for m in container["volumeMounts"]} <= mounted, at
            resources = container["resources"]
            for kind in ("cpu", "memory"):
                request, limit = resources["requests"][kind], resources["limits"][kind]
                assert 0 < quantity(request) <= quantity(limit), f"{at}: {kind} {request} > {limit}"
            image = container["image"]
            assert ":" in image and not image.endswith(":latest"), f"{at}: image {image} has no pinned tag"


def test_the_api_is_probed_on_readyz_and_healthz_and_scaled_by_cpu(objects: tuple[Obj, ...]) -> None:
    api = named(objects, "Deployment", "bordereau-api")
    container = pod_spec(api)["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert ports[container["readinessProbe"]["httpGet"]["port"]] == ports[container["livenessProbe"]["httpGet"]["port"]]
    config = named(objects, "ConfigMap", "bordereau")["data"]
    assert int(config["BORDEREAU_API_PORT"]) == ports["http"] and config["BORDEREAU_API_HOST"] == "0.0.0.0"
    assert api["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    hpa = named(objects, "HorizontalPodAutoscaler", "bordereau-api")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "bordereau-api"}
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    service = named(objects, "Service", "bordereau-api")
    assert service["spec"]["selector"].items() <= api["spec"]["template"]["metadata"]["labels"].items()


def test_beat_is_one_replica_replaced_by_recreate_and_never_autoscaled(objects: tuple[Obj, ...]) -> None:
    beat = named(objects, "Deployment", "bordereau-beat")
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"] == {"type": "Recreate"}
    assert pod_spec(beat)["containers"][0]["args"] == ["beat"]
    targets = [o["spec"]["scaleTargetRef"]["name"] for o in objects
               if o["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")]
    assert "bordereau-beat" not in targets


def test_the_migration_job_runs_and_every_pod_waits_for_its_schema(objects: tuple[Obj, ...]) -> None:
    job = named(objects, "Job", "bordereau-migrate")
    migrate = pod_spec(job)["containers"][0]
    assert migrate["args"] == ["migrate"] and pod_spec(job)["restartPolicy"] == "Never"
    for deployment in of_kind(objects, "Deployment"):
        init = pod_spec(deployment)["initContainers"]
        assert [c["args"] for c in init] == [["migrate", "--check"]], deployment["metadata"]["name"]
        # The same release: the check compares the schema with this image's migrations.
        assert {c["image"] for c in containers(deployment)} == {migrate["image"]}


def test_disruption_budgets_select_running_pods(objects: tuple[Obj, ...]) -> None:
    pods = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"] for d in of_kind(objects, "Deployment")}
    covered = set()
    for pdb in of_kind(objects, "PodDisruptionBudget"):
        selector = pdb["spec"]["selector"]["matchLabels"]
        matched = [name for name, labels in pods.items() if selector.items() <= labels.items()]
        assert len(matched) == 1, f"{pdb['metadata']['name']} selects {matched}"
        assert pdb["spec"].get("maxUnavailable") == 1
        covered.update(matched)
    # Beat has none on purpose: a budget on its single replica would block every node drain.
    assert covered == set(pods) - {"bordereau-beat"}


def secret_references(objects: tuple[Obj, ...]) -> set[tuple[str, str | None]]:
    """(secret, key) pairs the render reads; key None for a whole Secret as environment."""
    refs: set[tuple[str, str | None]] = set()
    for workload in workloads(objects):
        for container in containers(workload):
            refs |= {(s["secretRef"]["name"], None) for s in container.get("envFrom", []) if "secretRef" in s}
            refs |= {(e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
                     for e in container.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}
        refs |= {(v["secret"]["secretName"], None) for v in pod_spec(workload).get("volumes", []) if "secret" in v}
    for auth in of_kind(objects, "TriggerAuthentication"):
        refs |= {(ref["name"], ref["key"]) for ref in auth["spec"]["secretTargetRef"]}
    return refs


def documented_secrets() -> dict[str, set[str]]:
    """Secrets the operator creates, as docs/operations.md's `kubectl create secret generic` says."""
    text = OPERATIONS.read_text()
    secrets: dict[str, set[str]] = {}
    # The command with its continuation lines (ending in a backslash).
    for name, rest in re.findall(r"kubectl (?:-n \S+ )?create secret generic (\S+)((?:[^\n]*\\\n)*[^\n]*)", text):
        secrets[name] = set(re.findall(r"--from-literal=(\w+)=", rest))
    return secrets


def test_every_secret_read_is_in_the_render_or_created_by_the_operator_as_documented(
        objects: tuple[Obj, ...]) -> None:
    in_render = {o["metadata"]["name"]: set(o.get("data", {}) | o.get("stringData", {}))
                 for o in of_kind(objects, "Secret")}
    known = {**documented_secrets(), **in_render}
    refs = secret_references(objects)
    assert refs, "the render reads no Secret"
    for name, key in refs:
        assert name in known, f"Secret {name} is neither in the render nor in docs/operations.md"
        assert key is None or key in known[name], f"Secret {name} has no key {key}"
    # The documented keys are settings the application reads.
    fields = {f"BORDEREAU_{f.upper()}" for f in Settings.model_fields}
    assert set().union(*known.values()) <= fields


def test_keda_scales_each_worker_on_a_queue_it_consumes(objects: tuple[Obj, ...]) -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind(objects, "Deployment")}
    auths = {a["metadata"]["name"]: a for a in of_kind(objects, "TriggerAuthentication")}
    watched = set()
    for scaled in of_kind(objects, "ScaledObject"):
        assert scaled["apiVersion"] == "keda.sh/v1alpha1"
        target = deployments[scaled["spec"]["scaleTargetRef"]["name"]]
        assert 1 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"]
        for trigger in scaled["spec"]["triggers"]:
            meta = trigger["metadata"]
            assert trigger["type"] == "rabbitmq" and meta["mode"] == "QueueLength" and int(meta["value"]) > 0
            assert meta["queueName"] in QUEUES and meta["queueName"] in consumed_queues(target)
            assert "host" not in meta, "the broker URL comes from the Secret, never from the manifest"
            auth = auths[trigger["authenticationRef"]["name"]]
            assert {ref["parameter"] for ref in auth["spec"]["secretTargetRef"]} == {"host"}
            watched.add(meta["queueName"])
    assert watched == {"daily", "bulk"}
    # Every queue has a consumer, ops included (the daily workers take beat's jobs).
    assert set().union(*(consumed_queues(d) for d in deployments.values())) == set(QUEUES)


def test_the_config_map_makes_valid_settings_in_quorum_mode(objects: tuple[Obj, ...],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    config = named(objects, "ConfigMap", "bordereau")["data"]
    # The queue names KEDA watches carry no prefix: quorum mode refuses one.
    assert "BORDEREAU_QUEUE_PREFIX" not in config
    for key, value in {**config, "BORDEREAU_BROKER_URL": "amqp://u:p@rabbitmq:5672/bordereau"}.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.queue_type == "quorum" and str(settings.data_dir) == "/data"
