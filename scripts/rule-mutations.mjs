#!/usr/bin/env node
// Shows that the domain specs guard the rules: removes one rule at a time from the compiled
// aggregate, runs the spec that should notice, and restores it. Run after a build:
//   node scripts/rule-mutations.mjs
// Every line must end in "caught"; a "MISSED" line names a rule no spec would defend. Each spec
// must first pass on the unmutated code, and a mutation counts as caught only when mocha reports
// failing tests (not when it cannot load the spec at all).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const aggregate = `${root}packages/core/dist/domain/organisation/partner-organisation.js`;
const spec = (name) => `${root}packages/core/dist/application/${name.includes('/') ? name : `use-cases/${name}`}.spec.js`;
const mutations = [
  ['no one changes their own role', '        if (targetUserId === actor.userId)\n            throw new SelfRoleChangeError();', '', 'change-member-role'],
  ['no one removes themselves', '        if (targetUserId === actor.userId)\n            throw new SelfRemovalError();', '', 'remove-member'],
  ['an organisation keeps a partner_admin', 'if (managesTeam(target.role) && !managesTeam(role) && this.admins <= 1) {', 'if (false) {', 'change-member-role'],
  ['only partner_admins mutate', "        requireGrant(actor, 'members.change_role');\n", '', 'change-member-role'],
  ['suspended / archived organisations refuse management', "        if (this.profile.status !== 'active')\n            throw new OrganisationNotActiveError(this.profile.status);\n        return actor;", '        return actor;', 'change-member-role'],
  ['one pending invitation per email', "if (samePending.some((i) => effectiveInvitationStatus(i, context.at) === 'pending'))", 'if (false)', 'invite-user'],
  ['invitations only while enabled', '        if (!this.profile.invitationsEnabled)\n            throw new InvitationsDisabledError();', '', 'invite-user'],
  ["accepting needs the user's email", 'if (invitation.email !== acceptance.email)', 'if (false)', 'accept-invitation'],
  ['no invitation for a current member', 'if (invitation.inviteeUserId !== null && this.membershipOf(invitation.inviteeUserId) !== undefined)', 'if (false)', 'invite-user'],
  ["an invitation dies with its inviter's authority", "            this.putInvitation({ ...invitation, status: 'revoked', closedAt: at });\n            revoked.push(invitation.id);\n", '', 'accept-invitation'],
  ['a resend kills the old link', 'const resent = { ...invitation, tokenHash: renewal.tokenHash, expiresAt: renewal.expiresAt };', 'const resent = { ...invitation, expiresAt: renewal.expiresAt };', 'resend-invitation'],
  ['expired invitations cannot be accepted', "        if (status === 'expired')\n            throw new InvitationExpiredError();\n        if (!this.profile.bootstrapped)", '        if (!this.profile.bootstrapped)', 'accept-invitation'],
  ['support grants partner_admin to members only', "        if (member === undefined)\n            throw new MemberNotFoundError('No such member in this organisation');", '', 'operations/support-operations'],
  ['an archived organisation accepts nothing new from support', "        if (this.profile.status === 'archived')\n            throw new OrganisationArchivedError(this.id);", '', 'operations/support-operations'],
  ['a client assignment names a member of its organisation', "            if (this.membershipOf(a.userId) === undefined)\n                throw new MemberNotFoundError(`${a.userId} is not a member of this organisation`);", '', 'operations/support-operations'],
  ['the repair removes only non-members’ assignments', "            if (this.members.get(userId) !== null)\n                continue;", '', 'operations/support-operations'],
];

/** Runs one spec with mocha's dot reporter: its exit status and output. */
function mocha(specName) {
  const run = spawnSync(process.execPath, [`${root}node_modules/mocha/bin/mocha.js`, '--no-config', '--reporter', 'dot', spec(specName)], { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, output: `${run.stdout}${run.stderr}` };
}

const original = readFileSync(aggregate, 'utf8');
for (const [rule, from] of mutations) {
  if (!original.includes(from)) throw new Error(`the compiled code no longer contains the rule "${rule}"; update this script`);
}
for (const specName of new Set(mutations.map((m) => m[3]))) {
  const run = mocha(specName);
  if (run.status !== 0) {
    throw new Error(`${specName}.spec does not pass on the unmutated code (mocha exited ${run.status}); fix it or this script first:\n${run.output}`);
  }
}
let missed = 0;
try {
  for (const [rule, from, to, specName] of mutations) {
    writeFileSync(aggregate, original.replace(from, to));
    const run = mocha(specName);
    const caught = run.status !== 0 && /\d+ failing/.test(run.stdout);
    if (run.status !== 0 && !caught) {
      throw new Error(`${specName}.spec failed to run with the rule "${rule}" removed (mocha exited ${run.status}, no failing tests reported):\n${run.output}`);
    }
    if (!caught) missed += 1;
    console.log(`${rule}: ${caught ? 'caught' : 'MISSED'} (${specName}.spec)`);
  }
} finally {
  writeFileSync(aggregate, original);
}
process.exit(missed === 0 ? 0 : 1);
