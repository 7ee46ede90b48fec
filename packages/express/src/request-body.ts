import type { Request } from 'express';
import { HttpProblem } from './problem.js';

const jsonType = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
// Fatal: malformed UTF-8 is refused rather than replaced. A BOM is kept, so JSON.parse refuses it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/** Refuses a body on an endpoint that takes none. */
export function refuseBody(request: Request): void {
  if (hasBody(request)) throw new HttpProblem('validation_failed', 'This endpoint takes no request body');
}

/**
 * Reads an `application/json` (UTF-8) body of at most `limit` bytes and parses it. Answers 415 for
 * another media type or charset, 413 past the limit (from Content-Length before reading, or while
 * reading), 400 for malformed JSON or a body the client aborted. Reuses a body a host app's JSON
 * parser already read.
 */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const type = request.headers['content-type'];
  if (type === undefined || !jsonType.test(type)) {
    throw new HttpProblem('unsupported_media_type', 'Send the request body as application/json (UTF-8)');
  }
  if ((request as { _body?: unknown })._body === true || request.readableEnded) return request.body as unknown;
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > limit) throw new HttpProblem('payload_too_large', `The body may be at most ${limit} bytes`, { Connection: 'close' });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        // The rest of the body stays unread: close the connection rather than parse it as a request.
        throw new HttpProblem('payload_too_large', `The body may be at most ${limit} bytes`, { Connection: 'close' });
      }
      chunks.push(chunk);
    }
  } catch (error: unknown) {
    if (error instanceof HttpProblem) throw error;
    // The request stream fails only when its connection does: the client aborted or cut the body
    // short. That is a client error, not ours (no 5xx, no error log).
    throw new HttpProblem('validation_failed', 'The request body was not received completely', { Connection: 'close' });
  }
  let text: string;
  try {
    text = utf8.decode(Buffer.concat(chunks));
  } catch {
    throw new HttpProblem('validation_failed', 'The body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpProblem('validation_failed', 'The body is not valid JSON');
  }
}
