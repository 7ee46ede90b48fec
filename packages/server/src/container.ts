import { randomBytes } from 'node:crypto';
import {
  createPartnerTeam,
  createSupportOperations,
  persistencePortsOf,
  type Clock,
  type IdGenerator,
  type InvitationNotifier,
  type InvitationTokens,
  type Logger,
  type PartnerTeam,
  type PartnerTeamPorts,
  type SupportOperations,
} from '@partner-team/core';
import { CsrfTokens, FirstSessionAuthenticator, JwksBearerAuthenticator, JwtOperatorAuthenticator, JwtSessionAuthenticator, type SessionAuthenticator } from '@partner-team/express';
import { RandomIds, Sha256InvitationTokens, SystemClock } from '@partner-team/node';
import { Container } from 'inversify';
import { ActivityRecorder, ActivityRecordingAuthenticator } from './activity-recorder.js';
import { LoggingInvitationNotifier } from './adapters/invitation-delivery.js';
import { SmtpInvitationNotifier } from './adapters/smtp-invitation-notifier.js';
import { WinstonLogger } from './adapters/winston-logger.js';
import type { ServerConfig } from './config.js';
import { readFixture, type Fixture } from './fixture.js';
import { createInMemoryPersistence, type Persistence } from './persistence.js';
import { helmetPageHeaders } from './page-headers.js';
import { OidcSignIn } from './sign-in/oidc-sign-in.js';

/** Service identifiers of the container. */
export const TYPES = {
  Config: Symbol.for('partner-team.Config'),
  Logger: Symbol.for('partner-team.Logger'),
  Clock: Symbol.for('partner-team.Clock'),
  Ids: Symbol.for('partner-team.Ids'),
  Tokens: Symbol.for('partner-team.Tokens'),
  Notifier: Symbol.for('partner-team.Notifier'),
  Fixture: Symbol.for('partner-team.Fixture'),
  Persistence: Symbol.for('partner-team.Persistence'),
  PartnerTeam: Symbol.for('partner-team.PartnerTeam'),
  Sessions: Symbol.for('partner-team.Sessions'),
  Csrf: Symbol.for('partner-team.Csrf'),
  SupportOperations: Symbol.for('partner-team.SupportOperations'),
  /** Bound only when the operations API is configured (OPERATIONS_TOKEN_SECRET). */
  Operators: Symbol.for('partner-team.Operators'),
  OperationsCsrf: Symbol.for('partner-team.OperationsCsrf'),
  /** Who a partner API request is: the session cookie (or the portal's HS256 token), then the provider's bearer token. */
  Authenticator: Symbol.for('partner-team.Authenticator'),
  /** Bound only when last-activity recording is on. */
  ActivityRecorder: Symbol.for('partner-team.ActivityRecorder'),
  /** Bound only when sign-in through an OpenID Connect provider is configured. */
  OidcSignIn: Symbol.for('partner-team.OidcSignIn'),
} as const;

/** Replacements for tests and embedders (a fixed clock, a recording notifier, another store…). */
export interface ContainerOverrides {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly tokens?: InvitationTokens;
  readonly notifier?: InvitationNotifier;
  /** The fixture instead of reading `config.seedFile` (it seeds the in-memory store and lists the demo users). */
  readonly fixture?: Fixture;
  /** Builds the persistence instead of the default (in-memory from the seed file, or MongoDB). */
  readonly persistence?: (fixture: Fixture) => Promise<Persistence>;
}

/** Opens the MongoDB persistence (main passes `MongoPersistence.open`; tests may pass another). */
export type MongoPersistenceFactory = (uri: string, logger: Logger) => Promise<Persistence>;

/**
 * The composition root, as a function: nothing is created at import time. Opens the store
 * (in-memory seeded from the fixture by default; MongoDB when `MONGODB_URI` is set and a factory is
 * given) and binds every port and use case. The seed fixture is read only where it is used: to seed
 * the in-memory store and to list the demo sign-in's users.
 */
export async function createContainer(
  config: ServerConfig,
  overrides: ContainerOverrides = {},
  mongo?: MongoPersistenceFactory,
): Promise<Container> {
  const logger = overrides.logger ?? new WinstonLogger(config.logLevel);
  const clock = overrides.clock ?? new SystemClock();
  const ids = overrides.ids ?? new RandomIds();
  const tokens = overrides.tokens ?? new Sha256InvitationTokens();
  const logged = new LoggingInvitationNotifier(logger, config.publicBaseUrl, config.mailOutboxDir, !config.production);
  const notifier = overrides.notifier ?? (config.smtp === undefined ? logged : new SmtpInvitationNotifier(config.smtp, config.publicBaseUrl, logger));
  let read: Fixture | undefined = overrides.fixture;
  const fixture = async (): Promise<Fixture> => (read ??= await readFixture(config.seedFile));

  let persistence: Persistence;
  if (overrides.persistence !== undefined) {
    persistence = await overrides.persistence(await fixture());
  } else if (config.mongodbUri !== undefined) {
    if (mongo === undefined) throw new Error('MONGODB_URI is set but no MongoDB adapter was provided');
    persistence = await mongo(config.mongodbUri, logger);
  } else {
    // The seed's invitations are demo data: their links go to the log and outbox, never out by email.
    persistence = await createInMemoryPersistence(await fixture(), { clock, ids, tokens, notifier: overrides.notifier ?? logged, logger, source: config.seedFile });
  }

  const container = new Container();
  container.bind<ServerConfig>(TYPES.Config).toConstantValue(config);
  container.bind<Logger>(TYPES.Logger).toConstantValue(logger);
  container.bind<Clock>(TYPES.Clock).toConstantValue(clock);
  container.bind<IdGenerator>(TYPES.Ids).toConstantValue(ids);
  container.bind<InvitationTokens>(TYPES.Tokens).toConstantValue(tokens);
  container.bind<InvitationNotifier>(TYPES.Notifier).toConstantValue(notifier);
  if (config.demoMode) container.bind<Fixture>(TYPES.Fixture).toConstantValue(await fixture());
  container.bind<Persistence>(TYPES.Persistence).toConstantValue(persistence);
  const ports = (p: Persistence, c: Clock, i: IdGenerator, t: InvitationTokens, n: InvitationNotifier, l: Logger): PartnerTeamPorts => ({
    ...persistencePortsOf(p),
    clock: c,
    ids: i,
    tokens: t,
    notifier: n,
    logger: l,
  });
  const portTypes = [TYPES.Persistence, TYPES.Clock, TYPES.Ids, TYPES.Tokens, TYPES.Notifier, TYPES.Logger] as const;
  container
    .bind<PartnerTeam>(TYPES.PartnerTeam)
    .toResolvedValue((p: Persistence, c: Clock, i: IdGenerator, t: InvitationTokens, n: InvitationNotifier, l: Logger) => createPartnerTeam(ports(p, c, i, t, n, l)), [...portTypes])
    .inSingletonScope();
  // The support operations run on the same ports, so both surfaces share one versioned save and one audit log.
  container
    .bind<SupportOperations>(TYPES.SupportOperations)
    .toResolvedValue((p: Persistence, c: Clock, i: IdGenerator, t: InvitationTokens, n: InvitationNotifier, l: Logger) => createSupportOperations(ports(p, c, i, t, n, l)), [...portTypes])
    .inSingletonScope();
  if (config.operations !== undefined) {
    const { secret, audience, issuer } = config.operations;
    container.bind<JwtOperatorAuthenticator>(TYPES.Operators).toConstantValue(new JwtOperatorAuthenticator(secret, { audience, issuer }));
    container.bind<CsrfTokens>(TYPES.OperationsCsrf).toConstantValue(new CsrfTokens(secret));
  }
  container
    .bind<JwtSessionAuthenticator>(TYPES.Sessions)
    .toResolvedValue(
      (c: ServerConfig) =>
        new JwtSessionAuthenticator(c.sessionSecret, Date.now, {
          ...(c.sessionIssuer === undefined ? {} : { issuer: c.sessionIssuer }),
          ...(c.sessionAudience === undefined ? {} : { audience: c.sessionAudience }),
        }),
      [TYPES.Config],
    )
    .inSingletonScope();
  container
    .bind<CsrfTokens>(TYPES.Csrf)
    .toResolvedValue((c: ServerConfig) => new CsrfTokens(c.sessionSecret), [TYPES.Config])
    .inSingletonScope();
  const sessions = container.get<JwtSessionAuthenticator>(TYPES.Sessions);
  const recorder = config.activity === undefined ? undefined : new ActivityRecorder(persistence.users, clock, logger, { intervalMs: config.activity.intervalMs });
  if (recorder !== undefined) container.bind<ActivityRecorder>(TYPES.ActivityRecorder).toConstantValue(recorder);
  let authenticator: SessionAuthenticator = sessions;
  if (config.oidc !== undefined) {
    const oidc = config.oidc;
    const signIn = new OidcSignIn({
      config: oidc,
      sessions,
      authenticate: sessions,
      csrf: container.get<CsrfTokens>(TYPES.Csrf),
      users: persistence.users,
      clock,
      logger,
      secret: config.sessionSecret,
      secureCookies: config.secureCookies,
      pageHeaders: helmetPageHeaders(),
      ...(recorder === undefined ? {} : { onSignedIn: (userId: string) => { recorder.written(userId); } }),
    });
    container.bind<OidcSignIn>(TYPES.OidcSignIn).toConstantValue(signIn);
    if (oidc.bearer !== undefined) {
      const bearer = new JwksBearerAuthenticator({
        issuer: oidc.issuer,
        audience: oidc.bearer.audience,
        // The provider's key set, from its discovery document (fetched when the first token arrives).
        jwksUri: async () => {
          const uri = (await signIn.provider()).serverMetadata().jwks_uri;
          if (uri === undefined) throw new Error('the identity provider publishes no jwks_uri');
          return new URL(uri);
        },
        algorithms: oidc.bearer.algorithms,
        userClaim: oidc.userClaim,
        sessionClaim: oidc.sessionClaim,
        ...(oidc.bearer.type === undefined ? {} : { requiredType: oidc.bearer.type }),
        cooldownMs: oidc.bearer.cooldownMs,
        cacheMaxAgeMs: oidc.bearer.cacheMaxAgeMs,
        logger,
      });
      authenticator = new FirstSessionAuthenticator(sessions, bearer);
    }
  }
  container.bind<SessionAuthenticator>(TYPES.Authenticator).toConstantValue(recorder === undefined ? authenticator : new ActivityRecordingAuthenticator(authenticator, recorder));
  return container;
}

/** A random 256-bit session secret for development runs without SESSION_SECRET. */
export const randomSessionSecret = (): string => randomBytes(32).toString('base64url');
