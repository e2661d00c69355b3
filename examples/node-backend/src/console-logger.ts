import type { LogFields, Logger } from '@hub/core'

const LEVELS = ['debug', 'info', 'warn', 'error'] as const
/** A log level of {@link consoleLogger}. */
export type LogLevel = (typeof LEVELS)[number]

/**
 * A pino-compatible logger writing one JSON line per entry to a stream (stderr by default), for
 * the example's entry point. A real host passes its own pino instance instead.
 */
export function consoleLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
  bindings: LogFields = {},
): Logger {
  const min = LEVELS.indexOf(level)
  const at =
    (name: LogLevel) =>
    (fields: LogFields, message?: string): void => {
      if (LEVELS.indexOf(name) < min) return
      write(
        `${JSON.stringify({ level: name, time: new Date().toISOString(), ...bindings, ...fields, msg: message })}\n`,
      )
    }
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => consoleLogger(level, write, { ...bindings, ...more }),
  }
}

/** Parse a `LOG_LEVEL` value; unknown values fall back to `info`. */
export function logLevel(value: string | undefined): LogLevel {
  return LEVELS.find((l) => l === value) ?? 'info'
}
