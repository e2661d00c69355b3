import { phpJson } from './php-json.js'

/** One REST request the fake answered. */
export interface WooRequestLogEntry {
  method: string
  /** Path and query, credentials removed. */
  path: string
  status: number
}

/** Failures injected before the store handles a request (host/WAF behaviour, not WordPress). */
export interface InjectedFailure {
  count: number
  status: number
}

/** The response of an injected failure: WordPress's fatal-error JSON for 500, a host page otherwise. */
export function injectedFailureResponse(status: number): Response {
  if (status === 500) {
    const body = {
      code: 'internal_server_error',
      message: '<p>There has been a critical error on this website.</p>',
      data: { status: 500 },
      additional_errors: [],
    }
    return new Response(phpJson(body), {
      status,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    })
  }
  const headers: Record<string, string> = { 'content-type': 'text/html; charset=UTF-8' }
  if (status === 429 || status === 503) headers['retry-after'] = '1'
  return new Response(`<html><body><h1>${status}</h1></body></html>`, { status, headers })
}

/** The path and query of a URL without credentials or OAuth parameters. */
export function redactedPath(url: URL): string {
  const q = new URLSearchParams(url.searchParams)
  for (const k of [...q.keys()])
    if (k === 'consumer_secret' || k === 'consumer_key' || k.startsWith('oauth_')) q.delete(k)
  const query = q.toString()
  return `${url.pathname}${query ? `?${query}` : ''}`
}
