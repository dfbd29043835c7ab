"""infra/Dockerfile, read statically (no container engine runs here or in CI): two stages, pinned
bases, the OCR tools in the runtime stage, a numeric non-root user that matches the Kubernetes
manifests, and the paths a read-only root filesystem leaves writable."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
DOCKERFILE = REPO / "infra" / "Dockerfile"
K8S_BASE = REPO / "infra" / "k8s" / "base"


@dataclass
class Stage:
    image: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def stages() -> list[Stage]:
    """The Dockerfile's stages, each with its instructions (continuation lines joined)."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        if keyword.upper() == "FROM":
            image, _, name = args.partition(" AS ")
            found.append(Stage(image.strip(), name.strip()))
        else:
            found[-1].instructions.append((keyword.upper(), " ".join(args.split())))
    return found


def test_two_named_stages_on_pinned_bases_and_the_wheels_alone_carried_over() -> None:
    build, runtime = stages()
    assert (build.name, runtime.name) == ("build", "runtime")
    for stage in (build, runtime):
        repo, _, tag = stage.image.partition(":")
        assert tag and tag != "latest" and "@" not in repo, stage.image
    assert any("pip wheel" in run for run in build.all("RUN"))
    assert runtime.all("COPY") == ["--from=build /wheels /wheels"]
    assert any("--no-index /wheels/" in run for run in runtime.all("RUN"))
    assert not runtime.all("ADD") and not build.all("ADD")


def test_the_runtime_has_tesseract_with_french_and_english_and_poppler() -> None:
    runtime = stages()[-1]
    install = " ".join(runtime.all("RUN"))
    for package in ("tesseract-ocr", "tesseract-ocr-fra", "tesseract-ocr-eng", "tesseract-ocr-deu", "tesseract-ocr-spa",
                    "tesseract-ocr-ita", "tesseract-ocr-nld", "poppler-utils", "fonts-dejavu-core", "ghostscript"):
        assert re.search(rf"(?<![\w-]){package}(?![\w-])", install), package
    assert "--no-install-recommends" in install and "rm -rf /var/lib/apt/lists/*" in install


def test_a_numeric_non_root_user_the_manifests_run_as() -> None:
    runtime = stages()[-1]
    user = runtime.all("USER")[-1]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit(), user
    manifests = [doc for path in K8S_BASE.glob("*.yaml") for doc in yaml.safe_load_all(path.read_text()) if doc]
    pods = [d["spec"]["template"]["spec"] for d in manifests if d["kind"] in ("Deployment", "Job")]
    assert pods and {p["securityContext"]["runAsUser"] for p in pods} == {int(uid)}
    assert {p["securityContext"]["runAsGroup"] for p in pods} == {int(gid)}


def test_the_entrypoint_is_the_command_and_the_writable_paths_are_volumes() -> None:
    runtime = stages()[-1]
    assert json.loads(runtime.all("ENTRYPOINT")[-1]) == ["bordereau"]
    assert set(json.loads(runtime.all("VOLUME")[-1])) == {"/data", "/tmp"}
    env = " ".join(runtime.all("ENV"))
    assert "BORDEREAU_DATA_DIR=/data" in env and "PYTHONDONTWRITEBYTECODE=1" in env
    assert not runtime.all("HEALTHCHECK")  # Kubernetes probes the API itself (infra/k8s/base/api.yaml)
