"""Uploading in a real browser: files dropped on the page (and a folder's), each file's progress, a
refused file said in a sentence, the batches followed live; an upload whose connection drops after
the service received it is sent again under the same key and gives one batch, not two; a reload
resumes without sending twice."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import Service, assert_accessible
from tests.e2e.people import email_of, new_dossier, sign_in_first_time
from tests.support.files import text_pdf

Shoot = Callable[[Page, str], Path]

# Drops files on the page's drop zone as a person's drag and drop does: a DataTransfer holding them,
# its items' entries under a folder when `folder` is given.
DROP = """([selector, files]) => {
  const transfer = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
    transfer.items.add(new File([bytes], f.name, {type: f.type, lastModified: f.modified}));
  }
  const zone = document.querySelector(selector);
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
}"""


def _files(*named: tuple[str, bytes, str]) -> list[dict[str, str]]:
    # A fixed modification time, as files dropped again from a disk have.
    return [{"name": n, "data": base64.b64encode(b).decode(), "type": t, "modified": 1764547200000}
            for n, b, t in named]


def _batches(service: Service, key: str, dossier: str) -> list[dict]:  # type: ignore[type-arg]
    resp = httpx.get(f"{service.url}/v1/batches", params={"dossier_id": dossier},
                     headers={"Authorization": f"Bearer {key}"})
    return list(resp.json()["items"])


def test_drop_files_see_each_progress_a_refusal_and_the_batch_processed(service: Service, page: Page,
                                                                        shoot: Shoot) -> None:
    account = service.new_account("Cabinet Garnier")
    dossier = new_dossier(service, account, "SARL Garnier Frères")
    sign_in_first_time(page, service, email_of(service, account), str(account.initial_password))
    page.goto(f"{service.url}/app/")
    page.get_by_role("link", name="Déposer des factures dans SARL Garnier Frères").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déposer des factures")
    expect(page.get_by_label("Dossier client")).to_have_value(dossier)
    assert_accessible(page)
    shoot(page, "upload-empty")

    page.evaluate(DROP, ["#drop", _files(
        ("facture-001.pdf", text_pdf("Facture 001\nTotal TTC 1 234,56 EUR"), "application/pdf"),
        ("facture-002.pdf", text_pdf("Facture 002\nTotal TTC 99,00 EUR"), "application/pdf"),
        ("notes.txt", b"pas une facture", "text/plain"),
        ("vide.pdf", b"", "application/pdf"))])
    rows = page.locator("#chosen-rows tr")
    expect(rows).to_have_count(4)
    expect(page.get_by_text("3 fichier(s) à envoyer")).to_be_visible()
    expect(rows.filter(has_text="vide.pdf")).to_contain_text("fichier vide")
    shoot(page, "upload-chosen")

    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_contain_text("Envoi terminé : 3 fichier(s) en 1 dépôt(s)", timeout=30_000)
    for name in ("facture-001.pdf", "facture-002.pdf", "notes.txt"):
        row = rows.filter(has_text=name)
        expect(row).to_contain_text("reçu par le service")
        assert row.locator("progress").evaluate("p => p.value") == 100
    # The batch as its page shows it, live: the text file refused in a sentence, the invoices processed.
    result = page.locator("#result-batches")
    expect(result.get_by_text(re.compile(r"2 traités, 0 refusés, 0 en échec, 0 en attente sur 2"))).to_be_visible(
        timeout=60_000)
    expect(result.get_by_role("listitem").filter(has_text="notes.txt")).to_contain_text("ni un PDF")
    assert_accessible(page)
    shoot(page, "upload-done")
    batches = _batches(service, account.api_key, dossier)
    assert len(batches) == 1 and sum(batches[0]["counts"].values()) == 2


def test_a_dropped_connection_is_sent_again_under_its_key_and_gives_one_batch(service: Service, page: Page,
                                                                              shoot: Shoot) -> None:
    account = service.new_account("Cabinet Perrin")
    dossier = new_dossier(service, account, "SAS Perrin")
    sign_in_first_time(page, service, email_of(service, account), str(account.initial_password))
    keys: list[str] = []

    def lose_the_answer_once(route: Route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()  # the service receives the files and creates the batch ...
            route.abort("connectionreset")  # ... but the browser never hears of it
        else:
            route.continue_()

    page.route("**/v1/batches", lose_the_answer_once)
    page.goto(f"{service.url}/app/upload?dossier={dossier}")
    page.evaluate(DROP, ["#drop", _files(("perrin.pdf", text_pdf("Facture Perrin"), "application/pdf"))])
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_contain_text("Envoi terminé", timeout=30_000)
    assert len(keys) == 2 and keys[0] == keys[1]
    assert len(_batches(service, account.api_key, dossier)) == 1
    shoot(page, "upload-after-dropped-connection")


def test_after_a_reload_the_same_files_resume_without_sending_twice(service: Service, page: Page,
                                                                    shoot: Shoot) -> None:
    account = service.new_account("Cabinet Marchand")
    dossier = new_dossier(service, account, "SARL Marchand")
    sign_in_first_time(page, service, email_of(service, account), str(account.initial_password))
    files = _files(*[(f"m-{i:03}.pdf", text_pdf(f"Facture {i}"), "application/pdf") for i in range(5)])
    page.goto(f"{service.url}/app/upload?dossier={dossier}")
    # Parts of 2 files: the second part's sending never comes back, and the person reloads the page.
    page.route("**/v1/batches", lambda route: route.continue_() if _part(route) == 0 else route.abort("failed"))
    _small_parts(page, 2)
    page.evaluate(DROP, ["#drop", files])
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_contain_text("La connexion est coupée", timeout=30_000)
    assert len(_batches(service, account.api_key, dossier)) == 1

    page.unroute("**/v1/batches")
    page.reload()
    expect(page.locator("#resume-notice")).to_contain_text("Un envoi de 5 fichier(s) a été interrompu")
    shoot(page, "upload-resume-notice")
    _small_parts(page, 2)
    page.evaluate(DROP, ["#drop", files])
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("status")).to_contain_text("Envoi terminé : 5 fichier(s) en 3 dépôt(s)", timeout=30_000)
    expect(page.locator("#chosen-rows tr").filter(has_text="déjà reçu")).to_have_count(2)
    batches = _batches(service, account.api_key, dossier)
    assert sorted(sum(b["counts"].values()) for b in batches) == [1, 2, 2]


def _part(route: Route) -> int:
    return int(route.request.headers["idempotency-key"].rsplit("-", 1)[1])


def _small_parts(page: Page, files: int) -> None:
    """Parts of `files` files, so that a few small files make several parts (the page reads the
    size of a part from its settings when it sends)."""
    page.evaluate("""(n) => {
      const node = document.getElementById('upload-settings');
      const s = JSON.parse(node.textContent); s.partFiles = n; node.textContent = JSON.stringify(s);
    }""", files)
