// `@partner-team/core/roster`: the roster's ordering and paging semantics, for adapter authors. Every
// MemberRoster must return exactly what `referenceRosterPage` returns.
export {
  textKey,
  compareText,
  rosterPosition,
  comparePositions,
  matchesRosterSearch,
  referenceRosterPage,
  parseRosterQuery,
  type RosterPosition,
} from './domain/roster/roster-query.js';
export { RosterIndex, type RosterIndexPage } from './domain/roster/roster-index.js';
