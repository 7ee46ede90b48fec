import { helmetHeaders } from '@partner-team/express';

/**
 * The page loads only its own files and talks only to its own origin; no inline script or style is
 * allowed, so injected markup cannot run.
 */
const pageHelmetOptions: NonNullable<Parameters<typeof helmetHeaders>[0]> = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      objectSrc: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
};

/** The headers of the page and of the sign-in pages (Content-Security-Policy and friends), as name/value pairs. */
export function helmetPageHeaders(): readonly (readonly [string, string])[] {
  return helmetHeaders(pageHelmetOptions);
}
