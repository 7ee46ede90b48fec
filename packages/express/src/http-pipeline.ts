import { randomUUID } from 'node:crypto';
import type { Logger } from '@partner-team/core';
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { HttpProblem, toProblem } from './problem.js';
import { apiHelmetOptions, helmetHeaders } from './security-headers.js';

// What every API router of this adapter does for every request, whoever the caller: a request id,
// helmet's headers and no-store on every answer, strict schema validation, problem+json refusals,
// one structured log line (route patterns, never URLs, tokens, CSRF values or session ids).

/** One request's id, start, route and who made it (fields for the log line). */
export interface RequestState {
  readonly requestId: string;
  readonly clientRequestId?: string;
  readonly started: bigint;
  /** Who made the request, as logged: `{ userId }` or `{ operatorId, role }`. */
  who?: Readonly<Record<string, string>>;
  route?: string;
}

const requestIdPattern = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Parses `value` with a strict schema, or refuses the request part with `validation_failed`. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, part: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: [part, ...issue.path.map(String)].join('.'), message: issue.message }));
  throw new HttpProblem('validation_failed', `The request ${part} is not valid`, {}, issues);
}

export interface Pipeline {
  /** The request's state (created by the route's handler, or by the fallbacks). */
  readonly begin: (req: Request, res: Response) => RequestState;
  /**
   * Writes the whole answer at once: helmet's headers, no-store, the request id, and a
   * Content-Length (so the body goes out in the same write as the headers, not chunked).
   */
  readonly send: (res: Response, s: RequestState, status: number, body: string | undefined, contentType: string, extra?: Readonly<Record<string, string>>) => void;
  /** One line per request, written when the answer is sent (not on 'finish': no listener per request). */
  readonly logRequest: (req: Request, res: Response, s: RequestState) => void;
  /** The fallback for paths no route matches. */
  readonly notFound: (req: Request, res: Response, next: NextFunction) => void;
  /** The error handler: anything thrown becomes a problem+json answer; the unexpected are logged. */
  readonly onError: (error: unknown, req: Request, res: Response, next: NextFunction) => void;
}

export function createPipeline(options: { readonly logger: Logger; readonly trustRequestIdHeader?: boolean | undefined; readonly localsKey: string }): Pipeline {
  const { logger, localsKey } = options;
  const securityHeaders = helmetHeaders(apiHelmetOptions).flat();

  const begin = (req: Request, res: Response): RequestState => {
    const existing = res.locals[localsKey] as RequestState | undefined;
    if (existing !== undefined) return existing;
    const given = req.headers['x-request-id'];
    const valid = typeof given === 'string' && requestIdPattern.test(given) ? given : undefined;
    const state: RequestState =
      options.trustRequestIdHeader === true && valid !== undefined
        ? { requestId: valid, started: process.hrtime.bigint() }
        : { requestId: randomUUID(), started: process.hrtime.bigint(), ...(valid === undefined ? {} : { clientRequestId: valid }) };
    res.locals[localsKey] = state;
    return state;
  };

  const send: Pipeline['send'] = (res, s, status, body, contentType, extra = {}) => {
    const headers: string[] = [...securityHeaders, 'Cache-Control', 'no-store', 'X-Request-Id', s.requestId];
    for (const [name, value] of Object.entries(extra)) headers.push(name, value);
    if (body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    headers.push('Content-Type', contentType, 'Content-Length', String(Buffer.byteLength(body)));
    res.writeHead(status, headers);
    res.end(body);
  };

  const logRequest: Pipeline['logRequest'] = (req, res, s) => {
    logger.info('request', {
      requestId: s.requestId,
      method: req.method,
      route: s.route ?? 'unmatched',
      status: res.statusCode,
      durationMs: Number(process.hrtime.bigint() - s.started) / 1e6,
      ...s.who,
      ...(s.clientRequestId === undefined ? {} : { clientRequestId: s.clientRequestId }),
    });
  };

  return {
    begin,
    send,
    logRequest,
    notFound: (_req, _res, next) => {
      next(new HttpProblem('route_not_found', 'No such endpoint'));
    },
    onError: (error, req, res, next) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      const s = begin(req, res);
      const { body, headers, expected } = toProblem(error, s.requestId);
      if (!expected) {
        logger.error('unexpected error', {
          requestId: s.requestId,
          method: req.method,
          error: error instanceof Error ? error.name : typeof error,
          stack: error instanceof Error ? error.stack : undefined,
        });
      }
      send(res, s, body.status, JSON.stringify(body), 'application/problem+json; charset=utf-8', headers);
      logRequest(req, res, s);
    },
  };
}
