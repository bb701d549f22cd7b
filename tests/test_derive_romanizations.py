"""The command that brings missing readings and romanizations up to date, after imports that left them."""

import io

import pytest
from django.core.management import call_command

from collection.catalogue.files import read_table
from collection.catalogue.writer import write_rows
from collection.importing.romanizations import missing_count
from collection.models import Title
from collection.romanization import kana_to_hepburn

pytestmark = pytest.mark.django_db

SHEET = ("identifier,kind,status,title_ja,title_ja-Hrkt\n"
         "test-1,memoir,draft,試験実行の下で：テスト記,しけんじっこうのしたで：てすとき\n")


@pytest.mark.parametrize("readings", [True, False])
def test_an_entered_reading_still_gets_its_hepburn_form(settings, readings):
    settings.COLLECTION_DERIVE_READINGS = False  # as an import leaves them: to the task after it
    assert write_rows(read_table(SHEET.encode()).records()).ok
    assert not Title.objects.filter(language="ja-Latn").exists()
    settings.COLLECTION_DERIVE_READINGS = readings
    call_command("derive_romanizations", stdout=io.StringIO(), stderr=io.StringIO())
    romanized = Title.objects.get(record__identifier="test-1", language="ja-Latn")
    assert romanized.text == "Shikenjikkōnoshitade: tesutoki" and romanized.machine_made
    # The archivist's reading is kept as entered, and a second run finds nothing missing.
    assert Title.objects.get(language="ja-Hrkt").text == "しけんじっこうのしたで：てすとき"
    assert missing_count() == 0
    out = io.StringIO()
    call_command("derive_romanizations", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("0 ")
    assert Title.objects.filter(language__in=["ja-Latn", "ja-Hrkt"]).count() == 2


def test_entered_reading_and_romanization_leave_nothing_to_derive(settings):
    settings.COLLECTION_DERIVE_READINGS = False
    assert write_rows(read_table(
        "identifier,kind,status,title_ja,title_ja-Hrkt,title_ja-Latn\n"
        "test-1,memoir,draft,テスト記,てすとき,Tesuto ki\n".encode()).records()).ok
    settings.COLLECTION_DERIVE_READINGS = True
    call_command("derive_romanizations", stdout=io.StringIO(), stderr=io.StringIO())
    assert sorted(Title.objects.values_list("language", "text", "machine_made")) == [
        ("ja", "テスト記", False), ("ja-Hrkt", "てすとき", False), ("ja-Latn", "Tesuto ki", False)]


@pytest.mark.parametrize(("reading", "romanized"), [
    ("しけんじっこうのしたで：しべりあ", "shikenjikkōnoshitade: shiberia"),
    ("あ、い。う", "a, i. u"),
    ("にほん（にっぽん）", "nihon (nippon)"),
    ("「しべりあ」", "\u201cshiberia\u201d"),
    ("ヨクリュウシャ ノ テガミ （ ゴウセイ ）", "yokuryūsha no tegami (gōsei)"),  # a reading spaced inside brackets
    ("「 シケン ノ オカ 」 ノ キオク", "\u201cshiken no oka\u201d no kioku"),
])
def test_japanese_punctuation_is_romanized_as_latin_text_writes_it(reading, romanized):
    assert kana_to_hepburn(reading) == romanized


@pytest.mark.parametrize(("text", "romanized"), [
    ("抑留者の手紙（合成）", "yokuryūsha no tegami (gōsei)"),
    ("「試験の丘」の記憶", "\u201cshiken no oka\u201d no kioku"),
    ("シベリア抑留記『極寒』", "shiberia yokuryūki \u201cgokkan\u201d"),
    ("合成UTF-16", "gōsei UTF-16"),
    ("No.7の記録", "No.7 no kiroku"),
])
def test_a_derived_reading_keeps_brackets_on_their_words_and_latin_as_written(text, romanized):
    from collection.romanization import japanese_reading, readings_available

    if not readings_available():
        pytest.skip("the romanization extra (fugashi, UniDic) is not installed")
    assert kana_to_hepburn(japanese_reading(text)) == romanized


def needs_dictionary():
    from collection.romanization import readings_available

    if not readings_available():
        pytest.skip("the romanization extra (fugashi, UniDic) is not installed")


@pytest.mark.parametrize(("text", "romanized"), [
    ("ソ連における日本人捕虜", "soren ni okeru nihonjin horyo"),
    ("日本", "nihon"),
    ("ロシア人", "roshiajin"),
    ("外国人捕虜", "gaikokujin horyo"),
    ("民間人抑留者", "minkanjin yokuryūsha"),
    # The one who manages, publishes, receives: 人 after what they do stays nin.
    ("管理人", "kanrinin"),
    ("受取人", "uketorinin"),
    ("被告人", "hikokunin"),
    ("参考人", "sankōnin"),
    # A name whose established reading is Nippon keeps it.
    ("大日本帝国", "dai nippon teikoku"),
])
def test_japan_and_its_people_are_read_as_library_readings_write_them(text, romanized):
    from collection.romanization import japanese_reading

    needs_dictionary()
    assert kana_to_hepburn(japanese_reading(text)) == romanized


@pytest.mark.parametrize(("text", "reading", "romanized"), [
    ("カンスク", "カンスク", "kansuku"),
    ("ライチハ駅", "ライチハ エキ", "raichiha eki"),
    ("ジャンブール州", "ジャンブール シュウ", "janbūru shū"),
    # The nakaguro separates two names, each one word.
    ("ソヴィエツカヤ・ガヴァニ", "ソヴィエツカヤ ・ ガヴァニ", "sovietsukaya gavani"),
    ("ハバロフスク地方", "ハバロフスク チホウ", "habarofusuku chihō"),
])
def test_katakana_written_together_is_read_as_one_word(text, reading, romanized):
    from collection.romanization import japanese_reading

    needs_dictionary()
    assert japanese_reading(text) == reading
    assert kana_to_hepburn(reading) == romanized


def test_readings_derived_in_several_threads_at_once_are_each_text_s_own():
    """Saves, request threads and the task worker derive readings at the same time; none may get a word of
    another text's reading."""
    from concurrent.futures import ThreadPoolExecutor

    from collection.romanization import japanese_reading

    needs_dictionary()
    texts = ["ソ連における日本人捕虜の生活体験を記録する会", "シベリア抑留者の手記", "日本人抑留者の帰還と補償問題",
             "カンスク収容所の回想", "ライチハ駅から舞鶴へ", "関東軍の満洲における最期"] * 100
    alone = {text: japanese_reading(text) for text in set(texts)}
    for _attempt in range(4):
        with ThreadPoolExecutor(8) as pool:
            together = list(pool.map(japanese_reading, texts))
        assert [reading for text, reading in zip(texts, together, strict=True) if reading != alone[text]] == []


@pytest.mark.parametrize(("romanized", "name", "written"), [
    ("yokuryūsha no tegami (gōsei)", False, "Yokuryūsha no tegami (gōsei)"),
    ("\u201cshiken no oka\u201d no kioku", False, "\u201cShiken no oka\u201d no kioku"),
    ("gōsei UTF-16", False, "Gōsei UTF-16"),
    ("No.7 no kiroku", False, "No.7 no kiroku"),
    ("satō hanako", True, "Satō Hanako"),
    ("ōsaka", True, "Ōsaka"),
    ("soren ni okeru nihonjin horyo no seikatsu taiken o kiroku suru kai", True,
     "Soren ni Okeru Nihonjin Horyo no Seikatsu Taiken o Kiroku Suru Kai"),
])
def test_romanizations_are_capitalized_as_library_catalogues_write_them(romanized, name, written):
    from collection.romanization import capitalized_romanization

    assert capitalized_romanization(romanized, name=name) == written


def test_a_machine_made_romanization_of_a_name_capitalizes_each_word_and_of_a_title_the_first():
    from collection.derivation import derive_forms
    from collection.models import AgentName

    from .factories import AgentFactory, RecordFactory

    needs_dictionary()
    agent = AgentFactory(name="佐藤花子", name__language="ja")
    derive_forms(agent.names.all(), AgentName, {"agent": agent})
    assert agent.names.get(language="ja-Latn").text == "Satō Hanako"
    record = RecordFactory(title="抑留者の手紙", title__language="ja")
    derive_forms(record.titles.all(), Title, {"record": record})
    assert record.titles.get(language="ja-Latn").text == "Yokuryūsha no tegami"


@pytest.mark.parametrize(("text", "reading"), [
    ("髙橋①の抑留記", "タカハシ ① ノ ヨクリュウキ"),
    ("﨑山", "サキヤマ"),
    ("𠮷田", "ヨシダ"),
])
def test_a_variant_kanji_the_dictionary_does_not_know_reads_as_its_common_form(text, reading):
    from collection.romanization import japanese_reading

    needs_dictionary()
    assert japanese_reading(text) == reading


def test_a_kanji_beyond_the_basic_plane_that_no_form_explains_gives_no_reading():
    from collection.romanization import japanese_reading

    needs_dictionary()
    assert japanese_reading("𠀋山") == ""
