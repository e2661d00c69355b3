import { z } from 'zod'

/** A JSON value as stored in payloads, diagnostics and results. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/** zod schema for {@link Json}. */
export const jsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonSchema),
    z.record(z.string(), jsonSchema),
  ]),
)

/** A JSON object. */
export type JsonObject = { [key: string]: Json }
