import type { LogFields, Logger } from '@partner-team/core';
import winston from 'winston';
import { CoalescingStdoutTransport } from './coalescing-stdout.js';

/** Field names that must never reach a log line, whoever passes them. */
const secretKey = /token|csrf|session|cookie|authorization|secret|password/i;

/** Defence in depth: replaces the value of any secret-looking field, at any depth. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = secretKey.test(key) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

const MESSAGE = Symbol.for('message');

/**
 * One JSON line per entry, built with JSON.stringify: the same line winston's timestamp + json
 * formats produce, without their per-entry cost (a request writes one line, so it counts).
 * Fields reach it already redacted and made of plain data.
 */
let lastMs = 0;
let lastIso = '';
/** ISO time of now, formatted at most once per millisecond (formatting costs about a microsecond). */
function timestamp(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

const jsonLine = winston.format((info) => {
  const line: Record<string, unknown> = { level: info.level, message: info.message, timestamp: timestamp() };
  for (const key of Object.keys(info)) if (key !== 'level' && key !== 'message') line[key] = info[key];
  (info as Record<string | symbol, unknown>)[MESSAGE] = JSON.stringify(line);
  return info;
});

/** Core's Logger on winston: one JSON line per entry on stdout (writes coalesced per event-loop turn). */
export class WinstonLogger implements Logger {
  private readonly winston: winston.Logger;

  constructor(level: 'error' | 'warn' | 'info' | 'debug' | 'silent', transport?: winston.transport) {
    this.winston = winston.createLogger({
      level: level === 'silent' ? 'error' : level,
      silent: level === 'silent',
      format: jsonLine(),
      // winston's typings name winston-transport's TransportStream through their own import path.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      transports: [transport ?? new CoalescingStdoutTransport()],
    });
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  private write(level: string, message: string, fields: LogFields | undefined): void {
    if (!this.winston.isLevelEnabled(level)) return;
    this.winston.log(level, message, fields === undefined ? {} : (redact(fields) as object));
  }
}
