// Part 2: the in-memory roster at 1k, 10k and 100k members: every query shape for every sort key,
// each page checked identical to the naive reference (filter + full sort), timed in process.
import { isDeepStrictEqual } from 'node:util';
import { rosterSorts } from '@partner-team/core';
import { comparePositions, parseRosterQuery, referenceRosterPage, rosterPosition, RosterIndex } from '@partner-team/core/roster';
import { person, terms } from './roster-data.mjs';

const roles = (n) => (n % 10 === 0 ? 'partner_admin' : 'partner_user');

function entries(size) {
  return Array.from({ length: size }, (_, n) => {
    const p = person(n);
    return { userId: p.id, name: p.name, email: p.email, role: roles(n), mfaEnabled: p.mfaEnabled, lastActiveAt: p.lastActiveAt };
  });
}

/** The median of the finite values (NaN when there are none). */
export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)];
}

/**
 * Median µs of `run()`. Each sample times a batch of calls lasting at least ~20 µs, so that timer
 * overhead and resolution do not swamp sub-microsecond pages.
 */
function time(run, minRuns, budgetMs) {
  for (let i = 0; i < 50; i += 1) run();
  const probe = process.hrtime.bigint();
  for (let i = 0; i < 10; i += 1) run();
  const single = Number(process.hrtime.bigint() - probe) / 10_000;
  const batch = Math.max(1, Math.ceil(20 / Math.max(single, 0.01)));
  const samples = [];
  const started = performance.now();
  while (samples.length < minRuns || (performance.now() - started < budgetMs && samples.length < 5000)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i += 1) run();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
  }
  return median(samples);
}

export const shapes = ['first page', 'deep page', 'common term', 'rare term', 'no match'];

/**
 * Returns rows { size, sort, shape, micros, matches } and throws if any page differs from the
 * reference. `sizes` defaults to 1k, 10k, 100k.
 */
export function runScale({ sizes = [1_000, 10_000, 100_000], minRuns = 200, budgetMs = 150, log = () => {} } = {}) {
  const measured = [];
  for (const size of sizes) {
    const all = entries(size);
    const index = new RosterIndex();
    const built = performance.now();
    index.load(all);
    log(`  ${size} members indexed in ${(performance.now() - built).toFixed(0)} ms`);
    for (const sort of rosterSorts) {
      const base = parseRosterQuery({ sort, limit: 25 }, 'partner_admin');
      const ordered = all.map((e) => ({ e, p: rosterPosition(e, sort) })).sort((a, b) => comparePositions(a.p, b.p));
      const middle = ordered[Math.floor(size / 2)].p;
      const queries = {
        'first page': base,
        'deep page': { ...base, after: middle },
        'common term': parseRosterQuery({ sort, limit: 25, q: terms.common }, 'partner_admin'),
        'rare term': parseRosterQuery({ sort, limit: 25, q: terms.rare }, 'partner_admin'),
        'no match': parseRosterQuery({ sort, limit: 25, q: terms.none }, 'partner_admin'),
      };
      for (const shape of shapes) {
        const query = queries[shape];
        const page = index.page(query);
        const reference = referenceRosterPage(all, query);
        if (!isDeepStrictEqual(page, reference)) {
          throw new Error(`parity check failed at ${size} members, sort ${sort}, ${shape}: the index page differs from the reference`);
        }
        measured.push({ size, sort, shape, query, matches: page.total, samples: [] });
      }
    }
    // Three passes over every query shape, after a collection when the runtime allows one: a
    // sub-microsecond page is easily disturbed by a collection or a neighbour, and the median of the
    // passes is steadier than any single one.
    for (let pass = 0; pass < 3; pass += 1) {
      globalThis.gc?.();
      for (const m of measured.filter((x) => x.size === size)) m.samples.push(time(() => index.page(m.query), minRuns, budgetMs));
    }
  }
  return measured.map(({ size, sort, shape, matches, samples }) => ({ size, sort, shape, matches, micros: median(samples) }));
}
