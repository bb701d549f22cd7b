#!/bin/sh
# Rewrites the office files in this folder with LibreOffice Calc (see README.md). Not run by the tests or CI.
# Run from the repository root: sh tests/data/office/make-files.sh
set -eu
here=tests/data/office
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# convert SOURCE TARGET FILTER [soffice options]: LibreOffice reads SOURCE and writes TARGET with FILTER.
# soffice names what it writes after the file it reads, so SOURCE is first copied under TARGET's name.
convert() {
    source=$1 target=$2 filter=$3
    shift 3
    name=$(basename "$target")
    rm -rf "$work/in" "$work/out" && mkdir -p "$work/in"
    cp "$source" "$work/in/${name%.*}.${source##*.}"
    soffice -env:UserInstallation="file://$work/profile" --headless "$@" --convert-to "$filter" \
        --outdir "$work/out" "$work/in/${name%.*}.${source##*.}" >/dev/null
    cp "$work/out/$name" "$target"
}

xlsx='xlsx:Calc MS Excel 2007 XML'
csv='csv:Text - txt - csv (StarCalc)'
convert $here/sources/records.fods $here/records.xlsx "$xlsx"
convert $here/sources/refused.fods $here/refused.xlsx "$xlsx"
convert $here/sources/records-for-csv.fods $here/records-utf8.csv "$csv:44,34,76"
convert $here/sources/records-for-csv.fods $here/records-utf8-semicolon.csv "$csv:59,34,76"
convert $here/sources/records-for-csv.fods $here/records-cp932.csv "$csv:44,34,60"
convert $here/sources/records-for-csv.fods $here/records-utf16-tab.csv "$csv:9,34,65535"
convert $here/sources/ru.fods $here/ru-cp1251-semicolon.csv "$csv:59,34,34"
convert $here/sources/ru-dates.fods $here/ru-dates-cp1251-semicolon.csv "$csv:59,34,34"
convert $here/sources/ja-sheet.fods $here/ja-sheet.xlsx "$xlsx"
convert $here/sources/ja-sheet.fods $here/ja-sheet-cp932.csv "$csv:44,34,64"
convert $here/sources/ja-errors.fods $here/ja-errors.xlsx "$xlsx"
convert $here/sources/ru-sheet.fods $here/ru-sheet.xlsx "$xlsx"
convert $here/sources/empty-first-sheet.fods $here/empty-first-sheet.xlsx "$xlsx"
convert $here/sources/hidden-first-sheet.fods $here/hidden-first-sheet.xlsx "$xlsx"
convert $here/sources/month-dates.fods $here/month-dates.xlsx "$xlsx"
convert $here/sources/free-text-dates.fods $here/free-text-dates.xlsx "$xlsx"
convert $here/sources/free-text-dates.fods $here/free-text-dates-utf8.csv "$csv:44,34,76"

# The round trip: the app's own export of sources/roundtrip.csv, opened and saved again in LibreOffice.
mkdir -p $here/roundtrip
export DATABASE_URL="sqlite:///$work/roundtrip.sqlite3"
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py import_catalogue $here/sources/roundtrip.csv >/dev/null
.venv/bin/python manage.py derive_romanizations >/dev/null
.venv/bin/python manage.py export_catalogue $here/roundtrip/export.csv >/dev/null
.venv/bin/python manage.py export_catalogue $here/roundtrip/export.xlsx >/dev/null
opened='Text - txt - csv (StarCalc):44,34,76,1,,0,false,false'
convert $here/roundtrip/export.csv $here/roundtrip/export-csv-resaved.xlsx "$xlsx" --infilter="$opened"
convert $here/roundtrip/export.csv $here/roundtrip/export-csv-resaved.csv "$csv:44,34,76" --infilter="$opened"
convert $here/roundtrip/export.xlsx $here/roundtrip/export-xlsx-resaved.xlsx "$xlsx"
convert $here/roundtrip/export.xlsx $here/roundtrip/export-xlsx-resaved.csv "$csv:44,34,76"

# The same with "Detect special numbers" ticked, as Excel always reads a CSV: text that looks like a date
# (sources/dates.csv: `August 23, 1945`, an issue `1/2`) becomes a date, saved back as LibreOffice shows it.
mkdir -p $here/dates
export DATABASE_URL="sqlite:///$work/dates.sqlite3"
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py import_catalogue $here/sources/dates.csv >/dev/null
.venv/bin/python manage.py export_catalogue $here/dates/export.csv >/dev/null
.venv/bin/python manage.py export_catalogue $here/dates/export.xlsx >/dev/null
special='Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true'
convert $here/dates/export.csv $here/dates/export-csv-resaved.csv "$csv:44,34,76" --infilter="$special"
convert $here/dates/export.xlsx $here/dates/export-xlsx-resaved.csv "$csv:44,34,76"
