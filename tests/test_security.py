"""What a hostile address could make of the public site: links that stay on the site."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _language_links(html: str) -> dict[str, str]:
    return dict((code, href) for href, code in re.findall(r'<a href="([^"]*)" hreflang="(\w+)"', html))


class TestLanguageLinks:
    @pytest.mark.parametrize("path", ["/%2F/other.example/", "/%2F%2Fother.example/"])
    def test_a_not_found_page_links_each_language_on_this_site(self, client, path):
        # "/%2F/other.example/" reaches the site as "///other.example/": linked as it came, a browser would take
        # the "English" link to other.example. Each language's home page is linked instead.
        response = client.get(path)
        assert response.status_code == 404
        assert _language_links(response.content.decode()) == {"ja": "/ja/", "ru": "/ru/", "en": "/en/"}
        # An address on the site is linked as it came.
        links = _language_links(client.get("/en/no-such-page/").content.decode())
        assert set(links.values()) == {"/en/no-such-page/"}
