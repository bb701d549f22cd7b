"""A search shows, for a record found through its description, a passage of it around the words it matched."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collection.models import Description, LabelForm, Status, Title
from collection.search import refresh_search_index
from collection.snippets import ELLIPSIS, PASSAGE_LENGTH, passage
from tests.factories import RecordFactory

LONG_ENGLISH = (
    "Test description: a former internee writes long after the war about the daily routine he knew, the food, "
    "the cold winters, the labour camps near the railway, the political classes held every evening and the long "
    "wait for the ship home, which came only after four years for most of the men of his unit. The last pages "
    "tell of the return to his village and of the letters he wrote afterwards to the families of friends."
)
JAPANESE = ("テスト用の説明：シベリヤ抑留の記録。ソヴィエト連邦の収容所での日々と、"
            "だもいを待つ思いを、帰国した後に書いた。")
RUSSIAN = "Тестовое описание: жизнь в лагере у железной дороги, работа и долгое ожидание возвращения домой."


def marked(found) -> list[str]:
    assert found is not None
    return found.marked


class TestThePassage:
    """The passage of one text, and the words marked in it: those the search itself found there."""

    def test_english_word_forms_as_the_search_reads_them(self):
        assert marked(passage("camp", LONG_ENGLISH, "en")) == ["camps"]  # the start of a word, marked whole
        assert marked(passage("labor CAMP", LONG_ENGLISH, "en")) == ["labour", "camps"]
        assert marked(passage("memories", "Test: his memory of the winters.", "en")) == ["memory"]
        assert marked(passage("Kyokko", "Test: Kyokkō no seikatsu.", "ja-Latn")) == ["Kyokkō"]

    def test_japanese_kana_and_the_forms_the_fold_reads_alike(self):
        assert marked(passage("シベリア", JAPANESE, "ja")) == ["シベリヤ"]  # the old kana spelling
        assert marked(passage("ソビエト", JAPANESE, "ja")) == ["ソヴィエト"]  # ヴ as the b-row
        assert marked(passage("ｿﾋﾞｴﾄ", JAPANESE, "ja")) == ["ソヴィエト"]  # half-width
        assert marked(passage("ダモイ", JAPANESE, "ja")) == ["だもい"]  # katakana finds hiragana
        # 抑留者 is 抑留 and 者 to the search; 者 alone is marked only beside the other word, as typed.
        found = passage("抑留者", "テスト：著者によれば、多くの抑留者が帰国した。", "ja")
        assert marked(found) == ["抑留者"]
        assert str(found) == "テスト：著者によれば、多くの抑留者が帰国した。" and found.language == "ja"

    def test_russian_forms_and_full_width_letters(self):
        assert marked(passage("лагерях", RUSSIAN, "ru")) == ["лагере"]
        assert marked(passage("ДОРОГА", RUSSIAN, "ru")) == ["дороги"]
        assert marked(passage("ＣＡＭＰＳ　ＲＡＩＬＷＡＹ", LONG_ENGLISH, "en")) == ["camps", "railway"]
        assert marked(passage("USSR", "Тест: история СССР.", "ru")) == ["СССР"]  # a synonym the search holds

    def test_no_passage_where_the_search_did_not_find_the_words_in_the_text(self):
        assert passage("yokuryu", JAPANESE, "ja") is None  # romaji finds a reading or romanization, not this
        assert passage("ship", RUSSIAN, "ru") is None
        assert passage("", LONG_ENGLISH, "en") is None
        assert passage("9784000000000", "Test ISBN 9784000000000", "en") is None  # an ISBN is matched whole
        assert passage("camp", "Test: the campaign of 1946.", "en").marked == ["campaign"]
        assert passage("pain", "Test: the campaign of 1946.", "en") is None  # not the start of a word

    def test_the_text_is_escaped_and_the_marks_are_its_only_markup(self):
        found = passage("camp", 'Test <script>alert("x")</script> & the camp', "en")
        html = found.html
        assert html == 'Test &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; the <mark>camp</mark>'

    def test_a_long_text_is_cut_at_words_around_the_first_match(self):
        found = passage("ship", LONG_ENGLISH, "en")
        text = str(found)
        assert text.startswith(ELLIPSIS) and text.endswith(ELLIPSIS)
        inner = text.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)
        assert 150 <= len(inner) <= 200 and "ship" in inner
        assert inner in LONG_ENGLISH
        start = LONG_ENGLISH.index(inner)
        end = start + len(inner)
        assert LONG_ENGLISH[start - 1] == " " and LONG_ENGLISH[end] in " ,"  # whole words only
        found = passage("labour", LONG_ENGLISH, "en")  # near the start: most of the passage after it
        assert str(found).index("labour") < 80

    def test_japanese_is_cut_at_characters(self):
        text = "テスト" + "あ" * 150 + "抑留" + "い" * 150
        found = passage("抑留", text, "ja")
        inner = str(found).removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)
        assert str(found).startswith(ELLIPSIS) and str(found).endswith(ELLIPSIS)
        assert len(inner) == PASSAGE_LENGTH and inner in text and found.marked == ["抑留"]


@pytest.fixture(scope="class")
def catalogue(class_data):
    def described(title: str, title_language: str, descriptions: dict[str, str], **fields):
        record = RecordFactory(title=title, title__language=title_language, **fields)
        for language, text in descriptions.items():
            Description.objects.create(record=record, language=language, text=text)
        return record

    records = [
        described("Test memoir of the winters", "en", {"en": LONG_ENGLISH}),
        described("Test camps of the east", "en", {"en": "Test: more about the camps."}),
        described("テスト手記", "ja", {"ja": JAPANESE, "en": "Test: a memoir in Japanese."}),
        described("Тестовые воспоминания", "ru", {"ru": RUSSIAN}),
        described("Test escaped", "en", {"en": "Test <script>x</script> & the testword camp"}),
        described("Test draft", "en", {"en": "Test secret testword camps of a draft"}, status=Status.DRAFT),
        *(described(f"Test listed {number}", "en", {"en": f"Test number {number} holds the testword."},
                    container_title="Test Bulletin")
          for number in range(20)),
        notebook := described("テスト手帳", "ja", {"en": "Test: a notebook kept by an internee."}),
        described("Test letters home", "en", {}, container_title="テスト季刊誌"),
        described("Test hidden draft", "en", {}, container_title="Test secret gazette", status=Status.DRAFT),
    ]
    Title.objects.create(record=notebook, language="en", form=LabelForm.TRANSLATION,
                         text="Test notebook of the taiga")
    Title.objects.create(record=notebook, language="ja-Latn", form=LabelForm.ROMANIZATION, text="Tesuto techō")
    refresh_search_index([record.pk for record in records])


def passages(html: str) -> list[str]:
    return re.findall(r'<span class="passage"[^>]*>(.*?)</span>', html)


def found_in(html: str) -> list[str]:
    """The titles and journals a page shows why a record was found by, each as its label and its marked text."""
    return [f"{label}{text}" for label, text in re.findall(
        r'<span class="found-in">(.*?)<span class="found-in-text"[^>]*>(.*?)</span></span>', html)]


@pytest.mark.django_db
@pytest.mark.usefixtures("catalogue")
class TestTheBrowsePage:
    def test_a_record_found_through_its_description_shows_the_passage(self, client):
        html = client.get("/en/records/", {"q": "camps"}).content.decode()
        shown = passages(html)
        # The memoir found by its description; the one whose title holds the word shows none; nor does the draft.
        assert len(shown) == 2
        assert any("labour <mark>camps</mark> near the railway" in one for one in shown)
        assert "Test: more about the" not in html and "secret" not in html
        escaped = next(one for one in shown if "testword" in one)
        assert escaped == "Test &lt;script&gt;x&lt;/script&gt; &amp; the testword <mark>camp</mark>"
        # A part of the line, as its others are: a pause before it for whoever hears the line.
        assert re.search(r'<span class="visually-hidden">, </span><span class="passage">…[^<]*labour <mark>', html)
        assert "<mark>" not in client.get("/en/records/").content.decode()  # no search, no passage

    def test_in_japanese_and_in_the_texts_own_language(self, client):
        html = client.get("/ja/records/", {"q": "ソビエト"}).content.decode()
        assert '<span class="passage">テスト用の説明：シベリヤ抑留の記録。<mark>ソヴィエト</mark>連邦' in html
        html = client.get("/en/records/", {"q": "ソビエト"}).content.decode()
        assert '<span class="passage" lang="ja">テスト用の説明' in html  # not the English description: no match

    def test_in_russian(self, client):
        html = client.get("/ru/records/", {"q": "лагерях"}).content.decode()
        assert '<span class="passage">Тестовое описание: жизнь в <mark>лагере</mark> у железной' in html
        html = client.get("/en/records/", {"q": "лагерях"}).content.decode()
        assert '<span class="passage" lang="ru">' in html

    def test_a_record_found_through_a_title_or_journal_the_line_does_not_show(self, client):
        # The English translation, on the Japanese page, in its own language; labelled in Japanese.
        html = client.get("/ja/records/", {"q": "taiga"}).content.decode()
        assert not passages(html)
        assert found_in(html) == ["別題：Test notebook of the <mark>taiga</mark>"]
        assert '<span class="found-in-text" lang="en">' in html
        # Its description holds one word, the title the other: the description's passage first.
        html = client.get("/ja/records/", {"q": "notebook taiga"}).content.decode()
        assert passages(html) == ["Test: a <mark>notebook</mark> kept by an internee."]
        assert html.index('class="passage"') < html.index('class="found-in"')
        assert found_in(html) == ["別題：Test <mark>notebook</mark> of the <mark>taiga</mark>"]
        # The romanized title, in Russian; the translation is the line's own title on the English page: not
        # repeated, nor is the original shown beside it.
        html = client.get("/ru/records/", {"q": "techo"}).content.decode()
        assert found_in(html) == ["Ромадзи: Tesuto <mark>techō</mark>"]
        assert '<span class="found-in-text" lang="ja-Latn">' in html
        html = client.get("/en/records/", {"q": "taiga techo"}).content.decode()
        assert found_in(html) == ["Romanization: Tesuto <mark>techō</mark>"]
        assert not found_in(client.get("/en/records/", {"q": "taiga"}).content.decode())
        # The journal it appeared in, in the language its letters say; a draft's journal never.
        html = client.get("/en/records/", {"q": "季刊誌"}).content.decode()
        assert found_in(html) == ["In: テスト<mark>季刊誌</mark>"]
        assert '<span class="found-in-text" lang="ja">' in html
        assert "secret" not in client.get("/en/records/", {"q": "gazette"}).content.decode()

    def test_a_page_of_3_or_20_passages_costs_the_same_queries(self, client):
        client.get("/en/records/", {"q": "testword"})  # the index follows the changes before

        def queries(size: int) -> int:
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/en/records/", {"q": "testword", "page_size": size})
            assert len(passages(response.content.decode())) == size
            return len(captured.captured_queries)

        # The catalogue version; the page's records, their titles and agent links (none has a parent to fetch);
        # their descriptions, in one query for the page.
        assert queries(3) == queries(20) == 5
        # Every line's title holds the words: no description is read.
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/en/records/", {"q": "listed", "page_size": 20})
        assert len(captured.captured_queries) == 4 and not passages(response.content.decode())
        # Found through their journal: its name is the record's own, and titles come with the page.
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/en/records/", {"q": "bulletin", "page_size": 20})
        assert len(captured.captured_queries) == 5 and len(found_in(response.content.decode())) == 20
