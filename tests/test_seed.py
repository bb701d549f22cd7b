"""The seeded collection states only what the source article says."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from collection.citations import formatted_citation
from collection.models import (
    Agent,
    AgentKind,
    AgentName,
    Language,
    LevelOfDescription,
    Place,
    PlaceName,
    Record,
    RecordKind,
    Subject,
    SubjectLabel,
    Title,
)

pytestmark = pytest.mark.django_db

ARTICLE_PATH = Path(settings.BASE_DIR) / "fixtures" / "sources" / "japanese-pows-in-the-soviet-union.txt"
ARTICLE = re.sub(r"\s+", " ", ARTICLE_PATH.read_text(encoding="utf-8"))


def in_article(text: str) -> bool:
    return re.sub(r"\s+", " ", text) in ARTICLE


def test_the_seed_leaves_no_reading_or_romanization_to_derive(seeded):
    models = (Title, AgentName, PlaceName, SubjectLabel)
    before = [sorted(model.objects.values_list("pk", "language", "text", "machine_made")) for model in models]
    out = StringIO()
    call_command("derive_romanizations", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("0 ")
    assert [sorted(model.objects.values_list("pk", "language", "text", "machine_made")) for model in models] == before
    # A seeded variant has its romanization from the seed, as a preferred name has.
    primorye = PlaceName.objects.get(place__identifier="place-primorsky-krai", derived_from__text="Приморье")
    assert (primorye.language, primorye.text, primorye.preferred, primorye.machine_made) == (
        "ru-Latn", "Primorʹe", False, True)


def test_loading_again_changes_nothing(seeded):
    counts = Record.objects.count(), Place.objects.count(), Agent.objects.count(), Title.objects.count()
    history = Record.history.count()
    out = StringIO()
    call_command("load_seed", stdout=out)
    assert " 0 new, 0 updated" in out.getvalue() and " updated, 0 unchanged" not in out.getvalue()
    assert (Record.objects.count(), Place.objects.count(), Agent.objects.count(), Title.objects.count()) == counts
    assert Record.history.count() == history


def test_every_isbn_the_article_cites_is_seeded_as_given(seeded):
    cited = set(re.findall(r"ISBN\s*([0-9Xx-]{10,17})", ARTICLE))
    assert len(cited) == 7
    assert set(Record.objects.exclude(isbn="").values_list("isbn", flat=True)) == cited


def test_every_seeded_title_and_value_is_in_the_article(seeded):
    records = Record.objects.prefetch_related("titles", "descriptions")
    assert records.count() == 19
    for record in records:
        stated = [t for t in record.titles.all() if not t.machine_made and not t.our_translation]
        assert stated, record.identifier
        for title in stated:
            assert in_article(title.text), (record.identifier, title.text)
        for name in ("url", "container_title", "pages", "extent", "publication_place", "date_display", "isbn",
                     "volume", "issue"):
            value = getattr(record, name)
            assert not value or in_article(value), (record.identifier, name, value)
        if record.year_start:
            assert str(record.year_start) in ARTICLE, record.identifier


def test_machine_made_forms_are_flagged(seeded):
    derived = Title.objects.filter(derived_from__isnull=False)
    assert derived.exists()
    assert all(title.machine_made for title in derived)
    given = Title.objects.get(record__identifier="doc-kasatonova-2003", language="ru-Latn")
    assert not given.machine_made and given.text == "Yaponskiye voyennnoplennye v SSSR: Bolshaya igra velekikh derzhav"


def test_every_name_and_label_is_in_the_article(seeded):
    for model in (AgentName, PlaceName):
        for label in model.objects.filter(machine_made=False, our_translation=False):
            assert in_article(label.text), label.text
    for label in SubjectLabel.objects.filter(machine_made=False, our_translation=False):
        assert label.text.lower() in ARTICLE.lower(), label.text


def test_places_and_subjects_are_named_in_each_language_by_translations_marked_as_ours(seeded):
    for model in (PlaceName, SubjectLabel):
        given = model.objects.filter(machine_made=False, preferred=True)
        for language in ("ja", "ru"):
            named = given.filter(language=language)
            assert named.exists(), (model, language)
            assert all(label.our_translation or in_article(label.text) for label in named), (model, language)
    # The article's own names stay as it gives them, not marked as ours.
    assert not PlaceName.objects.get(place__identifier="place-vladivostok", language="ru").our_translation
    assert PlaceName.objects.get(place__identifier="place-vladivostok", language="en").our_translation


def test_a_japanese_reader_finds_and_browses_in_japanese(seeded, client):
    page = client.get("/ja/records/", {"q": "捕虜"})
    assert page.context["paginator"].count > 0
    facets = client.get("/ja/records/").content.decode()
    assert "ソ連における日本人捕虜" in facets and "ソビエト連邦" in facets
    assert client.get("/ru/records/", {"q": "Приморский край"}).context["paginator"].count > 0


def romanized_name(model, owner, identifier):
    from collection.romanization import readings_available

    if not readings_available():
        pytest.skip("the romanization extra (fugashi, UniDic) is not installed")
    return model.objects.get(**{f"{owner}__identifier": identifier}, language="ja-Latn").text


@pytest.mark.parametrize(("model", "owner", "identifier", "romanized"), [
    (PlaceName, "place", "place-japan", "Nihon"),
    (SubjectLabel, "subject", "subject-japanese-pows", "Soren ni okeru nihonjin horyo"),
    (PlaceName, "place", "place-kansk", "Kansuku"),
    (PlaceName, "place", "place-raychikha-station", "Raichiha Eki"),
    (PlaceName, "place", "place-zhambyl-province", "Janbūru Shū"),
    (PlaceName, "place", "place-sovetskaya-gavan", "Sovietsukaya Gavani"),
])
def test_seeded_japanese_names_are_romanized_as_library_readings_write_them(
        seeded, model, owner, identifier, romanized):
    assert romanized_name(model, owner, identifier) == romanized


def test_persons_are_split_into_family_and_given_names_and_organisations_are_not(seeded):
    split = {name.agent.identifier: (name.language, name.family, name.given)
             for name in AgentName.objects.exclude(family="").select_related("agent")}
    assert split == {
        "agent-applebaum-anne": ("en", "Applebaum", "Anne"),
        "agent-bondarenko-eyu": ("ru-Latn", "Bondarenko", "E. Yu."),
        "agent-kasatonova-el": ("ru-Latn", "Kasatonova", "E. L."),
        "agent-meguro-toshimasa": ("ja-Latn", "Meguro", "Toshimasa"),
        "agent-piper-nicole": ("en", "Piper", "Nicole"),
        "agent-straus-ulrich": ("en", "Straus", "Ulrich"),
        "agent-zagorulko-mm": ("ru", "Загорулько", "М.М."),
    }
    assert set(split) == set(Agent.objects.filter(kind=AgentKind.PERSON).values_list("identifier", flat=True))
    assert not AgentName.objects.filter(agent__kind=AgentKind.ORGANISATION).exclude(family="", given="").exists()
    assert not AgentName.objects.filter(machine_made=True).exclude(family="", given="").exists()
    gulag = Record.objects.get(identifier="doc-applebaum-gulag-2003")
    assert formatted_citation(gulag, "apa", "en").startswith("Applebaum, A. (2003)")


def test_seeded_persons_are_cited_with_their_initials_as_written(seeded):
    cited = {identifier: formatted_citation(Record.objects.get(identifier=identifier), style, "en")
             for identifier, style in [("doc-applebaum-gulag-2003", "chicago-author-date"),
                                       ("doc-bondarenko-2002", "apa")]}
    assert cited["doc-applebaum-gulag-2003"].startswith("Applebaum, Anne. 2003.")
    assert cited["doc-bondarenko-2002"].startswith('<span lang="ru-Latn">Bondarenko, E. Yu</span>. (2002)')


def test_the_state_defense_committee_decree(seeded):
    decree = Record.objects.get(identifier="doc-gko-9898")
    assert decree.date_edtf == "1945-08-23"
    assert decree.display_title("ru") == "О приеме, размещении, трудовом использовании военнопленных японской армии"
    assert [str(a) for a in decree.agents_in_role("issuing_body")] == ["USSR State Defense Committee"]
    assert "9898cc" in ARTICLE
    assert "9898сс" in decree.descriptions.get(language="en").text  # the Cyrillic "сс" of the decree's number


@pytest.mark.parametrize(("place", "ancestors"), [
    ("Raychikha", ["Soviet Union", "Khabarovsk Krai"]),
    ("Izvestkovaya", ["Soviet Union", "Khabarovsk Krai"]),
    ("Krasnaya Zarya", ["Soviet Union", "Chita Oblast"]),
    ("Taishet", ["Soviet Union"]),  # "Taishet, and Novo-Grishino (Irkutsk Oblast)": the oblast follows Novo-Grishino
    ("Novo-Grishino", ["Soviet Union", "Irkutsk Oblast"]),
    ("Kansk", ["Soviet Union", "Krasnoyarsk Krai"]),
    ("Zhambyl Province", ["Soviet Union", "Kazakhstan"]),
    ("South Kazakhstan Province", ["Soviet Union", "Kazakhstan"]),
    ("Komsomolsk-on-Amur", ["Soviet Union"]),
    ("Sovetskaya Gavan", ["Soviet Union"]),
])
def test_places_sit_where_the_article_puts_them(seeded, place, ancestors):
    entry = Place.objects.get(names__text=place, names__language="en")
    assert [str(p) for p in entry.ancestors()] == ancestors


def test_the_places_the_article_names_are_places(seeded):
    names = set(PlaceName.objects.values_list("text", flat=True))
    for name in ("Primorski Krai", "Khabarovsk Krai", "Krasnoyarsk Krai", "Kazakhstan", "Buryat-Mongol ASSR",
                 "Uzbek SSR", "Manchuria", "North Korea", "South Sakhalin", "Kuril Islands", "Mongolia", "Siberia",
                 "Russian Far East", "Moscow", "Владивосток", "Tokyo"):
        assert name in names


def test_the_primorye_issues_form_a_series(seeded, client):
    series = Record.objects.get(identifier="doc-primorye")
    volumes = list(series.children.order_by("sequence"))
    assert [v.identifier for v in volumes] == ["doc-primorye-1", "doc-primorye-2"]
    assert [v.sequence for v in volumes] == [1, 2]
    # Issues (выпуски) of the series, as the article and the titles number them, not volumes (тома).
    assert {v.level for v in volumes} == {LevelOfDescription.ITEM}
    assert volumes[1].isbn == "5834303552"
    assert "Входит в" in (page := client.get("/ru/records/doc-primorye-1/").content.decode())
    assert "№ 1" in page and "т. 1" not in page
    primorye = Place.objects.get(identifier="place-primorsky-krai")
    assert set(Record.objects.in_place(primorye).values_list("identifier", flat=True)) >= {
        "doc-primorye", "doc-primorye-1", "doc-primorye-2"}


def test_the_journal_article(seeded):
    article = Record.objects.get(identifier="doc-piper-2001")
    assert (article.container_title, article.volume, article.issue, article.pages) == (
        "War & Society", "19", "1", "131-148")
    assert "vol. 19, issue 1, pp. 131-148" in ARTICLE


def test_the_web_memoir_and_no_invented_association(seeded):
    memoir = Record.objects.get(kind=RecordKind.MEMOIR)
    assert memoir.url == "http://kiuchi.jpn.org/en/nobindex.htm"
    assert memoir.display_title() == "The Notes of Japanese soldier in USSR"
    # The article speaks of "about 60 associations" but names none.
    assert not Record.objects.filter(kind=RecordKind.ASSOCIATION).exists()


def test_subjects_are_linked(seeded):
    assert Subject.objects.get(identifier="subject-siberian-internment").display_name() == "Siberian Internment"
    assert Record.objects.filter(subjects__identifier="subject-japanese-pows").count() >= 5


def test_demo_setup_serves_the_seeded_collection(client):
    out = StringIO()
    call_command("setup_demo", "--host", "127.0.0.1:8123", stdout=out)
    assert "Demo site: http://127.0.0.1:8123/  admin: http://127.0.0.1:8123/admin/" in out.getvalue()
    assert "Admin login: admin  password: " in out.getvalue()
    response = client.get("/en/records/")
    assert response.status_code == 200
    assert "Gulag: A History" in response.content.decode()
    assert client.get("/en/records/doc-gko-9898/").status_code == 200
    # A contributor may not add a language: the cataloguing languages are there to choose for a new record.
    assert {"ja", "ru", "en"} <= set(Language.objects.values_list("tag", flat=True))


def test_the_documented_example_file_imports_and_exports_unchanged(seeded, tmp_path):
    example = Path(settings.BASE_DIR) / "docs" / "example-catalogue.csv"
    out = StringIO()
    call_command("import_catalogue", str(example), stdout=out)
    # The example is taken from the seed, so the seeded collection already holds it exactly.
    assert "document: 0 new, 0 updated, 4 unchanged" in out.getvalue()
    assert "memoir: 0 new, 0 updated, 1 unchanged" in out.getvalue()
    identifiers = [line.split(",")[0] for line in example.read_text(encoding="utf-8-sig").splitlines()[1:]]
    path = tmp_path / "again.csv"
    call_command("export_catalogue", str(path), stderr=StringIO())
    exported = path.read_bytes().decode("utf-8-sig").splitlines()
    kept = [line for line in exported[1:] if line.split(",")[0] in identifiers]
    assert [exported[0], *kept] == example.read_text(encoding="utf-8-sig").splitlines()
