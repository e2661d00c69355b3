/** A domain failure the REST layer turns into a WordPress error body. */
export class WooDomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'WooDomainError'
  }
}
