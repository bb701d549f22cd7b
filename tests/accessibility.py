"""Reading a public page as assistive technology does: the names it speaks, and the structure it navigates by."""

from __future__ import annotations

from collections import Counter

import lxml.html
from django.utils.translation import get_language_info

CONTROLS = ("input", "select", "textarea")


def page_tree(client, url: str, status: int = 200) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == status, url
    return lxml.html.fromstring(response.content.decode())


def spoken_text(element: lxml.html.HtmlElement) -> str:
    """An element's text as a screen reader reads it: without what is ``aria-hidden``, an image as its ``alt``,
    white space folded."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if node.get("aria-hidden") == "true":
            return
        if node.tag == "img":
            parts.append(node.get("alt") or "")
        parts.append(node.text or "")
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            parts.append(child.tail or "")

    walk(element)
    return " ".join("".join(parts).split())


def accessible_name(element: lxml.html.HtmlElement) -> str:
    """What a control or link is called: ``aria-labelledby``, ``aria-label``, its ``<label>``, else its text."""
    tree = element.getroottree()
    if element.get("aria-labelledby"):
        return " ".join(spoken_text(tree.getroot().get_element_by_id(ref))
                        for ref in element.get("aria-labelledby").split())
    if element.get("aria-label"):
        return element.get("aria-label")
    if element.tag in CONTROLS and element.get("id"):
        labels = tree.getroot().xpath("//label[@for=$id]", id=element.get("id"))
        if labels:
            return spoken_text(labels[0])
    return spoken_text(element)


def description(element: lxml.html.HtmlElement) -> str:
    """The texts ``aria-describedby`` points to, in order."""
    root = element.getroottree().getroot()
    return " ".join(spoken_text(root.get_element_by_id(ref)) for ref in (element.get("aria-describedby") or "").split())


def group_name(element: lxml.html.HtmlElement) -> str:
    """The legend of the fieldset holding a control: what a screen reader says on entering the group."""
    fieldsets = element.xpath("ancestor::fieldset[1]")
    if not fieldsets:
        return ""
    legend = fieldsets[0].find("legend")
    return spoken_text(legend) if legend is not None else ""


def structure_problems(tree: lxml.html.HtmlElement, language: str) -> list[str]:
    """What keeps a screen reader or keyboard user from finding their way on a page: its language, headings,
    landmarks, skip link, names of controls and images, the references between them and the language links."""
    problems: list[str] = []
    if tree.get("lang") != language:
        problems.append(f"<html lang={tree.get('lang')!r}>")
    if not (tree.findtext(".//title") or "").strip():
        problems.append("no title")
    levels = [int(heading.tag[1]) for heading in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    if levels.count(1) != 1 or levels[0] != 1:
        problems.append(f"headings {levels}: not one h1 first")
    problems += [f"heading h{after} after h{before}"
                 for before, after in zip(levels, levels[1:], strict=False) if after > before + 1]
    body = tree.find("body")
    first_link = body.find(".//a")
    if first_link is None or first_link.get("href") != "#main" or tree.xpath("//main[@id='main']") == []:
        problems.append("no skip link to <main id=main> first")
    for landmark in ("header", "main"):
        if len(body.findall(landmark)) != 1:
            problems.append(f"not one <{landmark}> in <body>")
    navigations = tree.findall(".//nav")
    if not navigations or any(not (nav.get("aria-label") or nav.get("aria-labelledby")) for nav in navigations):
        problems.append("a <nav> without a name, which tells it from the others")
    ids = Counter(element.get("id") for element in tree.iter() if isinstance(element.tag, str) and element.get("id"))
    problems += [f"id {name} given {count} times" for name, count in ids.items() if count > 1]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("aria-describedby", "aria-labelledby"):
            problems += [f"{attribute}={ref} names nothing" for ref in (element.get(attribute) or "").split()
                         if ref not in ids]
        if element.tag in CONTROLS and element.get("type") != "hidden":
            if not accessible_name(element).strip():
                problems.append(f"<{element.tag} name={element.get('name')}> has no label")
            if element.get("type") == "number" and not group_name(element):
                problems.append(f"<input name={element.get('name')}> is one of a range outside a named group")
        if element.tag == "img" and element.get("alt") is None:
            problems.append(f"<img src={element.get('src')}> without alt")
        if element.tag in ("a", "button") and not accessible_name(element):
            problems.append(f"<{element.tag} href={element.get('href')}> without a name")
    for link in tree.xpath("//nav[contains(@class, 'languages')]//a"):
        code = link.get("hreflang")
        if link.get("lang") != code or spoken_text(link) != get_language_info(code)["name_local"]:
            problems.append(f"the language link {spoken_text(link)!r} is not named in its own language")
    return problems
