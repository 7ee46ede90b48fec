import { PartnerOrganisation, type OrganisationChange, type OrganisationState } from '@partner-team/core';

/**
 * The change that creates an organisation holding the whole `state`, checked by the aggregate's
 * rules: what a test saves at version 0 to seed a store.
 */
export function creationOf(state: OrganisationState): OrganisationChange {
  const change = PartnerOrganisation.create(state).pullChange();
  if (change === undefined) throw new Error('creating an organisation always changes something');
  return change;
}
