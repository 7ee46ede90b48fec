import type { FixtureFile } from '../fixture.js';

const user = (id: string, name: string, domain: string, lastActiveAt: string | null = '2026-01-10T12:00:00.000Z') => ({
  id,
  name,
  email: `${id}@${domain}`,
  mfaEnabled: id.length % 2 === 0,
  lastActiveAt,
});

/**
 * The HTTP suites' world: acme (active; admins ada, bob, dan; users cy, dee, rex), globex (active;
 * admin eve, user fay), sus (suspended), arc (archived), pen (bootstrap pending), off (invitations
 * disabled) and gus, who belongs to none.
 */
export const testFixture: FixtureFile = {
  users: [
    user('ada', 'Ada Lovelace', 'acme.example'),
    user('bob', 'Bob Babbage', 'acme.example', null),
    user('cy', 'Cy Hopper', 'acme.example'),
    user('dee', 'Dee Turing', 'acme.example', '2026-01-12T08:00:00.000Z'),
    user('dan', 'Dan Demoted', 'acme.example'),
    user('rex', 'Rex Removed', 'acme.example'),
    user('eve', 'Eve Noether', 'globex.example'),
    user('fay', 'Fay Curie', 'globex.example'),
    user('sam', 'Sam Suspended', 'sus.example'),
    user('sue', 'Sue Suspended', 'sus.example'),
    user('arn', 'Arn Archived', 'arc.example'),
    user('amy', 'Amy Archived', 'arc.example'),
    user('pat', 'Pat Pending', 'pen.example'),
    user('pam', 'Pam Pending', 'pen.example'),
    user('oli', 'Oli Off', 'off.example'),
    user('gus', 'Gus Outsider', 'outside.example'),
    user('newbie', 'New Bie', 'outside.example', null),
  ],
  organisations: [
    { id: 'acme', name: 'Acme', status: 'active', bootstrapped: true, invitationsEnabled: true },
    { id: 'globex', name: 'Globex', status: 'active', bootstrapped: true, invitationsEnabled: true },
    { id: 'sus', name: 'Suspended Co', status: 'suspended', bootstrapped: true, invitationsEnabled: true },
    { id: 'arc', name: 'Archived Co', status: 'archived', bootstrapped: true, invitationsEnabled: true },
    { id: 'pen', name: 'Pending Co', status: 'active', bootstrapped: false, invitationsEnabled: true },
    { id: 'off', name: 'Invitations Off', status: 'active', bootstrapped: true, invitationsEnabled: false },
  ],
  memberships: [
    { organisationId: 'acme', userId: 'ada', role: 'partner_admin' },
    { organisationId: 'acme', userId: 'bob', role: 'partner_admin' },
    { organisationId: 'acme', userId: 'dan', role: 'partner_admin' },
    { organisationId: 'acme', userId: 'cy', role: 'partner_user' },
    { organisationId: 'acme', userId: 'dee', role: 'partner_user' },
    { organisationId: 'acme', userId: 'rex', role: 'partner_user' },
    { organisationId: 'globex', userId: 'eve', role: 'partner_admin' },
    { organisationId: 'globex', userId: 'fay', role: 'partner_user' },
    { organisationId: 'sus', userId: 'sam', role: 'partner_admin' },
    { organisationId: 'sus', userId: 'sue', role: 'partner_user' },
    { organisationId: 'arc', userId: 'arn', role: 'partner_admin' },
    { organisationId: 'arc', userId: 'amy', role: 'partner_user' },
    { organisationId: 'pen', userId: 'pat', role: 'partner_admin' },
    { organisationId: 'pen', userId: 'pam', role: 'partner_user' },
    { organisationId: 'off', userId: 'oli', role: 'partner_admin' },
  ],
  clients: [
    { id: 'c-north', name: 'Northwind' },
    { id: 'c-cont', name: 'Contoso' },
    { id: 'c-fab', name: 'Fabrikam' },
  ],
  assignments: [
    { organisationId: 'acme', userId: 'cy', clientId: 'c-north' },
    { organisationId: 'acme', userId: 'cy', clientId: 'c-cont' },
    { organisationId: 'acme', userId: 'dee', clientId: 'c-fab' },
    { organisationId: 'globex', userId: 'fay', clientId: 'c-north' },
    { organisationId: 'sus', userId: 'sue', clientId: 'c-cont' },
  ],
  invitations: [
    { organisationId: 'acme', email: 'newbie@outside.example', role: 'partner_user', invitedBy: 'ada' },
    { organisationId: 'globex', email: 'gus@outside.example', role: 'partner_user', invitedBy: 'eve' },
    { organisationId: 'sus', email: 'x@sus.example', role: 'partner_user', invitedBy: 'sam' },
  ],
};
