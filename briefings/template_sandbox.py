"""The Jinja environment every template runs in: sandboxed, confined to its folders, bounded.

Templates, the bundled ones and a user's overrides alike, run in a ``SandboxedEnvironment``: no
attribute starting with ``_`` (so no ``__globals__``, no ``__builtins__``), no unsafe callables.
A template may fill a list it made itself (``facts.append(...)``), never beyond ``MAX_VALUE``
items; what it is given (frozen views, tuples, a read-only ``headings``) it cannot change. On top:

- **Confined files.** A template is read only from its folder: a link that resolves outside the
  folder, or a file over ``MAX_TEMPLATE_BYTES``, is a ``TemplateError`` naming it.
- **Bounded work.** One render may take at most ``MAX_STEPS`` steps (loop iterations, calls,
  filters) and ``RENDER_SECONDS`` of wall time, and no value it builds (a string, a list) may be
  longer than ``MAX_VALUE``. The operations that multiply sizes (``*``, ``**``, ``%``, ``~``,
  ``join``, ``replace``, ``indent``, ``center`` and other widths, ``format``) are checked
  *before* they build their result, so a hostile template is refused before it takes the memory.
- **Bounded output.** A render streams its output and stops at ``MAX_OUTPUT`` characters.

Every refusal is a ``TemplateBoundError`` (a ``TemplateError``); the renderer adds the template's
name and line.
"""

from __future__ import annotations

import contextvars
import functools
import math
import os
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from briefings.errors import TemplateError

MAX_TEMPLATE_BYTES = 100_000
MAX_STEPS = 1_000_000
RENDER_SECONDS = 2.0
MAX_VALUE = 1_000_000  # characters of a string, items of a list, built by a template
MAX_OUTPUT = 1_000_000  # characters one render may write
MAX_INT_BITS = 4096  # integers a template computes (``**``, ``*``)


class TemplateBoundError(TemplateError):
    """A template tried to do more than a render may (time, steps or size)."""


class _Budget:
    """What one render has left: steps and time."""

    __slots__ = ("deadline", "seconds", "steps")

    def __init__(self, seconds: float, steps: int) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.steps = steps

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise TemplateBoundError(f"rendering takes more than {MAX_STEPS:,} steps")
        if time.monotonic() > self.deadline:
            raise TemplateBoundError(f"rendering takes longer than {self.seconds:g} s")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "template_budget", default=None
)


def _spend(steps: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is not None:  # None while templates are compiled (constant folding)
        budget.spend(steps)


def _check_size(size: int, what: str) -> None:
    if size > MAX_VALUE:
        raise TemplateBoundError(f"{what} would be {size:,} long (at most {MAX_VALUE:,})")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict | set) else 0


def _check_result(value: Any, what: str) -> Any:
    _check_size(_size(value), what)
    return value


def _check_int(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE:
        raise TemplateBoundError(f"{what}: the number {_short_int(value)} is too large")


def _short_int(value: int) -> str:
    bits = abs(value).bit_length()
    if bits > 64:
        return f"of about {int(bits * math.log10(2)):,} digits"
    return f"{value:,}"


# printf-style conversions: width and precision are what can blow up.
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\d+|\*)?(?:\.(\d+|\*))?")


def _check_printf(fmt: str, args: Any) -> None:
    starred = False
    for width, precision in _PRINTF.findall(fmt):
        for n in (width, precision):
            if n.isdigit():
                _check_int(int(n), "a % format width")
            starred = starred or n == "*"
    values = args if isinstance(args, tuple) else (args,)
    if starred:  # a width taken from the arguments
        for value in values:
            _check_int(value, "a % format width")
    _check_size(len(fmt) + sum(len(str(v)) for v in values if _size(v)), "a % format result")


def _check_format_string(fmt: str) -> bool:
    """Widths and precisions of a ``str.format`` string are bounded like integers; true when
    one of them is taken from the arguments (``{:>{}}``)."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return False  # str.format raises its own error
    nested = False
    for _, _, spec, _ in fields:
        for digits in re.findall(r"\d+", spec or ""):
            _check_int(int(digits), "a format width")
        nested = nested or "{" in (spec or "")
    return nested


def _check_join(items: Any, sep: Any) -> None:
    if isinstance(items, list | tuple | set | frozenset | dict | str) and isinstance(sep, str):
        total = sum(len(p) if isinstance(p, str) else 1 for p in items)
        total += len(sep) * max(len(items) - 1, 0)
        _check_size(total, "a join")


def _check_replace(text: Any, old: Any, new: Any, count: Any = None) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        hits = text.count(old)
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        _check_size(len(text) + hits * (len(new) - len(old)), "a replace")


def _check_args(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse, before running it, a filter whose result would be too large.

    ``args[0]`` is the filtered value; the numbers after it (widths, counts) are bounded.
    """
    for value in (*args[1:], *kwargs.values()):
        _check_int(value, f"the {name!r} filter")
    if name == "join" and args:
        sep = kwargs.get("d", args[1] if len(args) > 1 else "")
        _check_join(args[0], sep)
    elif name == "replace" and len(args) >= 3:
        _check_replace(*args[:4])
    elif name == "indent" and args and isinstance(args[0], str):
        width = kwargs.get("width", args[1] if len(args) > 1 else 4)
        pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        _check_size(len(args[0]) + pad * (args[0].count("\n") + 1), "an indent")
    elif name == "wordwrap" and args and isinstance(args[0], str):
        width = kwargs.get("width", args[1] if len(args) > 1 else 79)
        wrap = kwargs.get("wrapstring", args[3] if len(args) > 3 else "\n") or "\n"
        if isinstance(width, int) and width > 0 and isinstance(wrap, str):
            _check_size(len(args[0]) * (1 + len(wrap) // width + len(wrap)), "a wordwrap")
    elif name == "format" and args and isinstance(args[0], str):
        _check_printf(args[0], tuple(args[1:]))


def _metered(items: Iterator[Any]) -> Iterator[Any]:
    """A stream of values (a ``map`` or ``select`` result) whose total size is bounded."""
    total = 0
    for item in items:
        total += _size(item)
        _check_size(total, "a sequence")
        yield item


def _bounded_list(items: Iterable[Any]) -> list[Any]:
    out = []
    for item in items:
        out.append(item)
        _check_size(len(out), "a list")
    return out


def _joinable(items: Iterable[Any], sep: Any) -> list[Any]:
    """``items`` as a list, refused as soon as joining them with ``sep`` would be too large."""
    out = []
    total = 0
    step = len(sep) if isinstance(sep, str) else 0
    for item in items:
        total += (len(item) if isinstance(item, str) else 1) + step
        _check_size(total, "a join")
        out.append(item)
    return out


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` counted as a step, its arguments and result size checked."""

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _spend()
        plain = tuple(
            a for a in args if not isinstance(a, Context | jinja2.Environment | nodes.EvalContext)
        )
        _check_args(name, plain, kwargs)
        if name == "join" and plain and not isinstance(plain[0], Sized):
            sep = kwargs.get("d", plain[1] if len(plain) > 1 else "")
            at = len(args) - len(plain)
            args = (*args[:at], _joinable(plain[0], sep), *args[at + 1 :])
        elif plain and isinstance(plain[0], Iterator):
            at = len(args) - len(plain)
            args = (*args[:at], _metered(plain[0]), *args[at + 1 :])
        return _check_result(func(*args, **kwargs), f"the result of the {name!r} filter")

    return guarded


def _steps(iterable: Iterable[Any]) -> Iterator[Any]:
    """A loop's iterable, each iteration counted as a step."""
    for item in iterable:
        _spend()
        yield item


def _bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """Jinja's ``lipsum``, with at most 20 paragraphs of at most 200 words."""
    if n > 20 or max > 200:
        raise TemplateBoundError("lipsum is limited to 20 paragraphs of 200 words")
    return str(jinja2.utils.generate_lorem_ipsum(n=n, html=html, min=min, max=max))


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles every ``{% for %}`` over a counting iterator and every ``~`` through a check."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "_steps", [], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _concat(parts: Iterable[Any]) -> str:
    """Strings joined, refused before joining when the whole would be too large."""
    strings = [p if isinstance(p, str) else str(p) for p in parts]
    _check_size(sum(map(len, strings)), "a text")
    return "".join(strings)


class SandboxedTemplates(SandboxedEnvironment):
    """The sandboxed, bounded environment (see the module's docstring)."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    concat = staticmethod(_concat)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.filters = {name: _guarded_filter(name, func) for name, func in self.filters.items()}
        self.filters["_steps"] = _steps
        self.globals["lipsum"] = _bounded_lipsum

    def add_filter(self, name: str, func: Callable[..., Any]) -> None:
        """Register a filter of our own, guarded like the built-in ones."""
        self.filters[name] = _guarded_filter(name, func)

    def call_binop(self, context: Context, operator_: str, left: Any, right: Any) -> Any:
        _spend()
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if _size(seq) and isinstance(n, int):
                    _check_size(_size(seq) * max(n, 0), "a repetition")
            both_ints = isinstance(left, int) and isinstance(right, int)
            if both_ints and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
                raise TemplateBoundError("a product of too large numbers")
        elif operator_ == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1 and abs(left).bit_length() * right > MAX_INT_BITS:
                raise TemplateBoundError("a power too large to compute")
        elif operator_ == "+" and _size(left) and _size(right):
            _check_size(_size(left) + _size(right), "a sum")
        elif operator_ == "%" and isinstance(left, str):
            _check_printf(left, right)
        return _check_result(self.binop_table[operator_](left, right), f"a {operator_!r}")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):  # the string methods that can multiply a size
            name = getattr(__obj, "__name__", "")
            if name == "join" and args:
                _check_join(args[0], owner)
            elif name == "replace":
                _check_replace(owner, *args[:3])
            elif name in ("center", "ljust", "rjust", "zfill", "expandtabs"):
                for value in (*args, *kwargs.values()):
                    _check_int(value, f"str.{name}")
                if name == "expandtabs":
                    width = args[0] if args else kwargs.get("tabsize", 8)
                    if isinstance(width, int):
                        _check_size(len(owner) + owner.count("\t") * width, "an expandtabs")
        elif isinstance(owner, list | dict | set):  # a collection the template fills
            name = getattr(__obj, "__name__", "")
            if name in ("extend", "update") and args:
                if not isinstance(args[0], Sized):
                    args = (_bounded_list(args[0]), *args[1:])
                _check_size(len(owner) + _size(args[0]), f"a {type(owner).__name__}")
            elif name in ("append", "insert", "add", "setdefault"):
                _check_size(len(owner) + 1, f"a {type(owner).__name__}")
        result = super().call(__context, __obj, *args, **kwargs)
        return _check_result(result, "the result of a call")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt: str = value.__self__

        def bounded(*args: Any, **kwargs: Any) -> str:
            if _check_format_string(fmt):  # a width taken from the arguments
                for v in (*args, *kwargs.values()):
                    _check_int(v, "a format width")
            return str(_check_result(wrapped(*args, **kwargs), "a format result"))

        return bounded

    def getattr(self, obj: Any, attribute: str) -> Any:
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _spend()
        return super().getitem(obj, argument)


def render_bounded(template: jinja2.Template, context: dict[str, Any]) -> str:
    """``template`` rendered with ``context`` within the bounds of one render."""
    token = _BUDGET.set(_Budget(RENDER_SECONDS, MAX_STEPS))
    try:
        out: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateBoundError(f"the output is longer than {MAX_OUTPUT:,} characters")
            out.append(chunk)
        return "".join(out)
    finally:
        _BUDGET.reset(token)


class ConfinedLoader(jinja2.FileSystemLoader):
    """A folder's templates, never a file that a link takes out of the folder, never a huge one."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.root = folder.resolve()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = Path(os.path.join(self.root, *jinja2.loaders.split_template_path(template)))
        if path.is_symlink() or path.exists():
            resolved = path.resolve()
            if not resolved.is_relative_to(self.root):
                raise TemplateError(
                    f"template {path} links outside the templates folder {self.root}: refused"
                )
            if resolved.is_file() and resolved.stat().st_size > MAX_TEMPLATE_BYTES:
                raise TemplateError(
                    f"template {path} is larger than {MAX_TEMPLATE_BYTES:,} bytes: refused"
                )
        return super().get_source(environment, template)


__all__ = [
    "MAX_OUTPUT",
    "MAX_STEPS",
    "MAX_VALUE",
    "RENDER_SECONDS",
    "ConfinedLoader",
    "SandboxedTemplates",
    "TemplateBoundError",
    "render_bounded",
]
