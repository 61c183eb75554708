import t from 'tap'
import { parseSelector, SelectorError } from '../../../src/api/index.js'

type Labels = Record<string, string>

t.test('matching', async (t) => {
  const cases: [string, Labels, boolean][] = [
    ['', {}, true],
    ['   ', { a: 'b' }, true],
    ['all()', {}, true],
    ['all( )', {}, true],
    ['has(rack)', { rack: 'a' }, true],
    ['has(rack)', { rack: '' }, true],
    ['has(rack)', {}, false],
    ['!has(rack)', {}, true],
    ['!has(rack)', { rack: 'x' }, false],
    ["rack == 'r1'", { rack: 'r1' }, true],
    ['rack == "r1"', { rack: 'r1' }, true],
    ["rack == 'r1'", { rack: 'r2' }, false],
    ["rack == 'r1'", {}, false],
    ["rack == ''", { rack: '' }, true],
    // != and `not in` are true when the label is absent (Calico semantics).
    ["rack != 'r1'", {}, true],
    ["rack != 'r1'", { rack: 'r1' }, false],
    ["rack != 'r1'", { rack: 'r2' }, true],
    ["rack in {'a','b'}", { rack: 'a' }, true],
    ["rack in {'a', \"b\"}", { rack: 'b' }, true],
    ["rack in {'a','b'}", { rack: 'c' }, false],
    ["rack in {'a','b'}", {}, false],
    ["rack in {'a',}", { rack: 'a' }, true],
    ['rack in {}', { rack: 'a' }, false],
    ["rack not in {'a','b'}", {}, true],
    ["rack not in {'a','b'}", { rack: 'a' }, false],
    ["rack not in {'a','b'}", { rack: 'c' }, true],
    ["rack notin {'a'}", { rack: 'b' }, true],
    ['rack not in {}', { rack: 'a' }, true],
    ["kubernetes.io/hostname == 'node1'", { 'kubernetes.io/hostname': 'node1' }, true],
    ["a_b.c-d/e == 'x'", { 'a_b.c-d/e': 'x' }, true],
    // Precedence: ! > && > ||.
    ["a == '1' || b == '1' && c == '1'", { a: '1' }, true],
    ["a == '1' || b == '1' && c == '1'", { b: '1' }, false],
    ["a == '1' || b == '1' && c == '1'", { b: '1', c: '1' }, true],
    ["b == '1' && c == '1' || a == '1'", { a: '1' }, true],
    ["(a == '1' || b == '1') && c == '1'", { a: '1' }, false],
    ["(a == '1' || b == '1') && c == '1'", { a: '1', c: '1' }, true],
    ["!a == '1'", { a: '1' }, false],
    ["!a == '1'", {}, true],
    ["!has(a) && b == '1'", { b: '1' }, true],
    ["!has(a) && b == '1'", { a: 'x', b: '1' }, false],
    ["!(a == '1' && b == '1')", { a: '1', b: '1' }, false],
    ["!(a == '1' && b == '1')", { a: '1' }, true],
    ["!(a == '1' || b == '1')", { c: '1' }, true],
    ['!!has(a)', { a: '1' }, true],
    ['!!has(a)', {}, false],
    ["((has(a)))", { a: '' }, true],
    ["a contains 'ck'", { a: 'rack' }, true],
    ["a contains 'zz'", { a: 'rack' }, false],
    ["a contains 'x'", {}, false],
    ["a starts with 'ra'", { a: 'rack' }, true],
    ["a starts   with 'ck'", { a: 'rack' }, false],
    ["a ends with 'ck'", { a: 'rack' }, true],
    ["a ends with 'ck'", {}, false],
    ["a == 'x y'", { a: 'x y' }, true],
    ['a == \'say "hi"\'', { a: 'say "hi"' }, true],
    ["\ta\t==\t'x'\t", { a: 'x' }, true],
    // Labels are own properties only.
    ['has(constructor)', {}, false],
    ["toString != 'x'", {}, true],
    ["__proto__ == 'x'", {}, false],
    // Keywords are labels where a label is expected.
    ["has == 'x'", { has: 'x' }, true],
    ["in == 'x'", { in: 'x' }, true],
    ["all == 'x'", { all: 'x' }, true],
    ['global()', {}, true],
  ]
  for (const [src, labels, want] of cases) {
    t.equal(parseSelector(src).matches(labels), want, `${src} on ${JSON.stringify(labels)}`)
  }
})

t.test('canonical form matches Calico and is stable', async (t) => {
  const cases: [string, string][] = [
    ['', 'all()'],
    ['all()', 'all()'],
    ["rack=='r1'", 'rack == "r1"'],
    ["rack != 'r1'", 'rack != "r1"'],
    ["a == 'x' && b == 'y'", '(a == "x" && b == "y")'],
    ["a == 'x' || b == 'y' && c == 'z'", '(a == "x" || (b == "y" && c == "z"))'],
    ["(a == 'x' || b == 'y') && c == 'z'", '((a == "x" || b == "y") && c == "z")'],
    ["rack in {'b','a','b'}", 'rack in {"a", "b"}'],
    ["rack notin {'x'}", 'rack not in {"x"}'],
    ['rack in {}', 'rack in {}'],
    ['!has(a)', '!has(a)'],
    ['!!has(a)', 'has(a)'],
    ['!!!has(a)', '!has(a)'],
    ["!a == 'x'", '!a == "x"'],
    ["!(a == 'x' && has(b))", '!(a == "x" && has(b))'],
    ['has( a )', 'has(a)'],
    ['a == \'say "hi"\'', 'a == \'say "hi"\''],
    ["a  starts  with 'x'", 'a starts with "x"'],
    ["a ends with 'x'", 'a ends with "x"'],
    ["a contains 'x'", 'a contains "x"'],
    ["((a == 'x'))", 'a == "x"'],
  ]
  for (const [src, canonical] of cases) {
    const s = parseSelector(src)
    t.equal(s.toString(), canonical, src)
    t.equal(s.source, src, `${src} keeps its source`)
    t.equal(parseSelector(canonical).toString(), canonical, `${canonical} is a fixed point`)
  }
  t.equal(`${parseSelector("a=='b'")}`, 'a == "b"', 'template literal uses toString')
})

t.test('syntax errors report what was expected and the exact column', async (t) => {
  const cases: [string, number, string][] = [
    ['rack == ', 8, 'expected a quoted string'],
    ['rack ==', 8, 'expected a quoted string'],
    ['rack', 5, 'expected an operator (==, !=, in, not in, contains, starts with, ends with)'],
    ['rack = "a"', 6, 'expected an operator (==, !=, in, not in, contains, starts with, ends with), found "="'],
    ["rack == 'a", 9, "unterminated string: expected a closing '"],
    ['rack == "a', 9, 'unterminated string: expected a closing "'],
    ["(a == 'x'", 10, 'expected ")"'],
    ["a == 'x' b == 'y'", 10, 'expected "&&", "||" or the end of the selector, found "b"'],
    ["a == 'x' & b == 'y'", 10, 'expected "&&", "||" or the end of the selector, found "&"'],
    ["a == 'x' | b == 'y'", 10, 'found "|"'],
    ["a == 'x')", 9, 'expected "&&", "||" or the end of the selector, found ")"'],
    ['has(a', 6, 'expected ")"'],
    ['has()', 5, 'expected a label, found ")"'],
    ['has(', 5, 'expected a label'],
    ["a in 'x'", 6, 'expected "{", found "\'"'],
    ["a in {'x' 'y'}", 11, 'expected "," or "}"'],
    ['a in {x}', 7, 'expected a quoted string or "}", found "x"'],
    ["a in {'x',,}", 11, 'expected "," or "}"'],
    ["a in {'x'", 10, 'expected "," or "}"'],
    ["&& a == 'x'", 1, 'expected a label, has(…), all(), "!" or "(", found "&&"'],
    ['!', 2, 'expected a label, has(…), all(), "!" or "("'],
    ["a == 'x' &&", 12, 'expected a label'],
    ["a == 'x' ||   ", 12, 'expected a label'],
    ['all(x)', 5, 'expected ")", found "x"'],
    ['has (a)', 5, 'expected an operator'],
    ['a == x', 6, 'expected a quoted string, found "x"'],
    ["a == 'x'\n", 9, 'found "\\n"'],
    ["a in{'x'} && b inx {'y'}", 16, 'expected an operator'],
    ["a not {'x'}", 3, 'expected an operator'],
    ['()', 2, 'expected a label'],
    ["a == 'x' == 'y'", 10, 'found "=="'],
  ]
  for (const [src, column, detail] of cases) {
    try {
      parseSelector(src)
      t.fail(`${JSON.stringify(src)} should not parse`)
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e
      t.equal(e.column, column, `${JSON.stringify(src)} column`)
      t.equal(e.source, src)
      t.match(e.detail, detail, `${JSON.stringify(src)} detail`)
      t.equal(e.message, `selector ${JSON.stringify(src)} column ${column}: ${e.detail}`)
    }
  }
  const err = t.throws(() => parseSelector('rack == ')) as SelectorError
  t.equal(err.message, 'selector "rack == " column 8: expected a quoted string')
  t.equal(err.name, 'SelectorError')
  t.ok(err instanceof Error)
})

t.test('labels longer than 512 characters are rejected', async (t) => {
  const long = 'a'.repeat(513)
  const e = t.throws(() => parseSelector(`${long} == 'x'`)) as SelectorError
  t.equal(e.column, 1)
  t.match(e.detail, 'longer than 512')
  t.equal(parseSelector(`${'a'.repeat(512)} == 'x'`).matches({ ['a'.repeat(512)]: 'x' }), true)
})
