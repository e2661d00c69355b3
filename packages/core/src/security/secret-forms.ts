/** Shortest base64 fragment worth hiding: shorter ones would match unrelated text. */
const MIN_BASE64_CORE = 8

/**
 * Every form in which a known secret may show up inside text: raw, JSON-escaped, URL-encoded
 * (`%20` and form `+` styles) and base64/base64url. Base64 is also covered when the
 * secret sits inside a larger encoded blob: for each of the three byte alignments, the run of
 * characters that depends only on the secret's bytes is included.
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret])
  const json = JSON.stringify(secret).slice(1, -1)
  forms.add(json)
  const encoded = safeEncode(secret)
  if (encoded) {
    forms.add(encoded)
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2))
  }
  const bytes = Buffer.from(secret, 'utf8')
  for (const form of base64Forms(bytes)) forms.add(form)
  return [...forms].filter((form) => form.length > 0)
}

function base64Forms(bytes: Buffer): string[] {
  const full = bytes.toString('base64')
  const out = [full, full.replace(/=+$/, ''), bytes.toString('base64url')]
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64')
    // Groups of 4 characters encode 3 bytes; keep only the groups made of the secret's bytes alone.
    const firstGroup = shift === 0 ? 0 : 1
    const lastGroup = Math.floor((shift + bytes.length) / 3)
    const core = encoded.slice(firstGroup * 4, lastGroup * 4)
    if (core.length >= MIN_BASE64_CORE) out.push(core, core.replaceAll('+', '-').replaceAll('/', '_'))
  }
  return out
}

function safeEncode(text: string): string | undefined {
  try {
    return encodeURIComponent(text)
  } catch {
    // A lone surrogate cannot be URL-encoded, so it cannot appear URL-encoded either.
    return undefined
  }
}
