import { IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';

/** Helmet's defaults, tightened for a JSON API that no page should ever frame or embed. */
export const apiHelmetOptions: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  referrerPolicy: { policy: 'no-referrer' },
};

/**
 * The headers helmet sets for `options`, computed once. Helmet's output depends only on its
 * options, so replaying the captured headers per response is equivalent and avoids re-running a
 * dozen middlewares on every request.
 */
export function helmetHeaders(options: HelmetOptions = apiHelmetOptions): ReadonlyArray<readonly [string, string]> {
  const headers = new Map<string, string>();
  const removed = new Set<string>();
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
      return response;
    },
    removeHeader(name: string) {
      removed.add(name.toLowerCase());
      headers.delete(name);
    },
    getHeader: (name: string) => headers.get(name),
  };
  const outcome = { done: false };
  helmet(options)(new IncomingMessage(new Socket()), response as unknown as ServerResponse, () => {
    outcome.done = true;
  });
  if (!outcome.done) throw new Error('helmet did not complete synchronously');
  return [...headers.entries()];
}
