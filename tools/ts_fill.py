#!/usr/bin/env python3
"""Fill translations into a Qt .ts file from a TSV (docs/translations.md).

    tools/ts_fill.py resources/translations/attnscope_zh_CN.ts new.tsv
    tools/ts_fill.py resources/translations/attnscope_zh_CN.ts --list   # the unfinished sources, as TSV

Each TSV line is `source<TAB>translation`, with \\n for a line break and \\t for a tab. A
message whose source matches is given the translation, in every context, and is no longer
"unfinished". A numerus (%n) message gets it as its one <numerusform>. The placeholders (%1, %n)
of source and translation must agree, and an access key (&F) of the source must appear as (&F)
in the translation; a line that breaks these rules is refused. At the end the script prints how
many messages are still unfinished.
"""
import re
import sys
import xml.etree.ElementTree as ET


def unescape(s):
    return s.replace('\\n', '\n').replace('\\t', '\t')


def escape(s):
    return s.replace('\t', '\\t').replace('\n', '\\n')


def problems(src, tr):
    out = []
    ph = lambda x: sorted(set(re.findall(r'%(?:\d+|n)', x)))
    if ph(src) != ph(tr):
        out.append(f'placeholders {ph(src)} vs {ph(tr)}')
    plain = re.sub(r'&(amp|lt|gt|quot);', '', src)
    m = re.search(r'&(\w)', plain)
    if m and f'(&{m.group(1).upper()})' not in tr and f'&{m.group(1)}' not in tr:
        out.append(f'access key &{m.group(1)} missing')
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    path = sys.argv[1]
    text = open(path, encoding='utf-8').read()
    tree = ET.ElementTree(ET.fromstring(text))
    messages = list(tree.getroot().iter('message'))
    unfinished = lambda m: m.find('translation').get('type') == 'unfinished'
    if sys.argv[2] == '--list':
        seen = set()
        for m in messages:
            s = m.find('source').text or ''
            if unfinished(m) and s not in seen:
                seen.add(s)
                print(escape(s) + '\t')
        return
    table = {}
    bad = 0
    for n, line in enumerate(open(sys.argv[2], encoding='utf-8'), 1):
        line = line.rstrip('\n')
        if not line.strip():
            continue
        if '\t' not in line:
            print(f'{sys.argv[2]}:{n}: no tab', file=sys.stderr)
            bad += 1
            continue
        src, tr = (unescape(x) for x in line.split('\t', 1))
        p = problems(src, tr)
        if p or not tr:
            print(f'{sys.argv[2]}:{n}: {"; ".join(p) or "empty translation"}: {src!r}', file=sys.stderr)
            bad += 1
            continue
        table[src] = tr
    filled = 0
    for m in messages:
        s = m.find('source').text or ''
        if s not in table:
            continue
        t = m.find('translation')
        for c in list(t):
            t.remove(c)
        t.attrib.pop('type', None)
        if m.get('numerus') == 'yes':
            t.text = None
            ET.SubElement(t, 'numerusform').text = table[s]
        else:
            t.text = table[s]
        filled += 1
    head = text[:text.index('<TS')]
    ET.indent(tree, space='    ')
    open(path, 'w', encoding='utf-8').write(head + ET.tostring(tree.getroot(), encoding='unicode') + '\n')
    left = sum(1 for m in messages if unfinished(m))
    print(f'{path}: {filled} messages filled, {left} still unfinished')
    sys.exit(1 if bad else 0)


main()
