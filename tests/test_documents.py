"""Evidence documents (issue 13, section 4): type by content, size, a real ClamAV scan,
storage outside the web root, access-checked audited downloads, append-only rows carried
forward by corrections, and the closure pack with its manifest.

The virus tests talk to a real clamd (scripts/test and .ci/run start one with the
project's test signature, docs/documents.md); they fail, not skip, without it.
"""

import hashlib
import io
import json
import re
import zipfile

import pytest

from portal.documents import kinds, scanning
from portal.documents.service import SCANNER_DOWN
from portal.extensions import db
from portal.models import AuditEvent, ClosureSummary, Evidence, EvidenceDocument, Review
from tests import factories as f
from tests.test_evidence import attendance, durham  # noqa: F401  (the fixture)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 100 + b"This program cannot be run in DOS mode"
# The EICAR test file, put together here so that this source file is not itself flagged.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-" + "TEST-FILE!$H+H*").encode()

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORD = "application/vnd.ms-word.document.macroEnabled.main+xml"


def office(main_type, part="/word/document.xml", extra=None):
    """A minimal Office Open XML package whose [Content_Types].xml names `main_type`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                '2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="{part}" ContentType="{main_type}"/></Types>'
            ),
        )
        archive.writestr(part.lstrip("/"), "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(data, name, content_type="application/pdf"):
    return (io.BytesIO(data), name, content_type)


def stored_files(app):
    root = app.config["DOCUMENTS_DIR"]
    import pathlib

    return sorted(p.name for p in pathlib.Path(root).rglob("*") if p.is_file())


def rows(app, model):
    with app.app_context():
        return db.session.scalars(db.select(model).order_by(model.id)).all()


def actions(app, action):
    with app.app_context():
        return db.session.scalars(db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


@pytest.fixture(autouse=True)
def _empty_store(app):
    import shutil

    yield
    shutil.rmtree(app.config["DOCUMENTS_DIR"], ignore_errors=True)


@pytest.fixture
def settings(app):
    """Change the app's settings for one test."""
    saved = dict(app.config)
    yield app.config
    app.config.clear()
    app.config.update(saved)


def submit(client, durham, *files):
    data = attendance(durham.child) | {"documents": list(files)}
    return client.post(f"{durham.url}/new", data=data, content_type="multipart/form-data")


# ---------------------------------------------------------------- what a file is


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (office(WORD), "docx"),
        (office(EXCEL, "/xl/workbook.xml"), "xlsx"),
        (EXE, None),
        (b"plain text", None),
        (b"", None),
        (EICAR, None),
        (office(MACRO_WORD), None),  # macro-enabled Word (.docm) is refused
        (office(WORD)[:200], None),  # a broken ZIP
        (office("application/xml").replace(b"[Content_Types]", b"[Content_Typex]"), None),  # a ZIP, not Office
        (office(WORD, extra={"x": ""}).replace(b"<Types", b"<!DOCTYPE x [<!ENTITY a 'b'>]><Types"), None),
    ],
)
def test_a_files_type_is_judged_from_its_bytes(data, kind):
    assert kinds.sniff(data) == kind


def test_an_office_file_naming_two_main_parts_is_refused():
    both = office(WORD).replace(b"</Types>", f'<Override PartName="/x.xml" ContentType="{EXCEL}"/></Types>'.encode())
    assert kinds.sniff(both) is None


# ---------------------------------------------------------------- attaching


def test_a_partner_attaches_documents_kept_outside_the_web_root_by_checksum(app, client, people, durham):
    f.sign_in(client, people["partner"])
    response = submit(client, durham, upload(PDF, "letter.pdf"), upload(office(WORD), "report.docx", "text/plain"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    docs = rows(app, EvidenceDocument)
    assert [(d.kind, d.filename, d.size) for d in docs] == [
        ("pdf", "letter.pdf", len(PDF)),
        ("docx", "report.docx", len(office(WORD))),
    ]
    assert {d.sha256 for d in docs} == set(stored_files(app))
    assert docs[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert docs[0].scanned_with.startswith("ClamAV")
    evidence = rows(app, Evidence)[0]
    assert {d.evidence_id for d in docs} == {evidence.id}
    assert [a.detail for a in actions(app, "document.attach")] == [
        f"document {d.id} attached to evidence {evidence.id} v1" for d in docs
    ]
    assert not app.config["DOCUMENTS_DIR"].startswith(str(app.static_folder))


def test_the_same_words_with_the_same_files_are_not_saved_twice_and_other_files_are_new_evidence(
    app, client, people, durham
):
    """Chromium gives a form's files back when the back button fetches it again (with a fresh
    once-only key): Back and Submit sent the same letter twice, found walking the partner's journey.
    The same words are the same evidence with the very same files (by checksum, as many of each);
    with other files, or more, they are new evidence. Without files, the same words are refused as
    before."""
    f.sign_in(client, people["partner"])
    assert submit(client, durham, upload(PDF, "letter.pdf")).status_code == 302
    first = rows(app, Evidence)[0]

    again = submit(client, durham, upload(PDF, "letter-again.pdf"))  # the same bytes, another name
    assert again.status_code == 302
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "(the same period, values and statement, and the same files) was submitted already" in page
    assert [e.id for e in rows(app, Evidence)] == [first.id]
    assert [a.detail for a in actions(app, "evidence.submit-refused")] == [f"the same as evidence {first.id}"]
    assert len(rows(app, EvidenceDocument)) == 1

    assert submit(client, durham, upload(PNG, "photo.png")).status_code == 302  # another file: new evidence
    assert submit(client, durham, upload(PDF, "letter.pdf"), upload(PNG, "photo.png")).status_code == 302  # more
    assert len(rows(app, Evidence)) == 3
    assert submit(client, durham).status_code == 302  # no files: the same words as the first, refused
    assert len(rows(app, Evidence)) == 3
    assert len(actions(app, "evidence.submit-refused")) == 2


def test_a_pdf_that_is_really_a_program_is_refused_and_nothing_is_kept(app, client, people, durham):
    f.sign_in(client, people["partner"])
    response = submit(client, durham, upload(PDF, "fine.pdf"), upload(EXE, "minutes.pdf", "application/pdf"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in page and 'href="#documents"' in page
    assert "The selected file minutes.pdf must be a PDF" in page and "Its content was checked" in page
    assert "Choose them again" in page
    assert rows(app, Evidence) == [] and rows(app, EvidenceDocument) == [] and stored_files(app) == []


def test_a_file_over_the_size_limit_is_refused(app, client, people, durham, settings):
    settings["DOCUMENTS_MAX_FILE_BYTES"] = 1024
    f.sign_in(client, people["partner"])
    page = submit(client, durham, upload(PDF + b"\0" * 1024, "big.pdf")).get_data(as_text=True)
    assert "The selected file big.pdf must be smaller than 1 KB" in page
    assert rows(app, Evidence) == [] and stored_files(app) == []


def test_too_many_files_are_refused(app, client, people, durham, settings):
    settings["DOCUMENTS_MAX_FILES"] = 2
    f.sign_in(client, people["partner"])
    page = submit(client, durham, *[upload(PDF, f"{i}.pdf") for i in range(3)]).get_data(as_text=True)
    assert "Choose 2 files or fewer. You chose 3" in page
    assert rows(app, Evidence) == []


def test_a_request_over_the_limit_gets_a_page_naming_the_field_not_a_crash(app, client, people, durham, settings):
    settings["DOCUMENTS_MAX_REQUEST_BYTES"] = 64 * 1024
    f.sign_in(client, people["partner"])
    response = submit(client, durham, upload(PDF + b"\0" * 70 * 1024, "huge.pdf"))
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The files you attached are too large" in page and f'href="{durham.url}/new#documents"' in page
    assert "Nothing was saved" in page
    assert rows(app, Evidence) == [] and stored_files(app) == []


def test_other_forms_keep_the_small_limit(app, client, people, durham):
    f.sign_in(client, people["lead_professional"])
    big = "x" * (3 * 1024 * 1024)
    assert client.post("/families/new", data={"name": big}).status_code == 413


# ---------------------------------------------------------------- viruses (a real clamd)


def test_clamd_is_running_for_these_tests(app):
    scanner = scanning.Scanner.from_config(app.config, app.instance_path)
    assert scanner.ping(), "start clamd: scripts/test does (scripts/_setup.sh ensure_clamd)"


def test_the_eicar_test_file_is_refused_with_a_clear_message_and_nothing_kept(app, client, people, durham):
    f.sign_in(client, people["partner"])
    response = submit(client, durham, upload(PDF, "letter.pdf"), upload(EICAR, "scan.pdf"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#documents"' in page
    assert "The selected file scan.pdf contains a virus, so it was not saved. Nothing you attached was kept" in page
    assert rows(app, Evidence) == [] and rows(app, EvidenceDocument) == [] and stored_files(app) == []
    assert [a.detail for a in actions(app, "document.virus-refused")] == ["1 document refused virus found"]


def test_eicar_inside_a_word_file_is_found_too(app, client, people, durham):
    f.sign_in(client, people["partner"])
    page = submit(client, durham, upload(office(WORD, extra={"word/media/x.txt": EICAR}), "r.docx")).get_data(
        as_text=True
    )
    assert "The selected file r.docx contains a virus" in page
    assert stored_files(app) == []


def test_when_the_scanner_cannot_be_reached_uploads_are_refused(app, client, people, durham, settings, tmp_path):
    settings["CLAMD_SOCKET"] = str(tmp_path / "no-clamd-here.sock")
    f.sign_in(client, people["partner"])
    page = submit(client, durham, upload(PDF, "letter.pdf")).get_data(as_text=True)
    assert SCANNER_DOWN in page
    assert rows(app, Evidence) == [] and stored_files(app) == []
    # Evidence without documents does not need the scanner.
    assert submit(client, durham).status_code == 302


# ---------------------------------------------------------------- downloads


@pytest.fixture
def attached(app, client, people, durham):
    """Evidence with one PDF from the school's partner; the police are on the team too."""
    with app.app_context():
        f.attach(
            db.session.get(__import__("portal.models", fromlist=["Family"]).Family, durham.id),
            people["police"],
            people["lead_professional"],
        )
    f.sign_in(client, people["partner"])
    assert submit(client, durham, upload(PDF, "letter.pdf")).status_code == 302
    client.get("/sign-out")
    doc = rows(app, EvidenceDocument)[0]
    return f"{durham.url}/{doc.evidence_id}/documents/{doc.id}"


@pytest.mark.parametrize("role", ["partner", "lead_professional", "verifier"])
def test_a_document_downloads_as_an_attachment_never_inline_and_is_audited(app, people, attached, role):
    client = app.test_client()
    f.sign_in(client, people[role])
    response = client.get(attached)
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert [a.user_id for a in actions(app, "document.download")] == [people[role].id]


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("police_partner", "evidence.access-refused"),  # on the team, but another agency's evidence
        ("other_lead", "family.access-refused"),
        ("admin", "family.access-refused"),
        ("programme_manager", None),
    ],
)
def test_others_are_refused_a_document_and_the_refusal_is_audited(app, people, attached, who, refusal):
    with app.app_context():
        user = f.make_user("lead_professional") if who == "other_lead" else people[who]
    client = app.test_client()
    f.sign_in(client, user)
    response = client.get(attached)
    if refusal is None:  # programme managers read every family, as the evidence page does
        assert response.status_code == 200
        return
    assert response.status_code == 404
    assert response.data != PDF
    assert actions(app, "document.download") == []
    assert [a.user_id for a in actions(app, refusal)] == [user.id]


def test_a_document_of_other_evidence_is_not_found_under_this_evidence(app, client, people, durham, attached):
    f.sign_in(client, people["partner"])
    other_evidence = attendance(durham.child, statement="The autumn census, checked again.")
    assert client.post(f"{durham.url}/new", data=other_evidence).status_code == 302
    other = rows(app, Evidence)[-1]
    assert other.id != rows(app, Evidence)[0].id
    doc = rows(app, EvidenceDocument)[0]
    assert client.get(f"{durham.url}/{other.id}/documents/{doc.id}").status_code == 404


def test_a_document_whose_stored_bytes_changed_is_not_served(app, client, people, attached):
    import pathlib

    doc = rows(app, EvidenceDocument)[0]
    path = next(pathlib.Path(app.config["DOCUMENTS_DIR"]).rglob(doc.sha256))
    path.write_bytes(PDF + b"tampered")
    f.sign_in(client, people["partner"])
    response = client.get(attached)
    assert response.status_code == 500 and response.data != PDF + b"tampered"


# ---------------------------------------------------------------- append-only and corrections


def test_a_correction_brings_new_files_and_carries_chosen_ones_forward(app, client, people, durham):
    f.sign_in(client, people["partner"])
    assert submit(client, durham, upload(PDF, "a.pdf"), upload(PNG, "b.png")).status_code == 302
    first = rows(app, Evidence)[0]
    a, _b = rows(app, EvidenceDocument)
    with app.app_context():
        db.session.add(
            Review(evidence_id=first.id, decision="returned", reason="x", reviewed_by_id=people["lead_professional"].id)
        )
        db.session.commit()
    form = client.get(f"{durham.url}/{first.id}/correct").get_data(as_text=True)
    assert f'name="keep_document" type="checkbox" value="{a.id}" checked' in form
    data = attendance(durham.child) | {"keep_document": [str(a.id), "999999"], "documents": [upload(JPEG, "c.jpg")]}
    response = client.post(f"{durham.url}/{first.id}/correct", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    second = rows(app, Evidence)[-1]
    docs = rows(app, EvidenceDocument)
    by_version = {
        e: [(d.filename, d.carried_from_id) for d in docs if d.evidence_id == e] for e in (first.id, second.id)
    }
    assert by_version == {first.id: [("a.pdf", None), ("b.png", None)], second.id: [("a.pdf", a.id), ("c.jpg", None)]}
    carried = docs[2]
    assert (carried.sha256, carried.uploaded_by_id) == (a.sha256, a.uploaded_by_id)
    assert len(stored_files(app)) == 3  # the carried file is not stored twice
    page = client.get(f"{durham.url}/{second.id}").get_data(as_text=True)
    assert "Documents of version 1" in page and "Documents of version 2" in page


def test_documents_cannot_be_changed_or_deleted(app, client, people, durham):
    from portal.models.append_only import AppendOnlyError

    f.sign_in(client, people["partner"])
    submit(client, durham, upload(PDF, "a.pdf"))
    with app.app_context():
        doc = db.session.scalars(db.select(EvidenceDocument)).one()
        doc.filename = "other.pdf"
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()


# ---------------------------------------------------------------- the closure pack


@pytest.fixture
def accepted(app, client, people, durham):
    """Two evidence items with documents: one accepted (two files), one only submitted (one file)."""
    f.sign_in(client, people["partner"])
    assert (
        submit(
            client, durham, upload(PDF, "letter.pdf"), upload(office(EXCEL, "/xl/workbook.xml"), "marks.xlsx")
        ).status_code
        == 302
    )
    assert submit(client, durham, upload(PNG, "unreviewed.png")).status_code == 302
    client.get("/sign-out")
    first = rows(app, Evidence)[0]
    with app.app_context():
        db.session.add(Review(evidence_id=first.id, decision="accepted", reviewed_by_id=people["lead_professional"].id))
        db.session.commit()
    return first


def read_pack(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    return archive, json.loads(archive.read("manifest.json"))


def check_manifest_against_contents(app, archive, manifest, family_id):
    names = set(archive.namelist())
    listed = {d["file"] for d in manifest["documents"]}
    assert names == {manifest["summary"]["file"], "manifest.json", "manifest.txt", *listed}
    for d in manifest["documents"]:
        assert hashlib.sha256(archive.read(d["file"])).hexdigest() == d["sha256"]
    assert hashlib.sha256(archive.read(manifest["summary"]["file"])).hexdigest() == manifest["summary"]["sha256"]
    with app.app_context():
        summary = db.session.scalars(db.select(ClosureSummary).filter_by(family_id=family_id)).one()
        from portal.closure.snapshot import grouped

        assert manifest["summary"]["verification_code"] == grouped(summary.code)
    text = archive.read("manifest.txt").decode()
    assert manifest["summary"]["verification_code"] in text
    assert all(d["sha256"] in text and d["file"] in text for d in manifest["documents"])
    # Read by a person: times the GOV.UK way, evidence by its outcome (the JSON keeps ISO times and ids).
    assert not re.search(r"\d{4}-\d\d-\d\dT", text) and " UTC by " in text, text
    assert all(f"Evidence for outcome {d['outcome']}, version" in text for d in manifest["documents"])


def test_the_closure_pack_holds_the_summary_and_every_accepted_document_with_a_true_manifest(
    app, client, people, durham, accepted
):
    f.sign_in(client, people["lead_professional"])
    response = client.post(f"/families/{durham.id}/closure-pack")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    archive, manifest = read_pack(response.data)
    check_manifest_against_contents(app, archive, manifest, durham.id)
    partner = people["partner"]
    assert [
        (d["evidence_id"], d["type"], d["uploaded_by"], d["uploaded_by_agency"]) for d in manifest["documents"]
    ] == [
        (accepted.id, "pdf", partner.name, "Hillside Primary School"),
        (accepted.id, "xlsx", partner.name, "Hillside Primary School"),
    ]
    assert not any("unreviewed" in name for name in archive.namelist())
    assert [a.detail for a in actions(app, "closure.pack-built")] == ["closure pack with 2 documents"]


def test_a_large_closure_pack_is_built_as_a_background_job(app, client, people, durham, accepted, settings):
    settings["CLOSURE_PACK_SYNC_MAX_DOCUMENTS"] = 1
    f.sign_in(client, people["lead_professional"])
    response = client.post(f"/families/{durham.id}/closure-pack")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_page = response.headers["Location"]
    page = client.get(job_page).get_data(as_text=True)
    assert "Closure pack (ZIP)" in page
    download = client.get(job_page.rstrip("/") + "/file")
    assert download.status_code == 200, download.status_code
    archive, manifest = read_pack(download.data)
    assert len(manifest["documents"]) == 2
    check_manifest_against_contents(app, archive, manifest, durham.id)
    # Every detail recorded on the way holds ids and action words only (docs/developing.md).
    from portal.audit.details import is_safe

    with app.app_context():
        # Those this feature writes; the job service's own details (job.request, job.download and
        # the per-family download) carry the kind's title and file name, as for every kind.
        unsafe = [
            (e.action, e.detail)
            for e in rows(app, AuditEvent)
            if e.action.startswith(("document.", "closure.pack"))
            and e.action != "closure.pack-download"
            and not is_safe(e.detail)
        ]
        assert {e.action for e in rows(app, AuditEvent)} >= {"document.attach", "closure.pack"}
    assert unsafe == []
    # Only the lead professional who asked may download it.
    other = app.test_client()
    f.sign_in(other, people["verifier"])
    assert other.get(job_page.rstrip("/") + "/file").status_code == 404


@pytest.mark.parametrize("role", ["partner", "verifier", "programme_manager", "admin"])
def test_only_the_lead_professional_gets_the_closure_pack(app, client, people, durham, accepted, role):
    f.sign_in(client, people[role])
    response = client.post(f"/families/{durham.id}/closure-pack")
    assert response.status_code in (403, 404)
    assert rows(app, ClosureSummary) == []


def test_checking_against_the_plan_without_javascript_carries_files_but_keeps_none(app, client, people, durham):
    f.sign_in(client, people["partner"])
    form = client.get(f"{durham.url}/new?outcome=2.1").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'name="documents"' in form and "multiple" in form
    data = attendance(durham.child) | {"documents": [upload(PDF, "letter.pdf")]}
    response = client.post(f"{durham.url}/check", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert rows(app, Evidence) == [] and stored_files(app) == []
