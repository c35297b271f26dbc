"""Render a letter as Markdown, HTML or PDF (Chromium, Chinese fonts embedded)."""

from __future__ import annotations

import html
import re
from typing import Any

from jinja2 import Environment, PackageLoader

# Markdown is plain text: no HTML autoescaping here; the HTML renderer escapes every line.
_ENV = Environment(
    loader=PackageLoader("cancelscout.output", "templates"),
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_HTML_ENV = Environment(
    loader=PackageLoader("cancelscout.output", "templates"), autoescape=True, trim_blocks=True
)
TITLES = {"request": "关于终止会员服务并退还剩余费用的书面要求", "complaint": "12315 投诉（草稿）"}


def render_markdown(context: dict[str, Any]) -> str:
    text = _ENV.get_template(f"letter_{context['kind']}.md.j2").render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


_PLACEHOLDER = re.compile(r"(【待填写：[^】]*】)")
_ORDERED = re.compile(r"^(\d+)\.\s+(.*)$")


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return _PLACEHOLDER.sub(r'<span class="placeholder">\1</span>', escaped)


def markdown_to_html(markdown: str) -> str:
    """HTML for the small Markdown subset the letter templates write: headings, paragraphs,
    numbered items with indented bullet lists, and pipe tables."""
    out: list[str] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("#"):
            level = len(stripped) - len(stripped.lstrip("#"))
            out.append(f"<h{level}>{_inline(stripped[level:].strip())}</h{level}>")
            i += 1
        elif stripped.startswith("|"):
            rows: list[list[str]] = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(set(c) <= {"-", ":", " "} for c in cells):
                    rows.append(cells)
                i += 1
            head, *body = rows
            out.append("<table><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr>")
            out.extend(
                "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in body
            )
            out.append("</table>")
        elif stripped.startswith("- "):
            items = []
            while i < len(lines) and lines[i].strip().startswith("- "):
                items.append(f"<li>{_inline(lines[i].strip()[2:])}</li>")
                i += 1
            out.append("<ul>" + "".join(items) + "</ul>")
        else:
            match = _ORDERED.match(stripped)
            if match:
                number, text = match.groups()
                out.append(f'<p class="item"><b>{number}.</b> {_inline(text)}</p>')
            else:
                out.append(f"<p>{_inline(stripped)}</p>")
            i += 1
    return "\n".join(out)


def render_html(context: dict[str, Any]) -> str:
    body = markdown_to_html(render_markdown(context))
    return _HTML_ENV.get_template("letter.html.j2").render(title=TITLES[context["kind"]], body=body)
