// Deterministic people for the benchmarks: realistic name and email keys with controlled term
// frequencies. "ann" occurs in about one name in eight (the common term), "quixote" in one member in
// a thousand (the rare term), "zzqx" nowhere.
const first = ['Anna', 'Hannah', 'Joanna', 'Annika', 'Ben', 'Chloé', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Keiko', 'Luca', 'Maya', 'Nikolai', 'Olga', 'Pedro', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zara', 'Aiden', 'Beatriz', 'Caspar'];
const last = ['Okafor', 'Díaz', 'Martin', 'Ivanov', 'Rossi', 'Haddad', 'Lind', 'Tanaka', 'Costa', 'Weber', 'Sato', 'Bianchi', 'Patel', 'Petrov', 'Novak', 'Alves', 'Byrne', 'Moreno', 'Berg', 'Aziz', 'Rao', 'Horvat', 'Li', 'Vega', 'Demir', 'Khan', 'Walsh', 'Souza', 'Meyer', 'Popescu', 'Nilsson', 'Rahman'];

/** The n-th person: id, name, email, MFA and last activity (null for one in seven). */
export function person(n) {
  const f = first[(n * 7) % first.length];
  const l = n % 1000 === 999 ? 'Quixote' : last[(n * 13 + Math.floor(n / first.length)) % last.length];
  const id = `m${String(n).padStart(6, '0')}`;
  return {
    id,
    name: `${f} ${l}`,
    email: `${f.normalize('NFD').replace(/[\u0080-\uffff]/g, '').toLowerCase()}.${l.normalize('NFD').replace(/[\u0080-\uffff]/g, '').toLowerCase()}${n}@partner.example`,
    mfaEnabled: n % 3 !== 0,
    lastActiveAt: n % 7 === 0 ? null : new Date(Date.UTC(2026, 0, 1) + ((n * 7919) % 86_400_000) * 60),
  };
}

export const terms = { common: 'ann', rare: 'quixote', none: 'zzqx' };

/** A fixture (server SEED_FILE format) with one organisation of `size` members: m000000 is the admin. */
export function benchFixture(size) {
  const users = Array.from({ length: size }, (_, n) => {
    const p = person(n);
    return { ...p, lastActiveAt: p.lastActiveAt === null ? null : p.lastActiveAt.toISOString() };
  });
  return {
    users,
    organisations: [{ id: 'bench', name: 'Bench Partners', status: 'active', bootstrapped: true, invitationsEnabled: true }],
    memberships: users.map((u, n) => ({ organisationId: 'bench', userId: u.id, role: n === 0 ? 'partner_admin' : 'partner_user' })),
    clients: [],
    assignments: [],
  };
}
