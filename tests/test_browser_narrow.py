import pytest

from collection.models import RecordKind

from .factories import AgentFactory, SubjectFactory, link_agent, titled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_URL = ("http://select.nytimes.com/gst/abstract.html?res=F30E14F638590C718DDDAD0894D0494D81"
            "&n=Top%2fNews%2fWorld%2fCountries%20and%20Territories%2fRussia")


@pytest.mark.parametrize("width", [390, 320])
def test_public_pages_fit_a_phone_screen(live_server, page, bob, width):
    record = titled("Test POW blossoms in Siberia", identifier="doc-test-narrow", url=LONG_URL,
                    container_title="Test Times", resource_type="news-item", date_edtf="1998-04-12",
                    description_source=f"Cited in {LONG_URL}")
    titled("Test POW camps", kind=RecordKind.MEMOIR)
    withdrawn = titled("Test POW withdrawn with a long title", identifier="doc-test-narrow-withdrawn")
    withdrawn.withdraw(bob, "Test reason.")
    page.set_viewport_size({"width": width, "height": 800})
    for path in (f"/en/records/{record.identifier}/", f"/ru/records/{record.identifier}/",
                 "/ru/records/?q=POW", "/ja/records/?q=POW",
                 f"/ru/records/{withdrawn.identifier}/", f"/en/records/{withdrawn.identifier}/"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    # Headings of long Russian words (Государственного, Военнопленные) and the site's name wrap too.
    long_words = "Тестовые Военнопленные Государственного Приморского краевого архива"
    russian = titled(long_words, "ru", identifier="doc-test-narrow-ru")
    link_agent(russian, agent := AgentFactory(name=long_words, name__language="ru"))
    russian.subjects.add(subject := SubjectFactory(label=long_words, label__language="ru"))
    for path in ("/ru/", "/ja/", f"/ru/records/{russian.identifier}/", f"/ru/agents/{agent.identifier}/",
                 f"/ru/subjects/{subject.identifier}/"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    # The long option of the sort menu is there, only cut to the screen.
    page.goto(live_server.url + "/ru/records/?q=POW")
    assert page.locator("#sort option[value=relevance]").count() == 1
