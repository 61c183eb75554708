/**
 * Plain YAML scalars resolved the way calicoctl's YAML library resolves them (go-yaml v2,
 * a YAML 1.1 reader), so a manifest means the same thing to falconer as to calicoctl:
 * `yes`, `on`, `y` are true; `0x1F` and `017` are integers; `1_000` is 1000; `08` is the
 * float 8; timestamps and sexagesimal numbers stay strings. Pure.
 */

/** A YAML integer (kept exact: a label value of 12345678901234567890 must not round). */
export class YamlInt {
  constructor(readonly value: bigint) {}
}

/** A YAML float; label values print it the way Go prints a float32 (see formatGoFloat). */
export class YamlFloat {
  constructor(readonly value: number) {}
}

export type YamlScalar = null | boolean | string | YamlInt | YamlFloat

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'])
const NULL = new Set(['', '~', 'null', 'Null', 'NULL'])
const SPECIAL_FLOATS: Readonly<Record<string, number>> = {
  '.nan': NaN, '.NaN': NaN, '.NAN': NaN,
  '.inf': Infinity, '.Inf': Infinity, '.INF': Infinity,
  '+.inf': Infinity, '+.Inf': Infinity, '+.INF': Infinity,
  '-.inf': -Infinity, '-.Inf': -Infinity, '-.INF': -Infinity,
}
/** go-yaml's test for a decimal float after underscores are removed. */
const DECIMAL_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
/** Go's float syntax for strings that start with '.' (ParseFloat accepts underscores only between digits; go-yaml passes the text as is). */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

/** Only these first characters can make a plain scalar anything but a string. */
export const NON_STRING_START = /^(?:[-+.0-9~yYnNtTfFoO]|$)/

export function resolvePlainScalar(text: string): YamlScalar {
  if (TRUE.has(text)) return true
  if (FALSE.has(text)) return false
  if (NULL.has(text)) return null
  if (Object.hasOwn(SPECIAL_FLOATS, text)) return new YamlFloat(SPECIAL_FLOATS[text] as number)
  const first = text[0]
  if (first === '.') return DOT_FLOAT.test(text) ? new YamlFloat(Number(text)) : text
  if (first === undefined || !/[-+0-9]/.test(first)) return text
  const plain = text.replace(/_/g, '')
  const int = parseGoInt(plain)
  if (int !== undefined && int >= INT64_MIN && int <= UINT64_MAX) return new YamlInt(int)
  if (DECIMAL_FLOAT.test(plain)) return new YamlFloat(Number(plain))
  return text
}

/** Go's strconv.ParseInt(s, 0, 64) syntax: sign, then 0x / 0o / 0b / leading-0 octal / decimal. */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s)
  if (m === null) return undefined
  const [, sign, digits = ''] = m
  let n: bigint
  if (/^0[oO]/.test(digits)) n = BigInt(`0o${digits.slice(2)}`)
  else if (/^0[xXbB]/.test(digits)) n = BigInt(digits.toLowerCase())
  else if (digits.length > 1 && digits.startsWith('0')) n = BigInt(`0o${digits.slice(1)}`)
  else n = BigInt(digits)
  if (sign === '-') {
    n = -n
    if (n < INT64_MIN) return undefined
  } else if (n > INT64_MAX && sign === '+') {
    return undefined
  }
  return n
}

/**
 * Go's strconv.FormatFloat(v, 'g', -1, 32), which calicoctl's loader uses for a float
 * written where a string belongs: the shortest digits that read back as the same float32,
 * in exponent form (two-digit exponent at least) when the exponent is below -4 or 6 and up.
 */
export function formatGoFloat32(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  const f = Math.fround(v)
  if (f === Infinity) return '+Inf'
  if (f === -Infinity) return '-Inf'
  if (f === 0) return Object.is(f, -0) ? '-0' : '0'
  let digits = ''
  let exp = 0
  for (let p = 1; p <= 9; p++) {
    const [mant = '', e = '0'] = Math.abs(f).toExponential(p - 1).split('e')
    if (Math.fround(Number(`${mant}e${e}`)) === Math.abs(f)) {
      digits = mant.replace('.', '').replace(/0+$/, '') || '0'
      exp = Number(e)
      break
    }
  }
  const sign = f < 0 ? '-' : ''
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const es = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp))
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${es}`
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`
}
