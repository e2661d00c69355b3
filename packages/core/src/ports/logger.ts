/** Structured log fields. */
export type LogFields = Record<string, unknown>

/**
 * pino-compatible logger: `(fields, message)` or `(message)`. The engine never logs to a global
 * console; hosts pass their own logger (pino works as is).
 */
export interface Logger {
  debug(fields: LogFields, message?: string): void
  info(fields: LogFields, message?: string): void
  warn(fields: LogFields, message?: string): void
  error(fields: LogFields, message?: string): void
  child?(bindings: LogFields): Logger
}

/** A logger that drops everything: the default. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}
