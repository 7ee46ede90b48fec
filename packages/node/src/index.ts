export { SystemClock } from './system-clock.js';
export { RandomIds } from './random-ids.js';
export { Sha256InvitationTokens } from './sha256-invitation-tokens.js';
