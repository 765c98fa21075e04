#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
"""Check include/uapi/linux/sdrp_netlink.h against the YNL spec.

Documentation/netlink/specs/sdrp.yaml is the source of truth; the header is
written by hand.  This derives every name and value the YNL rules give
(genetlink protocol, unified message ids) and checks them in both
directions:

  - every expected #define and enum constant has the expected value, which
    the C compiler checks (static assertions over the real header, so no
    parsing of C by regular expressions decides a value);
  - no SDRP_A_*, SDRP_CMD_*, SDRP_TURN_* or SDRP_MCGRP_* name in the header
    is missing from the spec;
  - constants and enums the spec says live in linux/sdrp.h have the spec's
    values there (SDRP_KEYS_LEN is checked against sizeof(struct sdrp_keys));
  - the spec is consistent: each operation's attributes exist in its set,
    nests and enums refer to defined names;
  - with $YNL_SRC (a kernel tree holding tools/net/ynl and
    Documentation/netlink/genetlink.yaml, extracted from linux-source by
    the Makefile) and python3-jsonschema: the spec validates against the
    kernel's own schema, the kernel's generator builds the kernel policies
    from it, and its uapi header equals the hand-written one, comments
    aside.  Skipped, and said so, without them.

Prints TAP.  Usage: check_uapi.py TOPDIR [CC]
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

results = []


def check(ok, name, diag=None):
    results.append((bool(ok), name, diag))


def skip(name, why):
    results.append((True, f'{name} # SKIP {why}', None))


def c_lines(text):
    """Code lines of a C header: no comments, no blank lines, one space."""
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return [' '.join(line.split()) for line in text.splitlines()
            if line.strip()]


def check_with_ynl(spec_path, hdr):
    """The kernel's own schema and generator (tools/net/ynl)."""
    names = ['spec validates against the kernel genetlink schema and '
             'ynl-gen-c builds the uapi header',
             'ynl-gen-c builds the kernel policies and ops',
             'ynl-gen-c uapi header equals the hand-written one']
    src = os.environ.get('YNL_SRC')
    gen = src and os.path.join(src, 'tools/net/ynl/ynl-gen-c.py')
    if not gen or not os.path.exists(gen):
        for n in names:
            skip(n, 'YNL_SRC not set (no linux-source-6.12 tarball)')
        return
    try:
        import jsonschema  # noqa: F401  (ynl-gen-c imports it)
    except ImportError:
        for n in names:
            skip(n, 'python3-jsonschema not installed')
        return
    with tempfile.TemporaryDirectory() as tree:
        # ynl-gen-c finds the schema next to the spec's directory and the
        # tree's root by its MAINTAINERS file.
        specs = os.path.join(tree, 'Documentation/netlink/specs')
        os.makedirs(specs)
        shutil.copy(os.path.join(src, 'Documentation/netlink/genetlink.yaml'),
                    os.path.join(tree, 'Documentation/netlink'))
        shutil.copy(spec_path, specs)
        open(os.path.join(tree, 'MAINTAINERS'), 'w').close()
        spec = os.path.join(specs, 'sdrp.yaml')
        outs = []
        for i, mode in enumerate((['--mode', 'uapi', '--header'],
                                  ['--mode', 'kernel', '--source'])):
            out = os.path.join(tree, f'out{i}')
            r = subprocess.run([sys.executable, gen, *mode, '--spec', spec,
                                '-o', out], capture_output=True, text=True,
                               timeout=120)
            err = (r.stderr.strip().splitlines() or [''])[-1]
            check(r.returncode == 0 and os.path.exists(out), names[i],
                  err if r.returncode else None)
            outs.append(open(out).read() if os.path.exists(out) else '')
        want = c_lines(outs[0])
        got = c_lines(hdr)
        diff = [f'{a!r} != {b!r}' for a, b in zip(want, got) if a != b]
        if len(want) != len(got):
            diff.append(f'{len(want)} lines != {len(got)} lines')
        check(outs[0] and not diff, names[2], diff[0] if diff else None)


def c_name(s):
    return s.upper().replace('-', '_')


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else '.'
    cc = sys.argv[2] if len(sys.argv) > 2 else os.environ.get('CC', 'cc')
    spec_path = os.path.join(top, 'Documentation/netlink/specs/sdrp.yaml')
    hdr_path = os.path.join(top, 'include/uapi/linux/sdrp_netlink.h')
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    with open(hdr_path) as f:
        hdr = f.read()

    fam = c_name(spec['name'])
    check(spec.get('protocol') == 'genetlink', 'spec protocol is genetlink')
    check(spec.get('uapi-header') == 'linux/sdrp_netlink.h',
          'spec names linux/sdrp_netlink.h as its uapi header')

    # name -> (C expression expected, header it must be in)
    values = []          # (c_name, value, where)  where: 'nl' or 'sdrp'
    strings = {}         # c_name -> string value, in sdrp_netlink.h
    strings[fam + '_FAMILY_NAME'] = spec['name']
    values.append((fam + '_FAMILY_VERSION', spec.get('version', 1), 'nl'))

    enums = {}
    for d in spec.get('definitions', []):
        where = 'sdrp' if d.get('header') == 'linux/sdrp.h' else \
                ('nl' if 'header' not in d else None)
        if d['type'] == 'const':
            if where == 'nl':
                values.append((fam + '_' + c_name(d['name']), d['value'],
                               where))
            elif where == 'sdrp':
                values.append((c_name(d['name']), d['value'], where))
        elif d['type'] == 'enum':
            enums[d['name']] = d
            v = d.get('value-start', 0)
            prefix = d.get('name-prefix', fam + '_' + c_name(d['name']) + '_')
            for e in d['entries']:
                ename = e if isinstance(e, str) else e['name']
                values.append((c_name(prefix) + c_name(ename), v, where))
                v += 1

    sets = {}
    for s in spec['attribute-sets']:
        sets[s['name']] = s
        prefix = fam + '_A_' + c_name(s['name']) + '_'
        v = 1
        for a in s['attributes']:
            v = a.get('value', v)
            values.append((prefix + c_name(a['name']), v, 'nl'))
            v += 1
        values.append(('__' + prefix + 'MAX', v, 'nl'))
        values.append((prefix + 'MAX', v - 1, 'nl'))
        for a in s['attributes']:
            if a['type'] == 'nest':
                check(a.get('nested-attributes') in sets or
                      a.get('nested-attributes') in
                      [x['name'] for x in spec['attribute-sets']],
                      f"set {s['name']}: nest {a['name']} refers to a set")
            if 'enum' in a:
                check(a['enum'] in enums,
                      f"set {s['name']}: {a['name']} enum {a['enum']} defined")

    v = 1
    for op in spec['operations']['list']:
        v = op.get('value', v)
        values.append((fam + '_CMD_' + c_name(op['name']), v, 'nl'))
        v += 1
        aset = sets[op['attribute-set']]
        names = {a['name'] for a in aset['attributes']}
        for kind in ('do', 'dump', 'event'):
            body = op.get(kind)
            if not body:
                continue
            parts = [body] if kind == 'event' else \
                [body.get('request', {}), body.get('reply', {})]
            for p in parts:
                for a in (p or {}).get('attributes', []):
                    check(a in names,
                          f"op {op['name']} {kind}: {a} in set {aset['name']}")
        if 'mcgrp' in op:
            check(op['mcgrp'] in [g['name'] for g in
                                  spec['mcast-groups']['list']],
                  f"op {op['name']}: group {op['mcgrp']} declared")
    values.append(('__' + fam + '_CMD_MAX', v, 'nl'))
    values.append((fam + '_CMD_MAX', v - 1, 'nl'))

    for g in spec['mcast-groups']['list']:
        strings[fam + '_MCGRP_' + c_name(g['name'])] = g['name']

    # Strings: the only values read from the header's text.
    for name, want in strings.items():
        m = re.search(r'^#define\s+' + name + r'\s+"([^"]*)"\s*$', hdr, re.M)
        check(m and m.group(1) == want, f'{name} is "{want}"',
              None if m else 'not defined')

    # Reverse direction: nothing in the header that the spec does not have.
    expected = {n for n, _, w in values if w == 'nl'} | set(strings)
    code = re.sub(r'/\*.*?\*/', ' ', hdr, flags=re.S)
    found = set(re.findall(
        r'\b(_{0,2}SDRP_(?:A|CMD|TURN|MCGRP)_[A-Z0-9_]+|SDRP_FAMILY_\w+)\b',
        code))
    extra = sorted(found - expected)
    check(not extra, 'header defines no name the spec lacks',
          ', '.join(extra) if extra else None)

    # Numbers: static assertions compiled against the real headers.
    src = ['#include <linux/sdrp.h>', '#include <linux/sdrp_netlink.h>',
           '#include <assert.h>']
    for name, val, where in values:
        if where is None:
            continue
        src.append(f'static_assert({name} == {val}, "{name} != {val}");')
    src.append('static_assert(sizeof(struct sdrp_keys) == SDRP_KEYS_LEN, '
               '"SDRP_KEYS_LEN != sizeof(struct sdrp_keys)");')
    src.append('static_assert(sizeof(((struct sdrp_handshake *)0)->peer) == '
               'SDRP_IDENTITY_MAX + 1, "identity size");')
    with tempfile.NamedTemporaryFile('w', suffix='.c', delete=False) as f:
        f.write('\n'.join(src) + '\n')
        cfile = f.name
    try:
        r = subprocess.run([cc, '-std=gnu11', '-fsyntax-only', '-Werror',
                            '-I', os.path.join(top, 'include/uapi'), cfile],
                           capture_output=True, text=True)
    finally:
        os.unlink(cfile)
    errors = r.stderr
    for name, val, where in values:
        if where is None:
            continue
        hdrname = 'linux/sdrp.h' if where == 'sdrp' else \
            'linux/sdrp_netlink.h'
        bad = re.search(r'\b' + re.escape(name) + r' != ', errors) or \
            re.search(r"'" + re.escape(name) + r"' undeclared", errors)
        check(not bad, f'{name} == {val} in {hdrname}')
    check_with_ynl(spec_path, hdr)
    check('SDRP_KEYS_LEN != sizeof' not in errors,
          'SDRP_KEYS_LEN == sizeof(struct sdrp_keys)')
    check(r.returncode == 0, 'headers compile with every assertion',
          errors.strip().splitlines()[0] if r.returncode else None)

    print(f'1..{len(results)}')
    fails = 0
    for i, (ok, name, diag) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok:
            fails += 1
            if diag:
                print(f'# {diag}')
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
