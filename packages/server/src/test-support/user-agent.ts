/**
 * A small headless user agent for the HTTP suites: a cookie jar (Path, Max-Age, expiry), manual
 * redirects, and HTML forms filled and submitted — enough to drive a real sign-in through the test
 * identity provider's login form without a browser.
 */

interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly origin: string;
  readonly path: string;
  readonly expires: number;
  readonly attributes: string;
}

export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();
  /** Every Set-Cookie header received, as sent (for checks of the flags). */
  readonly received: string[] = [];

  store(url: string, response: Response): void {
    const origin = new URL(url).origin;
    for (const line of response.headers.getSetCookie()) {
      this.received.push(line);
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expires = Number.POSITIVE_INFINITY;
      for (const attribute of attributes) {
        const [key = '', v = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = v || '/';
        else if (key.toLowerCase() === 'max-age') expires = Date.now() + Number(v) * 1000;
      }
      const id = `${origin} ${name} ${path}`;
      if (value === '' || expires <= Date.now()) this.cookies.delete(id);
      else this.cookies.set(id, { name, value, origin, path, expires, attributes: attributes.join('; ') });
    }
  }

  header(url: string): string {
    const { origin, pathname } = new URL(url);
    return [...this.cookies.values()]
      .filter((c) => c.origin === origin && c.expires > Date.now() && (c.path === '/' || pathname === c.path || pathname.startsWith(`${c.path}/`)))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  get(name: string, origin?: string): string | undefined {
    for (const c of this.cookies.values()) if (c.name === name && (origin === undefined || c.origin === origin)) return c.value;
    return undefined;
  }

  set(url: string, name: string, value: string, path = '/'): void {
    const origin = new URL(url).origin;
    this.cookies.set(`${origin} ${name} ${path}`, { name, value, origin, path, expires: Number.POSITIVE_INFINITY, attributes: '' });
  }

  /** A copy (another browser holding the same cookies). */
  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [id, cookie] of this.cookies) copy.cookies.set(id, cookie);
    return copy;
  }
}

/** A page reached (or the URL a redirect would have gone to, when stopped there). */
export interface Visit {
  readonly url: string;
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
  /** True when `stopAt` matched and the request was not made. */
  readonly stopped: boolean;
  readonly history: readonly string[];
}

export interface BrowseOptions {
  readonly method?: string;
  readonly form?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Stop before requesting a URL this matches (e.g. the relying party's callback). */
  readonly stopAt?: (url: string) => boolean;
  readonly maxRedirects?: number;
}

/** Requests `url`, following redirects and keeping cookies in `jar`. */
export async function browse(jar: CookieJar, url: string, options: BrowseOptions = {}): Promise<Visit> {
  const history: string[] = [];
  let current = url;
  let method = options.method ?? 'GET';
  let body = options.form === undefined ? undefined : new URLSearchParams(options.form).toString();
  for (let hop = 0; hop <= (options.maxRedirects ?? 20); hop += 1) {
    if (options.stopAt?.(current) === true) return { url: current, status: 0, text: '', headers: new Headers(), stopped: true, history };
    const headers: Record<string, string> = { ...(hop === 0 ? options.headers : {}), cookie: jar.header(current) };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(current, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
    jar.store(current, response);
    history.push(`${method} ${current} -> ${response.status}`);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.arrayBuffer();
      current = new URL(location, current).href;
      if (response.status !== 307 && response.status !== 308) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    return { url: current, status: response.status, text: await response.text(), headers: response.headers, stopped: false, history };
  }
  throw new Error(`too many redirects:\n${history.join('\n')}`);
}

const attribute = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)?.[1];
const unescapeHtml = (value: string): string =>
  value.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The first form of `visit`, with `values` filled in over its own inputs, submitted. */
export async function submitForm(jar: CookieJar, visit: Visit, values: Readonly<Record<string, string>>, options: Omit<BrowseOptions, 'method' | 'form'> = {}): Promise<Visit> {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(visit.text);
  if (form === null) throw new Error(`no form at ${visit.url} (${visit.status}): ${visit.text.slice(0, 300)}`);
  const [, open = '', inner = ''] = form;
  const fields: Record<string, string> = {};
  for (const [tag] of inner.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(tag, 'name');
    if (name !== undefined) fields[name] = unescapeHtml(attribute(tag, 'value') ?? '');
  }
  const action = new URL(unescapeHtml(attribute(open, 'action') ?? ''), visit.url).href;
  return browse(jar, action, { ...options, method: (attribute(open, 'method') ?? 'GET').toUpperCase(), form: { ...fields, ...values } });
}

/** Fills the identity provider's login form (and its one-time code form, when it asks). */
export async function logInAtProvider(jar: CookieJar, visit: Visit, account: { readonly username: string; readonly password: string }, otp: string, options: Omit<BrowseOptions, 'method' | 'form'> = {}): Promise<Visit> {
  let page = visit;
  if (!page.stopped && /name="password"/.test(page.text)) page = await submitForm(jar, page, { username: account.username, password: account.password }, options);
  if (!page.stopped && /name="otp"/.test(page.text)) page = await submitForm(jar, page, { otp }, options);
  return page;
}
