// `@partner-team/mongodb/internal`: machinery the benchmark explains; not a stable API.
export { rosterQueryPlan } from './mongo-member-roster.js';
