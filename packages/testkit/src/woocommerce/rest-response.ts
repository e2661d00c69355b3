import { phpJson } from './php-json.js'

/** Extra `data` members of a WordPress REST error (besides `status`). */
export type ErrorData = Record<string, unknown>

/**
 * A WordPress REST error: `{"code","message","data":{"status",…}}`. `allow` is the Allow header
 * (WordPress sends it only when the route matched and its permission check passed).
 */
export class RestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly data: ErrorData = {},
    readonly allow: string | null = null,
  ) {
    super(message)
    this.name = 'RestError'
  }

  /** The same error with an Allow header. */
  withAllow(allow: string | null): RestError {
    return new RestError(this.code, this.message, this.status, this.data, allow)
  }

  /** The error object as WordPress serializes it. */
  toJSON(): { code: string; message: string; data: Record<string, unknown> } {
    return { code: this.code, message: this.message, data: { status: this.status, ...this.data } }
  }
}

/** `rest_invalid_param` for one parameter, shaped like WordPress's schema validation errors. */
export function invalidParam(param: string, code: string, message: string, detailData: unknown): RestError {
  return new RestError('rest_invalid_param', `Invalid parameter(s): ${param}`, 400, {
    params: { [param]: message },
    details: { [param]: { code, message, data: detailData } },
  })
}

/** The `Link` WordPress adds to every REST response unless pagination links replace it. */
export function apiLink(origin: string): string {
  return `<${origin}/wp-json/>; rel="https://api.w.org/"`
}

/** A JSON response with PHP-style escaping and the headers WordPress sends. */
export function restResponse(
  origin: string,
  status: number,
  body: unknown,
  headers: Record<string, string | null | undefined> = {},
): Response {
  const h = new Headers({ 'content-type': 'application/json; charset=UTF-8' })
  if (headers['link'] === undefined) h.set('link', apiLink(origin))
  for (const [k, v] of Object.entries(headers)) if (v !== null && v !== undefined) h.set(k, v)
  return new Response(phpJson(body), { status, headers: h })
}

/** Render a {@link RestError} as a response. */
export function errorResponse(origin: string, error: RestError): Response {
  return restResponse(origin, error.status, error.toJSON(), { allow: error.allow })
}
