#!/usr/bin/env python3
"""Structure checks the test suite runs (ctest: structure): the rules of
docs/ARCHITECTURE.md that a reader would otherwise have to trust.

  - Layers: a file includes only its own layer and the layers below it
    (base < dispatch < kernels < ref, algo < plan/select < tools).
  - Size: no source file over 500 lines, no function over 80 lines
    (generated tables excepted: none today).
  - Environment: getenv in src/ only for TCONV_ISA and TCONV_VERBOSE.

    python3 scripts/check_structure.py [repo root]

Standard library only. Function lengths come from brace matching at
namespace and class level, which the code's clang-format style makes
reliable; the count runs from the opening to the closing brace.
"""
import os
import re
import sys

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80

# Known exceptions, each with its reason; delete a line when its file is
# fixed. Keys: 'path' (file length) or 'path:line' (a function there).
ALLOWED = {
}

# What each layer of src/ may include (besides the C++ library, Highway,
# OpenBLAS and libpng). Public headers (tconv/...) are the API.
LAYERS = {
    'src/base/': ('src/base/',),
    'src/dispatch/': ('src/base/', 'src/dispatch/'),
    'src/kernels/': ('src/base/', 'src/dispatch/cpu.h', 'src/kernels/'),
    # python/ also draws the inspect report's figures (tools/figure/, when built).
    'python/': ('tconv/', 'python/src/', 'tools/figure/'),
}
SOURCE_DIRS = ('src', 'include', 'tools', 'tests', 'bench', 'python')
EXTENSIONS = ('.cc', '.h', '.inc')
CONTROL = re.compile(r'^\s*(if|for|while|switch|do|else|try|catch|namespace|extern)\b')
TYPE = re.compile(r'^\s*(template\s*<.*>\s*)?(class|struct|union|enum)\b')


def sources(root):
    for d in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, d)):
            for f in files:
                if f.endswith(EXTENSIONS):
                    path = os.path.join(dirpath, f)
                    yield os.path.relpath(path, root), path


def strip(line):
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])*'", "''", line)
    return line.split('//')[0]


def long_functions(lines):
    """(start line, length) of function bodies over the limit."""
    out = []
    stack = []  # kinds of the open braces: 'scope' (namespace/class) or 'body'
    statement = ''  # text since the last ; { } at this level
    starts = []  # line of each open function body
    for n, raw in enumerate(lines, 1):
        if raw.lstrip().startswith('#'):
            continue
        line = strip(raw)
        for ch in line:
            if ch == '{':
                in_scope = not stack or stack[-1] == 'scope'
                head = statement.strip()
                if in_scope and (TYPE.match(head) or CONTROL.match(head) or head.startswith('extern')):
                    stack.append('scope')
                elif in_scope and ')' in head and not head.endswith('=') and '=' not in head.split('(')[0]:
                    stack.append('body')
                    starts.append(n)
                elif in_scope and (head == '' or head.endswith('=')):
                    stack.append('init')  # an initializer at namespace scope
                else:
                    stack.append('inner')
                statement = ''
            elif ch == '}':
                kind = stack.pop() if stack else 'scope'
                if kind == 'body':
                    start = starts.pop()
                    if n - start + 1 > MAX_FUNCTION_LINES:
                        out.append((start, n - start + 1))
                statement = ''
            elif ch == ';':
                statement = ''
            else:
                statement += ch
        statement += ' '
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
    problems = []
    for rel, path in sorted(sources(root)):
        with open(path, encoding='utf-8') as f:
            lines = f.read().split('\n')
        if len(lines) - 1 > MAX_FILE_LINES and rel not in ALLOWED:
            problems.append('%s: %d lines (limit %d)' % (rel, len(lines) - 1, MAX_FILE_LINES))
        for start, length in long_functions(lines):
            if '%s:%d' % (rel, start) not in ALLOWED:
                problems.append('%s:%d: a function of %d lines (limit %d)' % (rel, start, length, MAX_FUNCTION_LINES))
        for layer, allowed in LAYERS.items():
            if not rel.startswith(layer):
                continue
            for n, line in enumerate(lines, 1):
                m = re.match(r'\s*#include "([^"]+)"', line)
                if m and not m.group(1).startswith(allowed) and not m.group(1).startswith('hwy/'):
                    problems.append('%s:%d: includes %s, above its layer %s' % (rel, n, m.group(1), layer))
        if rel.startswith('src/'):
            for n, line in enumerate(lines, 1):
                for var in re.findall(r'getenv\("([A-Z_]+)"\)', line):
                    if var not in ('TCONV_ISA', 'TCONV_VERBOSE'):
                        problems.append('%s:%d: getenv("%s"): library behaviour belongs in PlanOptions' % (rel, n, var))
    for key, why in sorted(ALLOWED.items()):
        print('allowed: %s (%s)' % (key, why))
    for p in problems:
        print(p)
    print('check_structure: %d problem%s' % (len(problems), '' if len(problems) == 1 else 's'))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
