import type { DirectoryUser } from '@partner-team/core';
import { aUser } from './user-builder.js';

/** Named users every spec can refer to. */
export const users = {
  ada: aUser('ada').named('Ada Lovelace').withEmail('ada@acme.example').build(),
  bob: aUser('bob').named('Bob Babbage').withEmail('bob@acme.example').withoutMfa().lastActive('2026-01-12T16:30:00.000Z').build(),
  cy: aUser('cy').named('Cy Hopper').withEmail('cy@acme.example').lastActive(null).build(),
  dee: aUser('dee').named('Dee Turing').withEmail('dee@acme.example').lastActive('2026-01-14T08:00:00.000Z').build(),
  eve: aUser('eve').named('Eve Noether').withEmail('eve@globex.example').build(),
  fay: aUser('fay').named('Fay Curie').withEmail('fay@globex.example').build(),
  gus: aUser('gus').named('Gus Outsider').withEmail('gus@outside.example').build(),
} satisfies Record<string, DirectoryUser>;
