// `@partner-team/in-memory/internal`: the roster index on its own, for the benchmark; not a stable API.
export { RosterIndex } from './roster-index.js';
