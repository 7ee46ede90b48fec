import { DomainError, StoreUnavailableError, ValidationError, type DomainErrorCode } from '@partner-team/core';
import type { Response } from 'express';

/** Codes the HTTP adapter adds to the domain's. */
export type HttpErrorCode =
  | 'unauthenticated'
  | 'csrf_failed'
  | 'route_not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal'
  | 'unavailable';

/** Every `code` a problem+json answer can carry. */
export type ProblemCode = DomainErrorCode | HttpErrorCode;

/**
 * The one code → status table. `satisfies Record<ProblemCode, …>` makes the compiler refuse it
 * while any code lacks a status (or a title).
 */
export const problemTypes = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  unauthenticated: { status: 401, title: 'Sign in first' },
  csrf_failed: { status: 403, title: 'Request verification failed' },
  not_a_partner_member: { status: 403, title: 'Not a partner organisation member' },
  partner_bootstrap_incomplete: { status: 403, title: 'Partner bootstrap is not complete' },
  organisation_not_active: { status: 403, title: 'The organisation is not active' },
  forbidden: { status: 403, title: 'Not allowed for your role' },
  self_role_change_forbidden: { status: 403, title: 'You cannot change your own role' },
  self_removal_forbidden: { status: 403, title: 'You cannot remove yourself' },
  invitations_disabled: { status: 403, title: 'Invitations are disabled' },
  invitation_email_mismatch: { status: 403, title: 'The invitation is for another email address' },
  member_not_found: { status: 404, title: 'No such member' },
  invitation_not_found: { status: 404, title: 'No such invitation' },
  route_not_found: { status: 404, title: 'No such resource' },
  organisation_not_found: { status: 404, title: 'No such organisation' },
  user_not_found: { status: 404, title: 'No such user in the directory' },
  assignment_not_found: { status: 404, title: 'No such client assignment' },
  last_admin: { status: 409, title: 'The organisation must keep a partner_admin' },
  already_member: { status: 409, title: 'Already a member' },
  invitation_pending: { status: 409, title: 'An invitation is already pending' },
  too_many_pending_invitations: { status: 409, title: 'Too many pending invitations' },
  member_of_another_organisation: { status: 409, title: 'Already in another partner organisation' },
  email_in_use: { status: 409, title: 'The email address belongs to another user' },
  concurrency_conflict: { status: 409, title: 'Changed concurrently; try again' },
  organisation_exists: { status: 409, title: 'The organisation already exists' },
  organisation_archived: { status: 409, title: 'The organisation is archived' },
  already_bootstrapped: { status: 409, title: 'Partner bootstrap is already complete' },
  already_partner_admin: { status: 409, title: 'Already a partner_admin' },
  invitation_expired: { status: 410, title: 'The invitation has expired' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Send application/json' },
  rate_limited: { status: 429, title: 'Too many changes; slow down' },
  internal: { status: 500, title: 'Something went wrong on our side' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
} as const satisfies Record<ProblemCode, { status: number; title: string }>;

/** What a 503 asks the client to wait before trying again. */
export const unavailableRetryAfterSeconds = 5;

/** The problem+json body (RFC 9457) with our stable `code` and the request id. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ProblemCode;
  readonly detail?: string;
  readonly errors?: readonly ProblemIssue[];
  readonly requestId: string;
  readonly [extension: string]: unknown;
}

/** One problem with one input field. */
export interface ProblemIssue {
  readonly path: string;
  readonly message: string;
}

/** An HTTP-level refusal (authentication, verification, media type, schema…). */
export class HttpProblem extends Error {
  constructor(
    readonly code: HttpErrorCode | 'validation_failed',
    readonly detail?: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly issues: readonly ProblemIssue[] = [],
  ) {
    super(detail ?? problemTypes[code].title);
    this.name = 'HttpProblem';
  }
}

/** An error that adds RFC 9457 extension members to its problem body. */
export interface WithProblemExtensions {
  readonly problemExtensions: Readonly<Record<string, string>>;
}

export const problemTypeUri = (code: ProblemCode): string => `urn:problem-type:partner-team:${code}`;

/**
 * Turns anything thrown into a problem body. Domain and HTTP refusals keep their message (written
 * for clients); everything else becomes a detail-less `internal` answer: no stack, no driver text.
 */
export function toProblem(error: unknown, requestId: string): { body: ProblemBody; headers: Record<string, string>; expected: boolean } {
  let code: ProblemCode = 'internal';
  let detail: string | undefined;
  let errors: ProblemBody['errors'];
  let headers: Record<string, string> = {};
  let expected = true;
  if (error instanceof DomainError) {
    code = error.code;
    detail = error.message;
    if (error instanceof ValidationError && error.issues.length > 0) errors = error.issues;
  } else if (error instanceof HttpProblem) {
    code = error.code;
    detail = error.detail;
    headers = { ...error.headers };
    if (error.issues.length > 0) errors = error.issues;
  } else if (error instanceof StoreUnavailableError) {
    code = 'unavailable';
    headers = { 'Retry-After': String(unavailableRetryAfterSeconds) };
    if (error.outcome === 'unknown') {
      detail = 'The store did not confirm the change: it may have been applied. Reload before retrying.';
    }
  } else if (isClientHttpError(error)) {
    // Express and body parsers signal malformed requests (a bad percent-encoding in a path, say)
    // with http-errors; their messages may echo input, so only the status is kept.
    code = error.status === 413 ? 'payload_too_large' : error.status === 415 ? 'unsupported_media_type' : 'validation_failed';
    detail = problemTypes[code].title;
  } else {
    expected = false;
  }
  const { status, title } = problemTypes[code];
  const extensions = expected && typeof error === 'object' && error !== null && 'problemExtensions' in error
    ? (error as WithProblemExtensions).problemExtensions
    : {};
  const body: ProblemBody = {
    ...extensions,
    type: problemTypeUri(code),
    title,
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { errors }),
    requestId,
  };
  return { body, headers, expected };
}

function isClientHttpError(error: unknown): error is { status: number } {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: unknown }).expose !== false;
}

export function sendProblem(res: Response, body: ProblemBody, headers: Record<string, string> = {}): void {
  res.status(body.status);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}
