/** Structured log fields; never put tokens, CSRF values or session ids in them. */
export type LogFields = Readonly<Record<string, unknown>>;

/** The logging the core needs; adapters back it with winston or anything else. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
