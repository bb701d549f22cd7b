import pytest
from django.urls import reverse

from collection.models import Status

from .factories import RecordFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_list_in_a_real_browser(live_server, page):
    RecordFactory(title="日本人捕虜の記録", status=Status.PUBLISHED)
    RecordFactory(title="Draft only", status=Status.DRAFT)
    page.goto(live_server.url + reverse("collection:record-list"))
    assert page.get_by_role("link", name="日本人捕虜の記録").is_visible()
    assert page.get_by_text("Draft only").count() == 0
    page.keyboard.press("Tab")  # the skip link is the first stop and becomes visible on focus
    assert page.evaluate("document.activeElement.className") == "skip"


@pytest.mark.parametrize("width", [1000, 390])
def test_a_label_with_several_values_keeps_the_labels_beside_their_own_values(live_server, page, width):
    from collection.models import AgentKind, AgentRole

    from .factories import AgentFactory, link_agent

    record = RecordFactory(title="Two publishers", status=Status.PUBLISHED, date_edtf="2005", extent="152 p.")
    for name in ("First Press", "Second Press"):
        link_agent(record, AgentFactory(kind=AgentKind.ORGANISATION, name=name), AgentRole.PUBLISHER)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + record.get_absolute_url())
    boxes = page.evaluate("""() => [...document.querySelectorAll('dl.metadata > *')].map(e => {
        const box = e.getBoundingClientRect();
        return [e.tagName, e.textContent.trim(), Math.round(box.left), Math.round(box.top)];
    })""")
    labels = [box for box in boxes if box[0] == "DT"]
    values = [box for box in boxes if box[0] == "DD"]
    assert len({left for _tag, _text, left, _top in labels}) == 1
    assert len({left for _tag, _text, left, _top in values}) == 1
    if width > 500:  # labels beside their values
        assert values[0][2] > labels[0][2]
    else:  # on a phone each label above its values, in one column
        assert values[0][2] == labels[0][2]
    # The second publisher is below the first, and every label after them is below both: none takes the
    # value column's place.
    texts = [text for _tag, text, _left, _top in boxes]
    first, second = boxes[texts.index("First Press")], boxes[texts.index("Second Press")]
    assert second[3] > first[3]
    later_labels = [box for box in boxes[texts.index("Second Press"):] if box[0] == "DT"]
    assert later_labels and all(label[3] > second[3] for label in later_labels)
