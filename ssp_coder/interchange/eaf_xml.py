"""An .eaf document written straight from a pympi ``Eaf``: the bytes ``Eaf.to_file`` writes, several times faster.

pympi builds an ElementTree of the whole document and pretty-prints it node by
node; for a year of codings (hundreds of files, hundreds of annotations each)
that was most of an ELAN export. This writes the same document — the same
elements, attribute order, escaping, tabs and line breaks (pympi's ``indent``
included, which leaves a closing tag one tab deeper than its opening tag) —
for the parts of an Eaf the ELAN export fills in. An Eaf with anything else
(licences, reference annotations, vocabularies ...) is written by pympi.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

# (tag, attributes, text, children)
Node = tuple[str, dict[str, str], "str | None", list]

_UNSUPPORTED = ("licenses", "linked_file_descriptors", "locales", "languages", "controlled_vocabularies",
                "lexicon_refs", "external_refs")


def supported(eaf: Any) -> bool:
    """True when every part of ``eaf`` is one this module writes."""
    if any(getattr(eaf, name, None) for name in _UNSUPPORTED):
        return False
    return not any(tier[1] for tier in eaf.tiers.values())       # reference annotations


def _attr(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _cdata(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _some(d: dict) -> dict[str, str]:
    """pympi's ``rm_none``: attributes without the missing ones, every value as text."""
    return {k: v if isinstance(v, str) else str(v) for k, v in d.items() if v is not None}


def _document(eaf: Any) -> Node:
    header: list[Node] = [("MEDIA_DESCRIPTOR", _some(m), None, []) for m in eaf.media_descriptors]
    header += [("PROPERTY", {"NAME": k}, str(v), []) for k, v in eaf.properties]
    slots = sorted(eaf.timeslots.items(), key=lambda x: (int(re.findall(r"ts(\d+)", x[0])[0]), x[0]))
    children: list[Node] = [("HEADER", dict(eaf.header), None, header),
                            ("TIME_ORDER", {}, None, [("TIME_SLOT", _some({"TIME_SLOT_ID": k, "TIME_VALUE": v}), None,
                                                       []) for k, v in slots])]
    for _name, (aligned, _refs, attrs, _order) in sorted(eaf.tiers.items(), key=lambda x: x[1][3]):
        annotations = [("ANNOTATION", {}, None, [("ALIGNABLE_ANNOTATION", _some(
            {"ANNOTATION_ID": aid, "TIME_SLOT_REF1": a[0], "TIME_SLOT_REF2": a[1], "SVG_REF": a[3]}), None,
            [("ANNOTATION_VALUE", {}, a[2], [])])]) for aid, a in aligned.items()]
        children.append(("TIER", _some(attrs), None, annotations))
    children += [("LINGUISTIC_TYPE", _some(lt), None, []) for lt in eaf.linguistic_types.values()]
    children += [("CONSTRAINT", _some({"STEREOTYPE": k, "DESCRIPTION": v}), None, [])
                 for k, v in eaf.constraints.items()]
    return ("ANNOTATION_DOCUMENT", dict(eaf.adocument), None, children)


def _write(node: Node, level: int) -> Iterator[str]:
    tag, attrs, text, children = node
    yield "<" + tag + "".join(f' {k}="{_attr(v)}"' for k, v in attrs.items())
    if children:
        # pympi's indent: text before the first child, and every child's tail, at the children's depth
        yield ">" + ("\n" + "\t" * (level + 1) if not text or not text.strip() else _cdata(text))
        for child in children:
            yield from _write(child, level + 1)
        yield f"</{tag}>"
    elif text:
        yield ">" + _cdata(text) + f"</{tag}>"
    else:
        yield " />"
    yield "\n" + "\t" * level


def eaf_bytes(eaf: Any) -> bytes:
    """The document ``eaf.to_file`` would write (``supported(eaf)`` must hold)."""
    body = "".join(_write(_document(eaf), 0))
    return ("<?xml version='1.0' encoding='UTF-8'?>\n" + body).encode("utf-8", "xmlcharrefreplace")
