import type pg from 'pg'

/** One statement as the server sent it: which pooled connection, the SQL and its parameters. */
export interface Statement {
  connection: number
  text: string
  values: unknown[]
}

export interface SqlCounter {
  /** every statement sent through the pool so far, begin/commit included */
  readonly total: number
  /** the statements sent while `fn` runs; nothing else may use the pool meanwhile */
  capture<T>(fn: () => Promise<T>): Promise<[T, Statement[]]>
}

type Query = (...args: unknown[]) => unknown

/**
 * Counts what the application sends to PostgreSQL by wrapping `query` on each client the pool
 * opens. Kysely runs everything, `begin` and `commit` too, as `client.query(text, values)` on a
 * pooled client, so this sees every statement without touching the kernel. Attach before the
 * pool opens its first connection.
 */
export function countStatements(pool: pg.Pool): SqlCounter {
  let total = 0
  let connections = 0
  let recording: Statement[] | undefined
  pool.on('connect', (client) => {
    const connection = ++connections
    const query = client.query.bind(client) as Query
    ;(client as unknown as { query: Query }).query = (...args: unknown[]) => {
      total++
      recording?.push({ connection, ...statementOf(args) })
      return query(...args)
    }
  })
  return {
    get total() {
      return total
    },
    async capture(fn) {
      const statements: Statement[] = []
      recording = statements
      try {
        return [await fn(), statements]
      } finally {
        recording = undefined
      }
    },
  }
}

function statementOf(args: unknown[]): Omit<Statement, 'connection'> {
  const [first, second] = args
  if (typeof first === 'string') return { text: first, values: Array.isArray(second) ? [...second] : [] }
  const config = first as { text: string; values?: unknown[] }
  return { text: config.text, values: [...(config.values ?? [])] }
}
