"""The worked derivations rendered three ways: plain Unicode (Markdown), HTML and LaTeX.

The derivation model (``engine.derivation``) writes everything once in a small markup:

* math: Unicode with ``x_{sub}`` and ``x^{sup}`` (never nested): ``∂L/∂w_{13} = −δ_{3} x_{1}``
* prose: plain text with math between dollar signs: ``the δ of $y_{3}$``

and this module turns a ``Document``, a ``Section`` or one ``Equation`` into text. It reads
their fields only (``title``, ``sections``, ``items``, ``lhs``, ``op``, ``forms``), so it imports
nothing of the model; numbers arrive already written (``engine.numbers.fmt``).
"""
from __future__ import annotations

import html
import re
import unicodedata

FORMATS = ("md", "html", "tex")

_GROUP = re.compile(r"([_^])\{([^{}]*)\}")
_SUPERSCRIPT = dict(zip("0123456789+−()=nesiw", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾⁼ⁿᵉˢⁱʷ"))


_DOLLAR = re.compile(r"(?<!\$)\$(?!\$)")  # a single $; "$$" is a literal dollar sign


def _prose(text, math_fn, text_fn):
    """Render prose: the parts between dollar signs as math, the rest as text."""
    parts = _DOLLAR.split(text)
    return "".join(math_fn(p) if k % 2 else text_fn(p.replace("$$", "$"))
                   for k, p in enumerate(parts))


def _is_equation(item):
    """Section items are prose (str) or equations (``engine.derivation.Equation``)."""
    return item is not None and not isinstance(item, str)


def _lines(eq):
    """(operator, form) per line of an equation: the first with ``eq.op``, the rest with "=",
    and "≈" before a result the numbers shown cannot give to its decimals (``eq.approx``)."""
    last = len(eq.forms) - 1
    approx = getattr(eq, "approx", False) and last > 0
    return [(eq.op if k == 0 else "≈" if approx and k == last else "=", form)
            for k, form in enumerate(eq.forms)]


def plain_math(m):
    """Math as plain Unicode, the app's own notation: δ_{3} → δ3, y^{2} → y²; a subscript
    with letters keeps its underscore (net_{j} → net_j, Σ_{i} → Σ_i: "netj" reads as a word)."""
    def group(match):
        kind, inner = match.groups()
        if kind == "_":
            return inner if inner.isdigit() else f"_{inner}"
        if all(c in _SUPERSCRIPT for c in inner):
            return "".join(_SUPERSCRIPT[c] for c in inner)
        return f"^({inner})"
    return _GROUP.sub(group, m)


def plain_prose(text):
    return _prose(text, plain_math, str)


def to_markdown(doc):
    out = [f"# {plain_prose(doc.title)}", ""]
    for sec in doc.sections:
        out += [f"## {plain_prose(sec.title)}", ""]
        block = []  # consecutive equations share one code block, so they line up
        for item in sec.items + (None,):
            if _is_equation(item):
                lhs = plain_math(item.lhs)
                for k, (op, (_, form)) in enumerate(_lines(item)):
                    block.append(f"{lhs if k == 0 else ' ' * len(lhs)} {op} {plain_math(form)}")
                continue
            if block:
                out += ["```text", *block, "```", ""]
                block = []
            if item is not None:
                out += [plain_prose(item), ""]
    return "\n".join(out)


def html_math(m):
    """Math as HTML: sub- and superscripts as <sub>/<sup>."""
    def group(match):
        tag = "sub" if match.group(1) == "_" else "sup"
        return f"<{tag}>{match.group(2)}</{tag}>"
    return f'<span class="m">{_GROUP.sub(group, html.escape(m, quote=False))}</span>'


def html_prose(text):
    return _prose(text, html_math, lambda t: html.escape(t, quote=False))


#: the look of an equation table; the math panel adds its own colours on top
HTML_CSS = """
body { font-family: sans-serif; line-height: 1.35; }
.m { font-family: "DejaVu Serif", "Cambria Math", "Times New Roman", serif; }
table.eq { margin: 4px 0 10px 0; border-collapse: collapse; }
table.eq td { padding: 1px 4px; vertical-align: top; }
td.lhs { text-align: right; white-space: nowrap; }
td.op { text-align: center; }
tr.num td.rhs { color: #1F4E79; }
tr.res td.rhs { font-weight: bold; }
"""


def html_equation(eq):
    rows = []
    for k, (op, (kind, form)) in enumerate(_lines(eq)):
        lhs = html_math(eq.lhs) if k == 0 else ""
        rows.append(f'<tr class="{kind}"><td class="lhs">{lhs}</td><td class="op">{op}</td>'
                    f'<td class="rhs">{html_math(form)}</td></tr>')
    return '<table class="eq" cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>"


def html_section(sec, level=2, title=True):
    body = [f"<h{level}>{html_prose(sec.title)}</h{level}>"] if title else []
    for item in sec.items:
        body.append(html_equation(item) if _is_equation(item)
                    else f"<p>{html_prose(item)}</p>")
    return "\n".join(body)


def to_html(doc, standalone=True):
    """The document as HTML; ``standalone`` makes it a whole, well-formed (XHTML-clean) page."""
    body = "\n".join([f"<h1>{html_prose(doc.title)}</h1>"]
                     + [html_section(s) for s in doc.sections])
    if not standalone:
        return body
    title = html.escape(plain_prose(doc.title), quote=False)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
            f"<title>{title}</title>\n<style>{HTML_CSS}</style>\n</head>\n<body>\n{body}\n"
            "</body>\n</html>\n")


_TEX_SYMBOLS = {
    "δ": r"\delta ", "η": r"\eta ", "σ": r"\sigma ", "Σ": r"\sum\nolimits ", "∂": r"\partial ",
    "½": r"\tfrac{1}{2}", "·": r"\cdot ", "×": r"\times ", "−": "-", "←": r"\leftarrow ",
    "…": r"\dots ", "—": r"\text{---}", "–": "-", "→": r"\rightarrow ", "≤": r"\le ",
    "≥": r"\ge ", "≈": r"\approx ", "′": "'",
}
_TEX_OPERATORS = {"exp", "log", "tanh"}
_TEX_TOKEN = re.compile(r"([_^])\{([^{}]*)\}|(\d+(?:\.\d+)?)e([−+-])(\d+)|([A-Za-z]+)|(.)",
                        re.S)


def tex_math(m, index=False):
    """Math as LaTeX (for math mode): names upright (net, Err, ReLU), indices italic (w_{ij}),
    1.2e−05 as 1.2 × 10⁻⁵."""
    out = []
    for g in _TEX_TOKEN.finditer(m):
        script, inner, mant, sign, exp_, word, ch = g.groups()
        if script:
            out.append(f"{script}{{{tex_math(inner, index=script == '_')}}}")
        elif mant:
            minus = "-" if sign in "−-" else ""
            out.append(rf"{mant}\times 10^{{{minus}{int(exp_)}}}")
        elif word:
            if len(word) == 1 or index:
                out.append(word)
            else:
                out.append(f"\\{word} " if word in _TEX_OPERATORS else rf"\mathrm{{{word}}}")
        else:
            out.append(_TEX_SYMBOLS.get(ch, ch))
    return "".join(out)


_TEX_TEXT = {"\\": r"\textbackslash{}", "$": r"\$", "{": r"\{", "}": r"\}", "&": r"\&", "#": r"\#",
             "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}", "—": "---", "–": "--",
             "…": r"\dots{}", "’": "'"}


def _tex_char(c):
    """One character of prose as LaTeX: specials escaped, math symbols and Greek letters as
    inline math, Latin letters as they are; anything pdfLaTeX cannot set becomes "?"."""
    if c in _TEX_TEXT:
        return _TEX_TEXT[c]
    if c in _TEX_SYMBOLS:
        return f"${_TEX_SYMBOLS[c]}$"
    name = unicodedata.name(c, "")
    if name.startswith("GREEK SMALL LETTER") and "OMICRON" not in name:
        letter = name.split()[-1].lower().replace("lamda", "lambda")
        return f"$\\{letter}$"
    return c if ord(c) < 0x250 else "?"


def tex_text(t):
    return "".join(map(_tex_char, t))


def tex_prose(text):
    return _prose(text, lambda m: f"${tex_math(m)}$", tex_text)


def tex_rows(eq):
    """An equation's lines as rows of an align* environment, aligned on the operator."""
    rows = []
    for k, (op, (kind, form)) in enumerate(_lines(eq)):
        lhs = tex_math(eq.lhs) if k == 0 else ""
        body = tex_math(form)
        if kind == "res":
            body = rf"\mathbf{{{body}}}"
        rows.append(f"{lhs} &{tex_math(op)} {body}")
    return rows


def to_latex(doc):
    body = [rf"\section*{{{tex_prose(doc.title)}}}"]
    for sec in doc.sections:
        body.append(rf"\subsection*{{{tex_prose(sec.title)}}}")
        rows = []  # consecutive equations share one align*, so they line up
        for item in sec.items + (None,):
            if _is_equation(item):
                rows += tex_rows(item)
                continue
            if rows:
                body.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
                rows = []
            if item is not None:
                body.append(tex_prose(item))
    # fleqn: equations flush left under their heading, as in the notes
    return ("\\documentclass[11pt,fleqn]{article}\n\\usepackage[utf8]{inputenc}\n"
            "\\usepackage[T1]{fontenc}\n\\usepackage{amsmath,amssymb}\n"
            "\\usepackage[margin=2cm]{geometry}\n\\allowdisplaybreaks\n"
            "\\setlength{\\parindent}{0pt}\n\\setlength{\\parskip}{0.5em}\n"
            "\\begin{document}\n" + "\n\n".join(body) + "\n\\end{document}\n")


def render(doc, format="md"):
    """``doc`` as Markdown ("md"), a standalone HTML page ("html") or a LaTeX file ("tex")."""
    renderers = {"md": to_markdown, "html": to_html, "tex": to_latex}
    if format not in renderers:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    return renderers[format](doc)
