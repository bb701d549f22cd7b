"""The fixity check: every master's SHA-256 recomputed and compared with the one recorded at upload."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from collection.images import inspect_upload
from collection.management.commands.verify_fixity import Command
from collection.models import add_images, image_storage
from collection.models.images import delete_image

from . import imaging
from .factories import RecordFactory

pytestmark = pytest.mark.django_db


def attach(record, data: bytes, name: str):
    return add_images(record, inspect_upload(imaging.upload(data, name), name))


def flip_byte(name: str, position: int) -> None:
    path = image_storage().path(name)
    with open(path, "r+b") as handle:
        handle.seek(position)
        byte = handle.read(1)
        handle.seek(position)
        handle.write(bytes([byte[0] ^ 0x01]))


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_fixity", *args, stdout=out)
    return out.getvalue()


def test_intact_masters_pass():
    record = RecordFactory()
    attach(record, imaging.jpeg(), "a.jpg")
    attach(record, imaging.multipage_tiff(3), "b.tif")
    output = run("--verbosity", "2")
    assert "2 master file(s) checked, 0 failed." in output, "a multi-page TIFF is one file"
    assert output.count("OK ") == 2


def test_flipped_byte_is_reported_and_exits_non_zero():
    [image] = attach(RecordFactory(), imaging.png(), "page.png")
    other = attach(RecordFactory(), imaging.jpeg(), "fine.jpg")[0]
    flip_byte(image.master.name, image.size // 2)
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_fixity", stdout=out)
    assert excinfo.value.returncode == 1
    assert "2 master file(s) checked, 1 failed." in str(excinfo.value)
    report = out.getvalue()
    assert f"CHANGED  {image.master.name}" in report
    assert f"images: {image.pk}" in report and image.sha256 in report
    assert other.master.name not in report


def test_missing_file_is_reported():
    [image] = attach(RecordFactory(), imaging.jpeg(), "lost.jpg")
    image_storage().delete(image.master.name)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_fixity", stdout=out)
    assert f"MISSING  {image.master.name}" in out.getvalue()


def test_replaced_masters_are_checked_too():
    [image] = attach(RecordFactory(), imaging.jpeg(), "old.jpg")
    old_name = image.master.name
    image.replace_master(inspect_upload(imaging.upload(imaging.png(), "new.png"), "new.png"))
    assert "2 master file(s) checked, 0 failed." in run()
    flip_byte(old_name, 10)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_fixity", stdout=out)
    assert f"CHANGED  {old_name} (images: none (replaced master kept in history)" in out.getvalue()


def test_exit_status_from_the_command_line(capsys):
    [image] = attach(RecordFactory(), imaging.jpeg(), "cli.jpg")
    flip_byte(image.master.name, image.size - 3)
    with pytest.raises(SystemExit) as excinfo:
        Command().run_from_argv(["manage.py", "verify_fixity"])
    assert excinfo.value.code == 1
    assert "1 failed" in capsys.readouterr().err


def test_no_masters_is_a_pass():
    assert "0 master file(s) checked, 0 failed." in run()


@pytest.mark.parametrize(("language", "summary", "images"), [
    ("ru", "Проверено мастер-файлов: 3, с ошибками: 2.", "(изображения: "),
    ("ja", "3 件のマスターファイルを検査し、2 件に問題がありました。", "（画像："),
])
def test_report_in_the_site_language(language, summary, images):
    # The site's language (LANGUAGE_CODE) words the report; the OK, CHANGED and MISSING marks, the file names and
    # the checksums stay as they are, for the scripts that read them.
    [image] = attach(RecordFactory(), imaging.png(), "page.png")
    [lost] = attach(RecordFactory(), imaging.jpeg(), "lost.jpg")
    flip_byte(image.master.name, image.size // 2)
    image_storage().delete(lost.master.name)
    attach(RecordFactory(), imaging.jpeg((30, 30)), "fine.jpg")
    out = io.StringIO()
    with translation.override(language), pytest.raises(CommandError) as excinfo:
        call_command("verify_fixity", stdout=out)
    assert str(excinfo.value) == summary
    report = out.getvalue()
    assert f"CHANGED  {image.master.name}" in report and f"MISSING  {lost.master.name}" in report
    assert f"{images}{image.pk}" in report and image.sha256 in report
    assert "images:" not in report and "expected" not in report
    with translation.override(language):
        assert "SHA-256" in Command().help and "Recompute" not in Command().help


def test_a_failed_master_is_named_as_the_admin_names_it():
    # The storage's name is random: the report also gives the name the admin shows and downloads the file under
    # (its record's identifier and the name it was uploaded with), also for a master kept after its image went.
    record = RecordFactory()
    [lost] = attach(record, imaging.jpeg(), "名簿 1.jpg")
    [gone] = attach(record, imaging.png(), "cover.png")
    gone_name = gone.master.name
    image_storage().delete(lost.master.name)
    delete_image(gone)
    flip_byte(gone_name, 40)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_fixity", stdout=out)
    lines = out.getvalue().splitlines()
    [missing] = [line for line in lines if line.startswith("MISSING")]
    [changed] = [line for line in lines if line.startswith("CHANGED")]
    assert f"uploaded as “{record.identifier}-名簿 1.jpg”" in missing
    assert f"uploaded as “{record.identifier}-cover.png”" in changed


def test_a_master_that_cannot_be_read_is_reported_as_unreadable_not_missing(monkeypatch):
    [image] = attach(RecordFactory(), imaging.jpeg(), "locked.jpg")
    from django.core.files.storage import Storage

    opened = Storage.open

    def refusing(storage, name, *args, **kwargs):
        if name == image.master.name:
            raise PermissionError(13, "Permission denied", name)
        return opened(storage, name, *args, **kwargs)

    monkeypatch.setattr(Storage, "open", refusing)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_fixity", stdout=out)
    report = out.getvalue()
    assert "MISSING" not in report
    assert f"UNREADABLE {image.master.name}" in report and "Permission denied" in report
    assert f"images: {image.pk}" in report
