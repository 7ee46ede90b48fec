import type { AcceptedInvitation, AssignedClient, DemoUser, Invitation, IssuedInvitation, Me, MemberPage, MemberSort, Role, SignInProvider, SortOrder, Member } from './types.js';

const apiBase = '/api/partner-team';

/** One issue with one input field, as `validation_failed` lists them. */
export interface ProblemIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A refusal or failure, reduced to what the page may show: the stable code, the request id support
 * can trace, field issues, and Retry-After. The raw body is deliberately not kept.
 */
export class ApiProblem extends Error {
  readonly issues: readonly ProblemIssue[];
  readonly retryAfterSeconds: number | undefined;
  /** Only `not_a_partner_member` answers from GET /me carry one. */
  readonly csrfToken: string | undefined;

  constructor(
    readonly code: string,
    readonly status: number,
    readonly requestId: string,
    details: { issues?: readonly ProblemIssue[]; retryAfterSeconds?: number | undefined; csrfToken?: string | undefined } = {},
  ) {
    super(code);
    this.name = 'ApiProblem';
    this.issues = details.issues ?? [];
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.csrfToken = details.csrfToken;
  }
}

// Held in memory only: never in storage or URLs, so it dies with the page.
let csrfToken: string | undefined;

export function rememberCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function issuesOf(value: unknown): ProblemIssue[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((issue: unknown) =>
    isRecord(issue) && typeof issue.message === 'string' ? [{ path: typeof issue.path === 'string' ? issue.path : '', message: issue.message }] : [],
  );
}

async function problemFrom(response: Response): Promise<ApiProblem> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const retryAfter = Number(response.headers.get('Retry-After'));
  const problem = isRecord(body) ? body : {};
  const code = typeof problem.code === 'string' ? problem.code : response.status >= 500 ? 'internal' : 'unexpected_answer';
  return new ApiProblem(
    code,
    response.status,
    typeof problem.requestId === 'string' && problem.requestId !== '' ? problem.requestId : (response.headers.get('X-Request-Id') ?? ''),
    {
      issues: issuesOf(problem.errors),
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      csrfToken: typeof problem.csrfToken === 'string' ? problem.csrfToken : undefined,
    },
  );
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

async function send<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && csrfToken !== undefined) headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiProblem('network', 0, '');
  }
  if (!response.ok) throw await problemFrom(response);
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json();
  // The API documents these shapes (and its own tests hold it to them), so they are trusted here.
  return data as T;
}

const encode = encodeURIComponent;

export interface MemberQuery {
  readonly q: string;
  readonly sort: MemberSort;
  readonly order: SortOrder;
  readonly limit: number;
  readonly cursor: string | null;
}

export const api = {
  me: () => send<Me>('GET', `${apiBase}/me`),
  members(query: MemberQuery): Promise<MemberPage> {
    const params = new URLSearchParams({ sort: query.sort, order: query.order, limit: String(query.limit) });
    if (query.q.trim() !== '') params.set('q', query.q.trim());
    if (query.cursor !== null) params.set('cursor', query.cursor);
    return send<MemberPage>('GET', `${apiBase}/members?${params.toString()}`);
  },
  clientsOf: (userId: string) => send<{ items: AssignedClient[] }>('GET', `${apiBase}/members/${encode(userId)}/clients`),
  changeRole: (userId: string, role: Role) => send<Member>('PATCH', `${apiBase}/members/${encode(userId)}`, { role }),
  removeMember: (userId: string) => send<undefined>('DELETE', `${apiBase}/members/${encode(userId)}`),
  invitations: () => send<{ items: Invitation[] }>('GET', `${apiBase}/invitations`),
  invite: (email: string, role: Role) => send<IssuedInvitation>('POST', `${apiBase}/invitations`, { email, role }),
  revokeInvitation: (id: string) => send<undefined>('DELETE', `${apiBase}/invitations/${encode(id)}`),
  resendInvitation: (id: string) => send<IssuedInvitation>('POST', `${apiBase}/invitations/${encode(id)}/resend`),
  acceptInvitation: (token: string) => send<AcceptedInvitation>('POST', `${apiBase}/invitations/accept`, { token }),
  demoUsers: () => send<{ items: DemoUser[] }>('GET', '/demo/users'),
  demoSignIn: (userId: string) => send<unknown>('POST', '/demo/sign-in', { userId }),
  demoSignOut: () => send<undefined>('POST', '/demo/sign-out'),
  /** The identity provider the server signs people in with; a 404 problem when it has none. */
  signInProvider: () => send<SignInProvider>('GET', '/auth/provider'),
  /** Ends the server's session; answers where to send the browser (the provider's sign-out, or the page). */
  signOut: () => send<{ location: string }>('POST', '/auth/logout'),
};

const pendingInvitationKey = 'partner-team.pending-invitation';

/**
 * Keeps an invitation token across a sign-in through the identity provider (the page is left and
 * loaded again): in this tab's session storage only, taken out again as soon as the page is back.
 */
export const pendingInvitation = {
  keep(token: string): void {
    try {
      sessionStorage.setItem(pendingInvitationKey, token);
    } catch {
      // Storage disabled: the user opens the link again after signing in.
    }
  },
  take(): string | undefined {
    try {
      const token = sessionStorage.getItem(pendingInvitationKey) ?? undefined;
      sessionStorage.removeItem(pendingInvitationKey);
      return token;
    } catch {
      return undefined;
    }
  },
};
