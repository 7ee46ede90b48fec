import type { ApiProblem } from './api.js';

export const supportAdvice = 'Contact AiDial support rather than trying to self-correct partner organisation setup.';
export const noSecretsAdvice = 'Do not include passwords, API keys, screenshots containing secrets, or customer personal data in support requests.';

/** Why a partner_admin of a suspended or archived organisation cannot use a management control. */
export const blockedSentence =
  'Your organisation is suspended or archived, so management actions are blocked until AiDial support resolves the organisation status.';

/** One plain sentence per refusal code; the page never shows the API's own text or JSON. */
const sentences: Readonly<Record<string, string>> = {
  last_admin:
    'Your organisation must keep at least one partner admin. Make another member a partner admin first; if nobody else can be one, contact AiDial support.',
  self_role_change_forbidden: 'You cannot change your own role. Ask another partner admin to do it.',
  self_removal_forbidden: 'You cannot remove yourself from the team. Ask another partner admin to do it.',
  organisation_not_active: blockedSentence,
  invitations_disabled: 'Invitations are turned off for your organisation. Contact AiDial support if you need them.',
  invitation_pending: 'An invitation to this email address is already pending. Use Resend in its row to send a new link.',
  too_many_pending_invitations: 'Your organisation has as many pending invitations as it may have. Revoke invitations that are no longer needed, then try again.',
  already_member: 'This person is already a member of the partner team.',
  member_not_found: 'That person is no longer a member of your team. The list has been refreshed.',
  invitation_not_found: 'That invitation no longer exists. It may have been accepted or revoked already.',
  invitation_expired: 'This invitation has expired. Ask a partner admin of the organisation to send a new one.',
  invitation_email_mismatch: 'This invitation was sent to a different email address. Sign in with the account it was sent to.',
  member_of_another_organisation:
    'This account already belongs to another partner organisation, and a person can only belong to one. Contact AiDial support if it should move.',
  concurrency_conflict: 'Someone else changed the team at the same moment. The list has been refreshed; please try again.',
  rate_limited: 'Too many changes in a short time. Wait a moment, then try again.',
  forbidden: 'Your role does not allow this action.',
  csrf_failed: 'The page could not verify this request, usually because you signed in again elsewhere. Reload the page and try again.',
  validation_failed: 'Some of the details are not valid.',
  unavailable: 'The service is temporarily unavailable. Please try again in a few minutes.',
  unauthenticated: 'Your session has ended. Please sign in again.',
  not_a_partner_member: 'You are not a member of a partner organisation.',
  partner_bootstrap_incomplete: 'AiDial has not finished setting up your partner organisation yet.',
  payload_too_large: 'That entry is too long.',
  network: 'The server could not be reached. Check your connection and try again.',
};

export const validEmailSentence = 'Enter a valid email address, like name@example.com.';

function internalSentence(requestId: string): string {
  const reference = requestId === '' ? '' : ` and quote reference ${requestId}`;
  return `Something went wrong on our side. Please try again; if it keeps happening, contact AiDial support${reference}.`;
}

/** What to tell the user about `problem`, in plain words. */
export function messageFor(problem: ApiProblem): string {
  if (problem.code === 'validation_failed' && problem.issues.length > 0) {
    const details = new Set(problem.issues.map((i) => (/(^|\.)email$/.test(i.path) ? validEmailSentence : sentenceCase(i.message))));
    return `${sentences.validation_failed ?? ''} ${[...details].join(' ')}`;
  }
  if (problem.code === 'rate_limited' && problem.retryAfterSeconds !== undefined) {
    return `Too many changes in a short time. Try again in ${problem.retryAfterSeconds} seconds.`;
  }
  return sentences[problem.code] ?? internalSentence(problem.requestId);
}

function sentenceCase(message: string): string {
  const trimmed = message.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

