/**
 * The most statements one update or delete command carries. FerretDB holds a database connection
 * for every stored document a command's statements match until the whole command ends, and never
 * answers a command that matches 100 or more (50 on its PostgreSQL backend): the pool runs dry.
 * Splitting batches keeps every command well below that. See docs/adr/0006-mongodb-persistence.md.
 */
export const statementsPerCommand = 40;

/** Runs `write` on consecutive slices of `items` of at most `statementsPerCommand`, one after another. */
export async function inCommands<T>(items: readonly T[], write: (slice: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += statementsPerCommand) await write(items.slice(i, i + statementsPerCommand));
}
