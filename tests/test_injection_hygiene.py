"""Injection hygiene (issue 5, item 11): no request data reaches SQL through the ORM's open doors.

Every Python file under openipt/ (not migrations, not tests) is parsed and these are refused:

* `.raw(`, `.extra(` and `RawSQL(` anywhere: raw SQL beside the ORM.
* `order_by(`, `values(`, `values_list(` given anything but constants: string literals, `F("…")`
  with its `.asc()`/`.desc()`, a choice between constants, or names bound only to such values.
  Field names from a request are how CVE-2021-35042 (order_by) and CVE-2024-42005 (values on
  JSONField keys) reached SQL.
* `**` into a query (filter, exclude, get, annotate, alias, aggregate, order_by, values, Q) unless it
  is a dict whose keys are literals: request-chosen keys are CVE-2022-28346 (annotate, aggregate).
* `**` built from request data (`**request.…`, `**x.GET/POST/data/…`) into any call at all.
* `execute()`, `executemany()`, `executescript()` whose SQL is not constant (an f-string, `%`, `+`
  or `.format()`): parameters go separately, e.g. `cursor.execute("… = %s", [value])`.

ALLOWED lists the few reviewed exceptions, each with its reason; an entry that stops matching
anything fails the test, so the list cannot outlive the code it excuses. The self-tests feed the
checker each bad pattern, so the test cannot pass by checking nothing.
"""

from __future__ import annotations

import ast
import functools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "openipt"

RAW_SQL = {"raw", "extra", "RawSQL"}
STATIC_ARGS = {"order_by", "values", "values_list"}
QUERY_METHODS = {"filter", "exclude", "get", "annotate", "alias", "aggregate", "Q", *STATIC_ARGS}
EXECUTE = {"execute", "executemany", "executescript"}
REQUEST_DATA = {"GET", "POST", "data", "body", "COOKIES", "headers", "META", "FILES", "query_params"}
# Expressions that are as constant as their arguments.
EXPRESSIONS = {"F", "Lower", "Upper", "Value", "Coalesce", "OrderBy", "Collate", "Length"}
ORDERINGS = {"asc", "desc"}

# (file, function, rule) -> why it is safe. Keep this short; prefer changing the code.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("openipt/ops/backup.py", "_counts", "sql"): (
        "COUNT(*) per table for the backup manifest: table names come from the database's own "
        "catalogue (sqlite_master, pg_tables), never from a user, and are quoted"
    ),
    ("openipt/audit/actions.py", "_insert_rows", "sql"): (
        "one INSERT for a list page's read-audit rows: the table, column names and column types come "
        "from the AuditEvent model's own metadata and are quoted; every value is a bound parameter"
    ),
    ("openipt/lib/db/guards.py", "lifted", "sql"): (
        "drops and recreates the immutability triggers for tests: the DDL is generated from the "
        "module's own TRIGGERS list, with nothing from outside the source"
    ),
    ("openipt/lib/db/guards.py", "remaking_triggers.remake_triggers", "sql"): (
        "the migrations' remaking of the same triggers after a SQLite table rebuild: the DDL is "
        "generated from the module's own TRIGGERS list for table names written in the migration"
    ),
}


@dataclass(frozen=True)
class Imported:
    """A name bound by an import: `module` is dotted and absolute; `name` is None for `import module`."""

    module: str
    name: str | None


Bound = ast.expr | Imported | None  # None: bound to something unknown, e.g. a parameter


def _module_file(dotted: str) -> Path | None:
    """The source of an openipt module (other packages are never trusted to hold constants)."""
    if dotted != "openipt" and not dotted.startswith("openipt."):
        return None
    base = REPO.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    scope: str
    rule: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.scope or '<module>'}: {self.what}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _bindings(body: list[ast.stmt], package: str = "") -> dict[str, list[Bound]]:
    """Every value each name is bound to in these statements, without entering nested functions,
    classes or lambdas, which have scopes of their own. `package` resolves relative imports."""
    found: dict[str, list[Bound]] = {}

    def bind(target: ast.expr, value: Bound) -> None:
        if isinstance(target, ast.Name):
            found.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                bind(element.value if isinstance(element, ast.Starred) else element, None)

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found.setdefault(child.name, []).append(None)
                continue
            if isinstance(child, ast.Lambda):
                continue
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    bind(target, child.value)
            elif isinstance(child, ast.AnnAssign | ast.NamedExpr) and child.value is not None:
                bind(child.target, child.value)
            elif isinstance(child, ast.AugAssign):
                bind(child.target, None)
            elif isinstance(child, ast.For | ast.AsyncFor):
                # A loop over constants binds constants.
                bind(child.target, ast.Subscript(value=child.iter, slice=ast.Constant(0)))
            elif isinstance(child, ast.withitem) and child.optional_vars is not None:
                bind(child.optional_vars, None)
            elif isinstance(child, ast.ExceptHandler) and child.name:
                found.setdefault(child.name, []).append(None)
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    imported = Imported(alias.name, None) if alias.asname else None
                    found.setdefault((alias.asname or alias.name).split(".")[0], []).append(imported)
            elif isinstance(child, ast.ImportFrom):
                module = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    module = ".".join([*parts, *([module] if module else [])]) if package else ""
                for alias in child.names:
                    found.setdefault(alias.asname or alias.name, []).append(
                        Imported(module, alias.name) if module else None
                    )
            walk(child)

    walk(ast.Module(body=body, type_ignores=[]))
    return found


class Checker(ast.NodeVisitor):
    def __init__(self, path: str, module: str = "") -> None:
        self.path = path
        self.module = module  # dotted, when the source is a file of the project
        self.scopes: list[tuple[str, dict[str, list[Bound]]]] = []
        self.findings: list[Finding] = []
        self.seen: Counter[str] = Counter()

    @property
    def package(self) -> str:
        is_package = self.path.endswith("__init__.py")
        return self.module if is_package else self.module.rpartition(".")[0]

    # --- scopes ---------------------------------------------------------------------------------

    def visit_Module(self, node: ast.Module) -> None:
        self.scopes.append(("", _bindings(node.body, self.package)))
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        bindings = _bindings(node.body, self.package)
        params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        params += [a for a in (node.args.vararg, node.args.kwarg) if a is not None]
        for param in params:
            bindings.setdefault(param.arg, []).append(None)
        outer = self.scopes[-1][0]
        self.scopes.append((f"{outer}.{node.name}" if outer else node.name, bindings))
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        outer = self.scopes[-1][0]
        self.scopes.append((f"{outer}.{node.name}" if outer else node.name, {}))
        self.generic_visit(node)
        self.scopes.pop()

    def _lookup(self, name: str) -> list[Bound] | None:
        for _, bindings in reversed(self.scopes):
            if name in bindings:
                return bindings[name]
        return None

    # --- what counts as constant ----------------------------------------------------------------

    def static(self, node: ast.expr | None, depth: int = 0) -> bool:
        """Whether the value is fixed in the source: nothing from a request can choose it."""
        if node is None or depth > 20:
            return False
        nxt = depth + 1
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return all(self.static(e, nxt) for e in node.elts)
        if isinstance(node, ast.Starred):
            return self.static(node.value, nxt)
        if isinstance(node, ast.Name):
            bound = self._lookup(node.id)
            return bool(bound) and all(self._static_binding(value, nxt) for value in bound or [])
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            # `guards.COLUMNS`: a constant of another openipt module imported as a module.
            bound = self._lookup(node.value.id)
            if bound and len(bound) == 1 and isinstance(bound[0], Imported):
                module = _imported_module(bound[0])
                return module is not None and module.static(ast.Name(id=node.attr), nxt)
            return False
        if isinstance(node, ast.BinOp):
            return self.static(node.left, nxt) and self.static(node.right, nxt)
        if isinstance(node, ast.UnaryOp):
            return self.static(node.operand, nxt)
        if isinstance(node, ast.IfExp):
            return self.static(node.body, nxt) and self.static(node.orelse, nxt)
        if isinstance(node, ast.Subscript):
            return self.static(node.value, nxt) and self.static(node.slice, nxt)
        if isinstance(node, ast.Call):
            func = node.func
            constant_call = isinstance(func, ast.Name) and func.id in EXPRESSIONS
            ordering = (
                isinstance(func, ast.Attribute) and func.attr in ORDERINGS and self.static(func.value, nxt)
            )
            return (constant_call or ordering) and all(
                self.static(a, nxt) for a in [*node.args, *(k.value for k in node.keywords)]
            )
        return False

    def _static_binding(self, value: Bound, depth: int) -> bool:
        if isinstance(value, Imported):
            if value.name is None or _imported_module(value) is not None:
                return False  # a module is not a value
            module = _module_checker(value.module)
            return module is not None and module.static(ast.Name(id=value.name), depth)
        return self.static(value, depth)

    def literal_keys(self, node: Bound, depth: int = 0) -> bool:
        """Whether `**node` can only pass keyword names written in the source."""
        if node is None or isinstance(node, Imported) or depth > 20:
            return False
        if isinstance(node, ast.Dict):
            return all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys)
        if isinstance(node, ast.IfExp):
            return self.literal_keys(node.body, depth + 1) and self.literal_keys(node.orelse, depth + 1)
        if isinstance(node, ast.Name):
            bound = self._lookup(node.id)
            return bool(bound) and all(self.literal_keys(value, depth + 1) for value in bound or [])
        return False

    # --- the rules ------------------------------------------------------------------------------

    def flag(self, node: ast.AST, rule: str, what: str) -> None:
        line = getattr(node, "lineno", 0)
        self.findings.append(Finding(self.path, line, self.scopes[-1][0], rule, what))

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if name in RAW_SQL:
            self.flag(node, "raw", f"{name}() puts raw SQL beside the ORM; express it with the ORM")
        if name in STATIC_ARGS:
            self.seen[name] += 1
            if not all(self.static(arg) for arg in node.args):
                self.flag(node, "static", f"{name}() takes a field name that is not a constant")
        splats = [k.value for k in node.keywords if k.arg is None]
        if name in QUERY_METHODS:
            self.seen["query"] += 1
            for value in splats:
                if not self.literal_keys(value):
                    self.flag(
                        node, "kwargs", f"**{ast.unparse(value)} into {name}() chooses lookups at run time"
                    )
        for value in splats:
            if self._request_data(value):
                self.flag(node, "request", f"**{ast.unparse(value)} passes request data as keyword arguments")
        if name in EXECUTE and isinstance(node.func, ast.Attribute):
            self.seen["execute"] += 1
            sql = (
                node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "sql"), None)
            )
            if not self.static(sql):
                self.flag(node, "sql", f"{name}() builds its SQL at run time; pass parameters separately")
        self.generic_visit(node)

    @staticmethod
    def _request_data(node: ast.expr) -> bool:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id == "request":
                return True
            if isinstance(sub, ast.Attribute) and sub.attr in REQUEST_DATA:
                return True
        return False


def _imported_module(imported: Imported) -> Checker | None:
    """The module an import binds (`import openipt.x as y`, `from openipt.x import module`)."""
    dotted = imported.module if imported.name is None else f"{imported.module}.{imported.name}"
    return _module_checker(dotted)


@functools.cache
def _module_checker(dotted: str) -> Checker | None:
    """A checker holding the module-level names of an openipt module, to look its constants up."""
    path = _module_file(dotted)
    if path is None:
        return None
    checker = Checker(str(path.relative_to(REPO)), dotted)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    checker.scopes.append(("", _bindings(tree.body, checker.package)))
    return checker


def check_source(source: str, path: str = "<string>", module: str = "") -> Checker:
    checker = Checker(path, module)
    checker.visit(ast.parse(source, filename=path))
    return checker


def _project_files() -> list[Path]:
    return sorted(
        p
        for p in SOURCE.rglob("*.py")
        if not {"migrations", "tests"} & set(p.relative_to(SOURCE).parts) and not p.name.startswith("test_")
    )


# --- the project ------------------------------------------------------------------------------


def test_no_request_data_reaches_sql_anywhere_in_openipt() -> None:
    findings: list[Finding] = []
    seen: Counter[str] = Counter()
    files = _project_files()
    for path in files:
        relative = path.relative_to(REPO)
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        checker = check_source(path.read_text(encoding="utf-8"), str(relative), module)
        findings += checker.findings
        seen += checker.seen
    used = {(f.path, f.scope, f.rule) for f in findings if (f.path, f.scope, f.rule) in ALLOWED}
    refused = [str(f) for f in findings if (f.path, f.scope, f.rule) not in ALLOWED]
    print(f"{len(files)} files; calls checked: {dict(seen)}; allowed exceptions: {len(used)}")

    stale = set(ALLOWED) - used
    assert refused == [], "queries built from run-time values (see the docstring):\n" + "\n".join(refused)
    assert stale == set(), f"ALLOWED entries that no longer match anything; remove them: {stale}"
    # Not vacuous: the walk reached the code that queries.
    assert len(files) > 100 and seen["order_by"] > 20 and seen["query"] > 100 and seen["execute"] > 3, seen


# --- the checker itself -----------------------------------------------------------------------

BAD = {
    "extra": ("def f(qs):\n    return qs.extra(where=['1 = 1'])", "raw"),
    "raw": ("def f(Client):\n    return Client.objects.raw('SELECT * FROM clients_client')", "raw"),
    "RawSQL": ("def f(qs):\n    return qs.annotate(n=RawSQL('SELECT 1', []))", "raw"),
    "order_by from GET": ("def v(request, qs):\n    return qs.order_by(request.GET['sort'])", "static"),
    "order_by through a name": (
        "def v(request, qs):\n    sort = request.GET.get('sort', 'name')\n    return qs.order_by(sort)",
        "static",
    ),
    "order_by splat": ("def v(request, qs):\n    return qs.order_by(*request.GET.getlist('o'))", "static"),
    "order_by F of a parameter": ("def f(qs, field):\n    return qs.order_by(F(field).desc())", "static"),
    "order_by a name rebound": (
        "def v(request, qs):\n    o = 'name'\n    o = request.GET['o']\n    return qs.order_by(o)",
        "static",
    ),
    "order_by a loop name": (
        "def v(request, qs):\n    for o in request.GET.getlist('o'):\n        qs = qs.order_by(o)",
        "static",
    ),
    "order_by a name from outside openipt": (
        "from elsewhere import SORT\ndef f(qs):\n    return qs.order_by(SORT)",
        "static",
    ),
    "order_by an openipt function": (
        "from openipt.audit import actions\ndef f(qs):\n    return qs.order_by(actions.record)",
        "static",
    ),
    "values from POST": ("def v(request, qs):\n    return qs.values(request.POST['field'])", "static"),
    "filter **GET": ("def v(request, qs):\n    return qs.filter(**request.GET)", "kwargs"),
    "filter **GET.dict()": ("def v(request, qs):\n    return qs.filter(**request.GET.dict())", "kwargs"),
    "Q **form.data": ("def v(form):\n    return Q(**form.data)", "kwargs"),
    "get with a key from the request": (
        "def v(request, qs):\n    lookup = {request.GET['k']: 1}\n    return qs.get(**lookup)",
        "kwargs",
    ),
    "exclude **kwargs": ("def f(qs, **kwargs):\n    return qs.exclude(**kwargs)", "kwargs"),
    "annotate built dict": (
        "def v(request, qs):\n    kw = dict(request.POST.items())\n    return qs.annotate(**kw)",
        "kwargs",
    ),
    "**request into any call": ("def v(request):\n    return save(**request.POST.dict())", "request"),
    "execute f-string": (
        "def v(request, cursor):\n    cursor.execute(f\"SELECT * FROM t WHERE a = '{request.GET['a']}'\")",
        "sql",
    ),
    "execute %": ("def f(cursor, a):\n    cursor.execute(\"SELECT * FROM t WHERE a = '%s'\" % a)", "sql"),
    "execute +": ("def f(cursor, a):\n    cursor.execute('SELECT * FROM t WHERE a = ' + a)", "sql"),
    "execute format": ("def f(conn, a):\n    conn.execute('SELECT {}'.format(a))", "sql"),
    "execute a built name": (
        "def f(cursor, t):\n    sql = f'SELECT * FROM {t}'\n    cursor.execute(sql)",
        "sql",
    ),
    "executescript": ("def f(conn, s):\n    conn.executescript('BEGIN;' + s)", "sql"),
}

GOOD = {
    "literals": "def f(qs):\n    return qs.order_by('family_name', '-id').values('id', 'hash')",
    "module constant": "ORDER = ('a', '-b')\ndef f(qs):\n    return qs.order_by(*ORDER)",
    "F ordering": "def f(qs):\n    return qs.order_by(F('escalated_at').asc(nulls_last=True), 'id')",
    "choice between constants": "def f(qs, desc):\n    return qs.order_by('-a' if desc else 'a')",
    "literal keys, run-time values": "def f(qs, pk):\n    lookup = {'pk': pk}\n    return qs.get(**lookup)",
    "either literal dict": (
        "def f(qs, i):\n    lookup = {'pk': int(i)} if i.isdigit() else {'uuid': i}\n"
        "    return qs.get(**lookup)"
    ),
    "parameters apart": "def f(cursor, a):\n    cursor.execute('SELECT * FROM t WHERE a = %s', [a])",
    "constant name": "SQL = 'PRAGMA integrity_check'\ndef f(conn):\n    return conn.execute(SQL)",
    "another module's constant": (
        "from openipt.audit import triggers\nfrom openipt.audit.triggers import SQLITE_DROP\n"
        "def f(cursor):\n    cursor.execute(triggers.REFUSAL)\n    cursor.execute(SQLITE_DROP[0])"
    ),
    "validated form data": (
        "def v(form, request):\n    add(request.user, request=request, **form.cleaned_data)"
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_the_checker_flags(case: str) -> None:
    source, rule = BAD[case]
    findings = check_source(source).findings
    assert rule in {f.rule for f in findings}, f"{case!r} was not flagged as {rule!r}: {findings}"


@pytest.mark.parametrize("case", sorted(GOOD))
def test_the_checker_passes(case: str) -> None:
    assert check_source(GOOD[case]).findings == []
