import type { OrganisationStatus, Role } from './types.js';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateOnly.format(date);
}

export function roleLabel(role: Role): string {
  return role === 'partner_admin' ? 'Partner admin' : 'Partner user';
}

export function statusLabel(status: OrganisationStatus): string {
  return status === 'active' ? 'Active' : status === 'suspended' ? 'Suspended' : 'Archived';
}
