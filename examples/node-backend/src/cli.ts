// The operator CLI: the same actions as the operator API, over HTTP. Self-contained (only `node:`
// imports) so it also runs as `node src/cli.ts …` on a Node that strips types (≥ 22.18 / 23.6).
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

/** Where the CLI sends requests and as whom. */
export interface CliEnvironment {
  /** Base URL of the backend. Default `HUB_URL` or `http://127.0.0.1:3000`. */
  baseUrl: string
  /** The seller to act for (`x-seller-id`). Default `HUB_SELLER`. */
  sellerId: string | undefined
  /** Operator token, when the server requires one. Default `HUB_OPERATOR_TOKEN`. */
  token: string | undefined
  fetch: typeof fetch
  stdout(line: string): void
  stderr(line: string): void
}

interface Command {
  usage: string
  args: number
  request(args: string[], flags: Flags): { method: 'GET' | 'POST'; path: string; body?: unknown }
}

type Flags = Record<string, string | undefined>

const q = (flags: Flags, names: Record<string, string>) => {
  const params = new URLSearchParams()
  for (const [flag, param] of Object.entries(names)) {
    const value = flags[flag]
    if (value) params.set(param, value)
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}
const id = (value: string) => encodeURIComponent(value)

/** Every command: name → usage, positional argument count, and the request it makes. */
const COMMANDS: Record<string, Command> = {
  health: { usage: 'health', args: 0, request: () => ({ method: 'GET', path: '/health' }) },
  connections: {
    usage: 'connections',
    args: 0,
    request: () => ({ method: 'GET', path: '/api/connections' }),
  },
  runs: {
    usage: 'runs [--connection <id>] [--kind <kind>] [--limit <n>]',
    args: 0,
    request: (_, f) => ({
      method: 'GET',
      path: `/api/runs${q(f, { connection: 'connectionId', kind: 'kind', limit: 'limit' })}`,
    }),
  },
  run: { usage: 'run <runId>', args: 1, request: ([r]) => ({ method: 'GET', path: `/api/runs/${id(r!)}` }) },
  items: {
    usage: 'items [--status <s[,s]>] [--connection <id>] [--run <id>] [--operation <op>] [--limit <n>]',
    args: 0,
    request: (_, f) => ({
      method: 'GET',
      path: `/api/items${q(f, {
        status: 'status',
        connection: 'connectionId',
        run: 'runId',
        operation: 'operation',
        limit: 'limit',
      })}`,
    }),
  },
  item: {
    usage: 'item <itemId>',
    args: 1,
    request: ([i]) => ({ method: 'GET', path: `/api/items/${id(i!)}` }),
  },
  dead: {
    usage: 'dead [--connection <id>]',
    args: 0,
    request: (_, f) => ({ method: 'GET', path: `/api/dead-letters${q(f, { connection: 'connectionId' })}` }),
  },
  conflicts: {
    usage: 'conflicts [--status open|accepted|rejected] [--connection <id>]',
    args: 0,
    request: (_, f) => ({
      method: 'GET',
      path: `/api/conflicts${q(f, { status: 'status', connection: 'connectionId' })}`,
    }),
  },
  events: {
    usage: 'events [--status received|processed|ignored|failed] [--connection <id>]',
    args: 0,
    request: (_, f) => ({
      method: 'GET',
      path: `/api/webhook-events${q(f, { status: 'status', connection: 'connectionId', limit: 'limit' })}`,
    }),
  },
  'replay-item': {
    usage: 'replay-item <itemId>',
    args: 1,
    request: ([i]) => ({ method: 'POST', path: `/api/items/${id(i!)}/replay` }),
  },
  'replay-run': {
    usage: 'replay-run <runId>',
    args: 1,
    request: ([r]) => ({ method: 'POST', path: `/api/runs/${id(r!)}/replay` }),
  },
  'replay-dead': {
    usage: 'replay-dead <connectionId>',
    args: 1,
    request: ([c]) => ({ method: 'POST', path: `/api/connections/${id(c!)}/replay-dead` }),
  },
  reconcile: {
    usage: 'reconcile <connectionId>',
    args: 1,
    request: ([c]) => ({ method: 'POST', path: `/api/connections/${id(c!)}/reconcile` }),
  },
  resolve: {
    usage: 'resolve <conflictId> accepted|rejected',
    args: 2,
    request: ([c, decision]) => ({
      method: 'POST',
      path: `/api/conflicts/${id(c!)}/resolve`,
      body: { decision },
    }),
  },
  requests: {
    usage: 'requests [--status pending|approved|rejected]',
    args: 0,
    request: (_, f) => ({
      method: 'GET',
      path: `/api/product-requests${q(f, { status: 'status', limit: 'limit' })}`,
    }),
  },
  approve: {
    usage: 'approve <requestRef>',
    args: 1,
    request: ([r]) => ({ method: 'POST', path: `/api/product-requests/${id(r!)}/approve` }),
  },
  reject: {
    usage: 'reject <requestRef> [--reason <text>]',
    args: 1,
    request: ([r], f) => ({
      method: 'POST',
      path: `/api/product-requests/${id(r!)}/reject`,
      body: { reason: f.reason ?? null },
    }),
  },
  inventory: {
    usage: 'inventory <inventoryItemId>',
    args: 1,
    request: ([i]) => ({ method: 'GET', path: `/api/inventory/${id(i!)}` }),
  },
  sell: {
    usage: 'sell <inventoryItemId> <quantity> <orderId>',
    args: 3,
    request: ([i, quantity, orderId]) => ({
      method: 'POST',
      path: `/api/inventory/${id(i!)}/sales`,
      body: { quantity: Number(quantity), orderId },
    }),
  },
}

/** The help text. */
export function usage(): string {
  return [
    'usage: cli <command> [args] [--url <base>] [--seller <id>] [--token <t>]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
    '',
    'env: HUB_URL (default http://127.0.0.1:3000), HUB_SELLER, HUB_OPERATOR_TOKEN',
  ].join('\n')
}

/** Run one CLI invocation; resolves with the exit code (0 ok, 1 request failed, 2 usage). */
export async function runCli(argv: readonly string[], env: CliEnvironment): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    env.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${usage()}`)
    return 2
  }
  const [name, ...args] = parsed.positionals
  if (name === 'help') {
    env.stdout(usage())
    return 0
  }
  const command = name ? COMMANDS[name] : undefined
  if (!command) {
    env.stderr(name ? `unknown command "${name}"\n\n${usage()}` : usage())
    return 2
  }
  if (args.length !== command.args) {
    env.stderr(`usage: cli ${command.usage}`)
    return 2
  }
  const flags = parsed.values
  const sellerId = flags.seller ?? env.sellerId
  const token = flags.token ?? env.token
  const { method, path, body } = command.request(args, flags)
  const headers: Record<string, string> = { accept: 'application/json' }
  if (sellerId) headers['x-seller-id'] = sellerId
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  let response: Response
  try {
    response = await env.fetch(new URL(path, flags.url ?? env.baseUrl), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
  } catch (error) {
    env.stderr(
      `cannot reach ${flags.url ?? env.baseUrl}: ${error instanceof Error ? error.message : String(error)}`,
    )
    return 1
  }
  const text = await response.text()
  let json: unknown = text
  try {
    json = JSON.parse(text)
  } catch {
    // not JSON: print as is
  }
  const out = typeof json === 'string' ? json : JSON.stringify(json, null, 2)
  if (!response.ok) {
    env.stderr(`HTTP ${response.status}: ${out}`)
    return 1
  }
  env.stdout(out)
  return 0
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      seller: { type: 'string' },
      token: { type: 'string' },
      status: { type: 'string' },
      connection: { type: 'string' },
      run: { type: 'string' },
      kind: { type: 'string' },
      operation: { type: 'string' },
      limit: { type: 'string' },
      reason: { type: 'string' },
    },
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await runCli(process.argv.slice(2), {
    baseUrl: process.env.HUB_URL ?? 'http://127.0.0.1:3000',
    sellerId: process.env.HUB_SELLER,
    token: process.env.HUB_OPERATOR_TOKEN,
    fetch,
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  })
  process.exitCode = code
}
