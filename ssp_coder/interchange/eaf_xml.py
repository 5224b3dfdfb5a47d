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

# (tag, attributes, text, children: nodes, or the children already written)
Node = tuple[str, dict[str, str], "str | None", "list | str"]

_UNSUPPORTED = ("licenses", "linked_file_descriptors", "locales", "languages", "controlled_vocabularies",
                "lexicon_refs", "external_refs")


def supported(eaf: Any) -> bool:
    """True when every part of ``eaf`` is one this module writes."""
    if any(getattr(eaf, name, None) for name in _UNSUPPORTED):
        return False
    return not any(tier[1] for tier in eaf.tiers.values())       # reference annotations


def _attr(text: str) -> str:
    text = _cdata(text)
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
    children: list[Node] = [("HEADER", dict(eaf.header), None, header), ("TIME_ORDER", {}, None, _slots(slots))]
    for _name, (aligned, _refs, attrs, _order) in sorted(eaf.tiers.items(), key=lambda x: x[1][3]):
        children.append(("TIER", _some(attrs), None, _annotations(aligned)))
    children += [("LINGUISTIC_TYPE", _some(lt), None, []) for lt in eaf.linguistic_types.values()]
    children += [("CONSTRAINT", _some({"STEREOTYPE": k, "DESCRIPTION": v}), None, [])
                 for k, v in eaf.constraints.items()]
    return ("ANNOTATION_DOCUMENT", dict(eaf.adocument), None, children)


# A file holds as many time slots and annotations as events, twice over: those are written from templates, each
# element followed by its tail at its depth (time slots and annotations sit at depth 2).
def _slots(slots: list[tuple[str, Any]]) -> str:
    return "".join(f'<TIME_SLOT TIME_SLOT_ID="{_attr(k)}" TIME_VALUE="{_attr(str(v))}" />\n\t\t' if v is not None
                   else f'<TIME_SLOT TIME_SLOT_ID="{_attr(k)}" />\n\t\t' for k, v in slots)


def _annotations(aligned: dict[str, tuple]) -> str:
    out = []
    for aid, (ref1, ref2, value, svg) in aligned.items():
        attrs = "".join(f' {k}="{_attr(v if isinstance(v, str) else str(v))}"' for k, v in
                        (("ANNOTATION_ID", aid), ("TIME_SLOT_REF1", ref1), ("TIME_SLOT_REF2", ref2), ("SVG_REF", svg))
                        if v is not None)
        text = f"<ANNOTATION_VALUE>{_cdata(value)}</ANNOTATION_VALUE>" if value else "<ANNOTATION_VALUE />"
        out.append(f"<ANNOTATION>\n\t\t\t<ALIGNABLE_ANNOTATION{attrs}>\n\t\t\t\t{text}\n\t\t\t\t"
                   "</ALIGNABLE_ANNOTATION>\n\t\t\t</ANNOTATION>\n\t\t")
    return "".join(out)


def _write(node: Node, level: int) -> Iterator[str]:
    tag, attrs, text, children = node
    yield "<" + tag + "".join(f' {k}="{_attr(v)}"' for k, v in attrs.items())
    if children:
        # pympi's indent: text before the first child, and every child's tail, at the children's depth
        yield ">" + ("\n" + "\t" * (level + 1) if not text or not text.strip() else _cdata(text))
        if isinstance(children, str):
            yield children
        else:
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
