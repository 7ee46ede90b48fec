import type { ClientAssignment } from '../../domain/client/client-assignment.js';
import { PartnerOrganisation } from '../../domain/organisation/partner-organisation.js';
import { OrganisationNotFoundError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { RetryPolicy } from '../conflict-retry.js';
import { mutateOrganisation } from '../organisation-mutation.js';
import type { PartnerTeamPorts } from '../partner-team-ports.js';
import { checkSupportActor, recordUnscoped, type SupportActor } from './support-actor.js';
import { parseAssignment, parseAssignmentKey, parseList, requireDistinct } from './support-input.js';

type Ports = Pick<PartnerTeamPorts, 'organisations' | 'clock' | 'ids'>;

const key = (a: { readonly userId: string; readonly clientId: string }): string => `${a.userId} ${a.clientId}`;

/**
 * AiDial support assigns clients to members of an organisation (an assignment always names a
 * member of that organisation), through the organisation's versioned save. Assignments that exist
 * with the same name change nothing; if none is new, nothing is recorded. Otherwise records one
 * `client.assigned` naming the new ones.
 *
 * @throws `ValidationError`; `OrganisationNotFoundError`; `OrganisationArchivedError`;
 *   `MemberNotFoundError` when an assignment names a non-member.
 */
export class AssignClients {
  constructor(
    private readonly ports: Ports,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: SupportActor & { readonly organisationId: string; readonly assignments: readonly ClientAssignment[] }): Promise<{ assigned: ClientAssignment[] }> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const assignments = parseList(input.assignments, 'assignments', parseAssignment);
    requireDistinct(assignments, key, 'assignments', 'an assignment');
    const users = [...new Set(assignments.map((a) => a.userId))];
    const assigned = await mutateOrganisation(this.ports, this.retry, operator, organisationId, users, (organisation, context) => organisation.assignClients(context, assignments));
    return { assigned };
  }
}

/**
 * AiDial support removes client assignments. Records one `client.unassigned` naming them.
 *
 * @throws `ValidationError`; `OrganisationNotFoundError`; `AssignmentNotFoundError`.
 */
export class UnassignClients {
  constructor(
    private readonly ports: Ports,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(
    input: SupportActor & { readonly organisationId: string; readonly assignments: readonly { readonly userId: string; readonly clientId: string }[] },
  ): Promise<{ unassigned: ClientAssignment[] }> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const keys = parseList(input.assignments, 'assignments', parseAssignmentKey);
    requireDistinct(keys, key, 'assignments', 'an assignment');
    const users = [...new Set(keys.map((a) => a.userId))];
    const unassigned = await mutateOrganisation(this.ports, this.retry, operator, organisationId, users, (organisation, context) => organisation.unassignClients(context, keys));
    return { unassigned };
  }
}

/** An assignment that breaks "an assignment names a member of its organisation". */
export interface BrokenAssignment extends ClientAssignment {
  /** The organisation the user belongs to now (a cross-organisation assignment), or null for none. */
  readonly memberOf: string | null;
}

/**
 * The support report of an organisation's assignments that name someone who is not a member of it
 * (left over from legacy imports, or a suspected cross-organisation assignment), with the
 * organisation each such user belongs to now. A read of another organisation's data: records one
 * `assignments.reported` event, which belongs to no organisation.
 *
 * @throws `ValidationError`; `OrganisationNotFoundError`.
 */
export class ReportBrokenAssignments {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'organisations' | 'clients' | 'memberships' | 'auditLog' | 'clock' | 'ids'>) {}

  async execute(input: SupportActor & { readonly organisationId: string }): Promise<{ items: BrokenAssignment[] }> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const stored = await this.ports.clients.listForOrganisation(organisationId);
    const record = await this.ports.organisations.load(organisationId, [...new Set(stored.map((a) => a.userId))]);
    if (record === undefined) throw new OrganisationNotFoundError(organisationId);
    const broken = PartnerOrganisation.fromRecord(record).brokenAssignments();
    const homes = new Map<string, string | null>();
    for (const userId of new Set(broken.map((a) => a.userId))) homes.set(userId, (await this.ports.memberships.findByUser(userId))?.organisation.id ?? null);
    const items = broken.map((a) => ({ ...a, memberOf: homes.get(a.userId) ?? null }));
    await recordUnscoped(this.ports, operator, 'assignments.reported', { after: { organisationId, count: items.length } });
    return { items };
  }
}

/**
 * AiDial support removes every assignment of an organisation that names a non-member, through the
 * organisation's versioned save. Records one `assignments.repaired` naming them; when there are
 * none, changes nothing and records nothing.
 *
 * @throws `ValidationError`; `OrganisationNotFoundError`.
 */
export class RepairAssignments {
  constructor(
    private readonly ports: Pick<PartnerTeamPorts, 'organisations' | 'clients' | 'clock' | 'ids'>,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: SupportActor & { readonly organisationId: string }): Promise<{ removed: ClientAssignment[] }> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const users = [...new Set((await this.ports.clients.listForOrganisation(organisationId)).map((a) => a.userId))];
    const removed = await mutateOrganisation(this.ports, this.retry, operator, organisationId, users, (organisation, context) => organisation.repairAssignments(context));
    return { removed };
  }
}
