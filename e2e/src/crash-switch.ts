import type { HubStore, MarketplacePort } from '@hub/core'

/**
 * Simulates a worker process dying without grace. Everything the doomed process reaches the
 * outside world through (its store, its marketplace, its HTTP fetch) is wrapped; once
 * {@link CrashSwitch.crash} is called, every new call through those wrappers never settles. The
 * process's in-flight work therefore freezes wherever it stands — a side effect may have landed
 * without its bookkeeping, no heartbeat renews its leases — exactly what a killed process leaves
 * behind. Other processes (the test's main hub and its new worker) share the same store and
 * marketplace through the unwrapped objects and carry on.
 */
export interface CrashSwitch {
  readonly crashed: boolean
  crash(): void
  /**
   * Crash right after the doomed process's next marketplace adjustment lands (before it can
   * record it): the window where a retry must not apply the adjustment twice.
   */
  armAfterMarketplaceWrite(onCrash: () => void): void
  /** The store as the doomed process sees it. */
  store(store: HubStore): HubStore
  /** The marketplace as the doomed process sees it. */
  marketplace<M extends MarketplacePort>(marketplace: M): MarketplacePort
  /** A fetch for the doomed process's adapters. */
  fetch(inner: () => typeof fetch): typeof fetch
}

const never = <T>(): Promise<T> => new Promise<T>(() => {})

/** Create a {@link CrashSwitch}. */
export function crashSwitch(): CrashSwitch {
  let crashed = false
  let armed: (() => void) | null = null
  function wrap<T extends object>(
    target: T,
    passthrough: ReadonlySet<string | symbol>,
    after?: (prop: string | symbol) => void,
  ): T {
    return new Proxy(target, {
      get(obj, prop, receiver) {
        const value: unknown = Reflect.get(obj, prop, receiver)
        if (typeof value !== 'function' || passthrough.has(prop)) {
          return typeof value === 'function' ? value.bind(obj) : value
        }
        return (...args: unknown[]) => {
          if (crashed) return never()
          const result = (value as (...a: unknown[]) => unknown).apply(obj, args)
          if (!after || !(result instanceof Promise)) return result
          return result.then((settled: unknown) => {
            after(prop)
            return settled
          })
        }
      },
    })
  }
  return {
    get crashed() {
      return crashed
    },
    crash() {
      crashed = true
    },
    armAfterMarketplaceWrite(onCrash) {
      armed = onCrash
    },
    store: (store) => wrap(store, new Set(['onWake'])),
    marketplace: (marketplace) =>
      wrap(marketplace, new Set(), (prop) => {
        if (prop !== 'adjustInventory' || !armed || crashed) return
        const onCrash = armed
        armed = null
        crashed = true
        onCrash()
      }),
    fetch:
      (inner) =>
      (input, init): Promise<Response> =>
        crashed ? never() : inner()(input, init),
  }
}
