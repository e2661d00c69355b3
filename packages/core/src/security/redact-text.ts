import { secretForms } from './secret-forms.js'
import type { SecretKeyMatcher } from './secret-keys.js'

/** What a hidden secret is replaced with. */
export const REDACTED = '[REDACTED]'

/** Stands for {@link REDACTED} while a string is processed: free of the `]`, `,` and `}` that end values. */
const MARK = '\u0000REDACTED\u0000'

/** Secrets shorter than this are not searched for in text: they would match ordinary words. */
export const MIN_SECRET_LENGTH = 6
/** At most this many known secret values are searched for. */
const MAX_SECRET_VALUES = 1000

/** Token shapes hidden in any text, whatever the key around them. */
const TOKEN_SHAPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, MARK],
  [/\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, MARK],
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1$2${MARK}`],
  [/\b(shpat|shpua|shpca|shppa|shpss)_[A-Za-z0-9]{8,}/g, `$1_${MARK}`],
  [/\b(ck|cs)_[A-Za-z0-9]{16,}/g, `$1_${MARK}`],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@:]+:[^\s/?#@]*@/gi, `$1${MARK}@`],
]

// Keys (<= 64 chars, starting a word) and unquoted values (<= 4096 chars) are bounded, so a scan
// stays linear on long input even though values are rescanned for nested pairs.
const KEY = String.raw`(?<![A-Za-z0-9_.-])(["']?)([A-Za-z][A-Za-z0-9_.-]{0,63})\1`
/** `key=value` in query strings, form bodies and prose. */
const EQUALS_PAIR = new RegExp(String.raw`${KEY}(\s*=\s*)("[^"]*"|'[^']*'|[^\s&#;,"'<>)}\]]{1,4096})`, 'g')
/** `key: value` in header dumps, JSON and inspected objects; an unquoted value runs to the line end. */
const COLON_PAIR = new RegExp(
  String.raw`${KEY}(\s*:[ \t]*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,}\]][^\r\n,}\]]{0,4095})`,
  'g',
)

/** Replaces known secret values (in all their encoded forms) inside text. */
export interface KnownSecrets {
  /** Longest form searched for; text cut near a limit drops this much so no partial secret survives. */
  readonly longestForm: number
  replace(text: string): string
}

const NO_SECRETS: KnownSecrets = { longestForm: 0, replace: (text) => text }

/** Compile the known secret values into one matcher. Values that are not strings or too short are skipped. */
export function compileKnownSecrets(values: Iterable<unknown>): KnownSecrets {
  const forms = new Set<string>()
  let count = 0
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) continue
    for (const form of secretForms(value)) forms.add(form)
    if (++count >= MAX_SECRET_VALUES) break
  }
  if (forms.size === 0) return NO_SECRETS
  // Longest first, so a secret's encoded form wins over a shorter secret it contains.
  const sorted = [...forms].sort((a, b) => b.length - a.length)
  // Case-insensitive: percent-escapes come in any case, and matching more is the safe side.
  const pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'gi')
  return { longestForm: sorted[0]!.length, replace: (text) => text.replace(pattern, MARK) }
}

/** Hide known secrets, token shapes and values of secret keys inside `text`. */
export function redactString(text: string, known: KnownSecrets, keys: SecretKeyMatcher): string {
  // Markers already in the text become MARK too, so redacting twice changes nothing.
  let out = known.replace(text.replaceAll(REDACTED, MARK))
  for (const [pattern, replacement] of TOKEN_SHAPES) out = out.replace(pattern, replacement)
  return hidePairs(hidePairs(out, EQUALS_PAIR, keys), COLON_PAIR, keys).replaceAll(MARK, REDACTED)
}

/**
 * Replace the values of secret `key=value` / `key: value` pairs. The value of a harmless key is
 * scanned again, so `note: password: x` still hides `x`.
 */
function hidePairs(text: string, pattern: RegExp, keys: SecretKeyMatcher): string {
  let out = ''
  let copied = 0
  pattern.lastIndex = 0
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const [whole, , key = '', , value = ''] = match
    const end = match.index + whole.length
    const valueStart = end - value.length
    if (keys.isSecretTextEntry(key, value)) {
      out += text.slice(copied, valueStart) + quoteLike(value, MARK)
      copied = end
    } else {
      pattern.lastIndex = valueStart
    }
  }
  return out + text.slice(copied)
}

function quoteLike(original: string, replacement: string): string {
  const quote = original[0]
  return quote === '"' || quote === "'" ? `${quote}${replacement}${quote}` : replacement
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
