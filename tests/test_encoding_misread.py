"""A CSV file read in another code page than the one it was saved in.

Shift_JIS (cp932) bytes read as Windows-1251 are Cyrillic letters and punctuation, and Windows-1251 bytes read as
cp932 are half-width katakana, kanji and private-use characters: every byte is valid, so nothing but the text
itself tells. A Japanese column holding Cyrillic and no kana or kanji, or a Russian column holding kana or kanji and
no Cyrillic, is refused naming the cell and the way to name the encoding; a text that mixes the scripts is not.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from collection.catalogue import files
from collection.models import ImportJob, ImportJobStatus, Place, Record, Title

from .catalogue_rows import write_file
from .factories import PlaceFactory
from .roles import dana, login  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

JAPANESE = "髙橋の手記①（試験）"
# What the cp932 bytes of JAPANESE are, read as cp1251.
JAPANESE_AS_1251 = "оа‹ґ‚МЋи‹L‡@ЃiЋЋЊ±Ѓj"
RUSSIAN = "Дневник"
# What the cp1251 bytes of RUSSIAN are, read as cp932: a half-width katakana and kanji.
RUSSIAN_AS_932 = "ﾄ淲粹韭"

JAPANESE_ROWS = f"identifier,kind,status,title_ja,title_en\r\ntest-1,memoir,draft,{JAPANESE},Notes\r\n"
RUSSIAN_ROWS = f"identifier,kind,status,title_ru,description_ru\r\ntest-2,document,draft,{RUSSIAN},{RUSSIAN}\r\n"

ADVICE = ("Name the encoding it was saved in with --encoding (for example cp932 for Japanese Windows, cp1251 for "
          "Russian Windows).")
FORM_ADVICE = ("Choose the encoding it was saved in under “Encoding of a CSV file” (for example Japanese Windows "
               "or Russian Windows).")


def cyrillic_in_japanese(encoding: str, advice: str = ADVICE) -> str:
    return (f"The text has Cyrillic letters and no Japanese ones (kana or kanji), in a column of Japanese text: "
            f"the file was read as {encoding}, and may have been saved in another encoding. {advice}")


def japanese_in_russian(encoding: str, advice: str = ADVICE) -> str:
    return (f"The text has Japanese characters (kana or kanji) and no Cyrillic letters, in a column of Russian "
            f"text: the file was read as {encoding}, and may have been saved in another encoding. {advice}")


def run(path, *options: str) -> str:
    out = StringIO()
    call_command("import_catalogue", str(path), *options, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(path, *options: str) -> list[str]:
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_catalogue", str(path), *options, stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


def test_the_misreadings_are_what_the_code_pages_make():
    assert JAPANESE.encode("cp932").decode("cp1251") == JAPANESE_AS_1251
    assert RUSSIAN.encode("cp1251").decode("cp932") == RUSSIAN_AS_932


class TestTheCommand:
    @pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
    def test_a_shift_jis_file_read_as_windows_1251_is_refused(self, tmp_path, dry_run):
        path = write_file(tmp_path, JAPANESE_ROWS.encode("cp932"))
        problems = refused(path, "--encoding", "cp1251", *(["--dry-run"] if dry_run else []))
        assert problems == [f"row 2, column title_ja: {cyrillic_in_japanese('cp1251')}"]
        assert not Record.objects.exists()

        assert "memoir: 1 new, 0 updated, 0 unchanged" in run(path, "--encoding", "cp932")
        assert Title.objects.get(language="ja").text == JAPANESE

    def test_a_windows_1251_file_read_as_shift_jis_is_refused(self, tmp_path):
        path = write_file(tmp_path, RUSSIAN_ROWS.encode("cp1251"))
        problems = refused(path, "--encoding", "shift_jis")
        assert problems == [f"row 2, column {column}: {japanese_in_russian('cp932')}"
                            for column in ("description_ru", "title_ru")]
        assert not Record.objects.exists()

        assert "document: 1 new, 0 updated, 0 unchanged" in run(path, "--encoding", "cp1251")
        assert Title.objects.get(language="ru").text == RUSSIAN

    def test_a_stored_record_is_not_overwritten_with_the_misread_text(self, tmp_path):
        run(write_file(tmp_path, JAPANESE_ROWS, "stored.csv"))
        edited = JAPANESE_ROWS.replace("Notes", "Notes 2").encode("cp932")
        problems = refused(write_file(tmp_path, edited), "--encoding", "cp1251")
        assert problems == [f"row 2, column title_ja: {cyrillic_in_japanese('cp1251')}"]
        assert dict(Title.objects.values_list("language", "text")) == {"ja": JAPANESE, "en": "Notes"}

    def test_tagged_variant_titles_are_judged_by_their_language(self, tmp_path):
        rows = (f"identifier,kind,title_en,variant_titles\r\n"
                f"test-1,memoir,Notes,ja:{JAPANESE}|en:Notes of Takahashi\r\n")
        problems = refused(write_file(tmp_path, rows.encode("cp932")), "--encoding", "cp1251")
        assert problems == [f"row 2, column variant_titles: {cyrillic_in_japanese('cp1251')}"]

    def test_a_kana_reading_is_judged_as_japanese(self, tmp_path):
        rows = "identifier,kind,title_ja-Hrkt,title_en\r\ntest-1,memoir,シベリアよくりゅうき,Notes\r\n"
        problems = refused(write_file(tmp_path, rows.encode("cp932")), "--encoding", "cp1251")
        # Not the reading's own rule (kana only), which would not say why the text is not kana.
        assert problems == [f"row 2, column title_ja-Hrkt: {cyrillic_in_japanese('cp1251')}"]

    def test_a_row_refused_for_another_cell_is_told_of_the_misreading_too(self, tmp_path):
        PlaceFactory(identifier="place-test", name="テスト町")
        rows = f"identifier,kind,title_ja,places\r\ntest-1,memoir,{JAPANESE},テスト町\r\n"
        problems = refused(write_file(tmp_path, rows.encode("cp932")), "--encoding", "cp1251")
        assert [problem.split(":")[0] for problem in problems] == ["row 2, column places", "row 2, column title_ja"]
        assert problems[1] == f"row 2, column title_ja: {cyrillic_in_japanese('cp1251')}"

    def test_texts_that_mix_the_scripts_are_imported(self, tmp_path):
        # cp932 holds the Cyrillic letters: a Japanese title may quote a Russian word, and a Russian one a kanji.
        rows = f"identifier,kind,title_ja,title_ru\r\ntest-1,memoir,シベリア抑留記 {RUSSIAN},{RUSSIAN} (日記)\r\n"
        out = run(write_file(tmp_path, rows.encode("cp932")), "--encoding", "cp932")
        assert "memoir: 1 new, 0 updated, 0 unchanged" in out
        assert dict(Title.objects.values_list("language", "text")) == {
            "ja": f"シベリア抑留記 {RUSSIAN}", "ru": f"{RUSSIAN} (日記)"}

    def test_romanizations_and_other_languages_are_not_judged(self, tmp_path):
        rows = (f"identifier,kind,title_ja-Latn,title_en\r\n"
                f"test-1,memoir,Takahashi no shuki,{RUSSIAN}\r\n")
        out = run(write_file(tmp_path, rows.encode("cp1251")), "--encoding", "cp1251")
        assert "memoir: 1 new, 0 updated, 0 unchanged" in out

    def test_a_unicode_file_is_not_judged_at_all(self, tmp_path, monkeypatch):
        def never(*args, **kwargs):
            raise AssertionError("a Unicode file is not checked for a misread code page")

        monkeypatch.setattr(files, "misread_texts", never)
        rows = f"identifier,kind,title_ja,title_ru\r\ntest-1,memoir,{RUSSIAN},{JAPANESE}\r\n"
        for encoding in ("utf-8", "utf-16"):
            path = write_file(tmp_path, rows.encode(encoding), f"{encoding}.csv")
            assert "memoir: 1 new, 0 updated, 0 unchanged" in run(path, "--encoding", encoding, "--dry-run")
        assert "memoir: 1 new, 0 updated, 0 unchanged" in run(path, "--dry-run")  # told by its byte-order mark
        assert not Record.objects.exists()

    def test_a_vocabulary_sheet_is_judged_by_its_name_columns(self, tmp_path):
        rows = "identifier,kind,name_ru,name_en\r\nplace-test,city,Тестоград,Test town\r\n"
        path = write_file(tmp_path, rows.encode("cp1251"))
        problems = refused(path, "--vocabulary", "places", "--encoding", "cp932")
        assert problems == [f"row 2, column name_ru: {japanese_in_russian('cp932')}"]
        assert not Place.objects.exists()
        run(path, "--vocabulary", "places", "--encoding", "cp1251")
        assert Place.objects.get().names.get(language="ru").text == "Тестоград"


class TestTheAdmin:
    @staticmethod
    def preview(client, data: bytes, encoding: str) -> ImportJob:
        client.post(reverse("admin:collection_record_import"),
                    {"file": SimpleUploadedFile("records.csv", data), "encoding": encoding})
        return ImportJob.objects.latest("created")

    def test_the_preview_refuses_a_shift_jis_file_read_as_windows_1251(self, dana, login):  # noqa: F811
        client = login(dana)
        job = self.preview(client, JAPANESE_ROWS.encode("cp932"), "cp1251")
        assert job.status == ImportJobStatus.INVALID
        assert job.errors_in() == [f"row 2, column title_ja: {cyrillic_in_japanese('cp1251', FORM_ADVICE)}"]
        page = client.get(reverse("admin:collection_record_import_job", args=[job.token])).content.decode()
        assert "Encoding of a CSV file" in page and JAPANESE_AS_1251 not in page
        assert not Record.objects.exists()

        job = self.preview(client, JAPANESE_ROWS.encode("cp932"), "cp932")
        assert job.status == ImportJobStatus.PREVIEWED, job.errors_in()
        assert JAPANESE in client.get(reverse("admin:collection_record_import_job", args=[job.token])).content.decode()

    def test_the_preview_refuses_a_windows_1251_file_read_as_shift_jis(self, dana, login):  # noqa: F811
        job = self.preview(login(dana), RUSSIAN_ROWS.encode("cp1251"), "cp932")
        assert job.status == ImportJobStatus.INVALID
        assert job.errors_in() == [f"row 2, column {column}: {japanese_in_russian('cp932', FORM_ADVICE)}"
                              for column in ("description_ru", "title_ru")]
        assert not Record.objects.exists()

    def test_a_preview_in_the_background_names_the_forms_field_too(self, dana):  # noqa: F811
        from collection.importing import jobs

        job = jobs.create_job(user=dana, file_name="records.csv", data=JAPANESE_ROWS.encode("cp932"),
                              encoding="cp1251")
        ImportJob.objects.filter(pk=job.pk).update(background=True)  # as the task worker runs it
        assert jobs.run_preview(job.pk) == ImportJobStatus.INVALID
        assert ImportJob.objects.get(pk=job.pk).errors_in() == [
            f"row 2, column title_ja: {cyrillic_in_japanese('cp1251', FORM_ADVICE)}"]


@pytest.mark.parametrize(("script", "language", "between"), [
    ("ja", "ja", "可能性があります。保存時"),  # Japanese puts no space after 。
    ("ru", "ru", "в другой кодировке. Укажите"),
])
def test_the_problem_and_its_advice_are_joined_as_the_language_writes_sentences(script, language, between):
    from django.utils import translation

    with translation.override(language):
        assert between in files._misread_message(script, "cp1251")
