import pytest
from django.test import override_settings

from collection.catalogue.csv_io import CatalogueFileError, read_csv, write_csv
from collection.catalogue.format import (
    MULTI_VALUED,
    join_values,
    quote_formula,
    record_columns,
    split_values,
    unquote_formula,
    vocabulary_columns,
)


class TestMultiValuedCells:
    def test_split_on_bar_and_strip(self):
        assert split_values(" Kansk | Taishet|") == ["Kansk", "Taishet"]

    def test_escaped_bar_is_part_of_the_value(self):
        assert split_values(r"en:A \| B|en:C") == ["en:A | B", "en:C"]

    def test_escaped_backslash(self):
        assert split_values("C:\\\\dir|x") == ["C:\\dir", "x"]

    def test_lone_backslash_is_kept(self):
        assert split_values(r"a\b") == [r"a\b"]

    @pytest.mark.parametrize("values", [
        ["plain"], ["with | bar", "two"], ["back\\slash", "bar\\|both"], ["trailing\\"], ["|", "\\|"],
    ])
    def test_join_then_split_gives_the_values_back(self, values):
        assert split_values(join_values(values)) == values


class TestFormulaCells:
    @pytest.mark.parametrize("text", ["=SUM(A1)", "+81 3", "-5", "@cmd", "\tx", "\rx"])
    def test_formula_cells_get_a_quote(self, text):
        assert quote_formula(text) == "'" + text
        assert unquote_formula(quote_formula(text)) == text

    def test_a_real_leading_quote_before_a_trigger_gets_a_second_one(self):
        assert quote_formula("'=x") == "''=x"
        assert unquote_formula("''=x") == "'=x"

    @pytest.mark.parametrize("text", ["'hello", "'", "plain", "シベリア", "it's", "1945-08-23"])
    def test_other_cells_are_left_alone_both_ways(self, text):
        assert quote_formula(text) == text
        assert unquote_formula(text) == text

    def test_import_strips_exactly_one_quote(self):
        assert unquote_formula("'=1+1") == "=1+1"
        assert unquote_formula("'''=1") == "''=1"


class TestColumns:
    def test_default_languages_give_title_reading_and_romanization_columns(self):
        columns = record_columns()
        for column in ["identifier", "kind", "status", "title_ja", "title_ja-Hrkt", "title_ja-Latn", "title_ru",
                       "title_ru-Latn", "title_en", "description_ja", "description_ru", "description_en", "date",
                       "date_display", "languages", "places", "subjects", "authors", "editors", "translators",
                       "publishers", "issuing_bodies", "agent_subjects", "parent", "isbn", "url", "pages",
                       "reference_fond", "rights_statement"]:
            assert column in columns
        assert len(columns) == len(set(columns))
        assert columns.index("title_ja") < columns.index("title_ja-Hrkt") < columns.index("title_ru")

    @override_settings(COLLECTION_LANGUAGES=["en", "de"])
    def test_columns_follow_the_configured_languages(self):
        columns = record_columns()
        assert "title_de" in columns and "description_de" in columns
        assert "title_ja" not in columns and "title_ja-Hrkt" not in columns

    def test_vocabulary_columns(self):
        assert vocabulary_columns("places")[:3] == ["identifier", "kind", "parent"]
        assert "name_ru-Latn" in vocabulary_columns("agents")
        assert "broader" in vocabulary_columns("subjects")

    def test_agents_sheet_has_a_multi_valued_name_parts_column(self):
        columns = vocabulary_columns("agents")
        assert columns.index("our_translations") < columns.index("name_parts") < columns.index("date")
        assert "name_parts" in MULTI_VALUED
        assert "name_parts" not in vocabulary_columns("places") + vocabulary_columns("subjects")


class TestCsv:
    rows = [
        {"identifier": "doc-b", "title_en": "=HYPERLINK(\"x\")", "variant_titles": join_values(["en:a|b"])},
        {"identifier": "doc-a", "title_ja": "シベリア抑留", "description_en": "line one\nline two"},
    ]
    columns = ["identifier", "title_ja", "title_en", "variant_titles", "description_en"]

    def test_written_with_bom_crlf_sorted_and_formula_safe(self):
        data = write_csv(self.rows, self.columns)
        assert data.startswith(b"\xef\xbb\xbfidentifier,")
        text = data.decode("utf-8-sig")
        assert text.index("doc-a") < text.index("doc-b")
        assert "'=HYPERLINK" in text
        assert "\r\n" in text

    def test_round_trip_gives_the_same_cells(self):
        rows = read_csv(write_csv(self.rows, self.columns))
        assert [number for number, _ in rows] == [2, 3]
        by_identifier = {row["identifier"]: row for _, row in rows}
        assert by_identifier["doc-b"]["title_en"] == "=HYPERLINK(\"x\")"
        assert by_identifier["doc-a"]["description_en"] == "line one\nline two"
        assert split_values(by_identifier["doc-b"]["variant_titles"]) == ["en:a|b"]

    def test_same_rows_give_the_same_bytes(self):
        assert write_csv(self.rows, self.columns) == write_csv(list(reversed(self.rows)), self.columns)

    def test_reads_with_and_without_bom(self):
        plain = "identifier,title_ja\ndoc-1,抑留\n".encode()
        expected = [(2, {"identifier": "doc-1", "title_ja": "抑留"})]
        assert read_csv(plain) == read_csv(b"\xef\xbb\xbf" + plain) == expected

    def test_row_numbers_skip_blank_lines_but_count_them(self):
        rows = read_csv(b"identifier\ndoc-1\n\ndoc-2\n")
        assert [number for number, _ in rows] == [2, 4]

    def test_not_utf8_is_a_clear_error(self):
        with pytest.raises(CatalogueFileError, match="UTF-8"):
            read_csv("identifier\nдок\n".encode("cp1251"))

    def test_empty_file(self):
        with pytest.raises(CatalogueFileError):
            read_csv(b"")
