import { ValidationError } from './errors.js';

/** Most octets in an address (RFC 5321's path limit less the angle brackets). */
const maxLength = 254;
/** Most octets in the local part (RFC 5321). */
const maxLocalLength = 64;

// A dot-atom (RFC 5322): atoms of atext joined by single dots. Non-ASCII characters are atext too
// (RFC 6531), except controls, format characters (bidi overrides, zero-width…), separators and
// unassigned code points, which only ever serve to spoof an address.
const atom = "(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]|[^\\p{ASCII}\\p{C}\\p{Z}])+";
const dotAtom = new RegExp(`^${atom}(?:\\.${atom})*$`, 'u');
// What may reach the host parser: nothing it would read as a port, path, query, userinfo,
// percent-escape or IP literal.
const domainInput = /^(?:[a-z0-9.-]|[^\p{ASCII}\p{C}\p{Z}])+$/u;
const hostLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const letterTld = /^(?:[a-z]+|xn--[a-z0-9-]+)$/;

/**
 * Normalises an email address for comparison, so that look-alike spellings are one address:
 * Unicode NFKC (fullwidth and other compatibility forms fold to their plain letters), trimmed,
 * lower-cased, and the domain converted to its ASCII form by IDNA (UTS #46, as every URL host is:
 * `Bücher.example` → `xn--bcher-kva.example`). Every address the domain stores or compares goes
 * through this one rule.
 *
 * The address must be `local@domain` where the local part is a dot-atom (RFC 5321/5322: no leading,
 * trailing or double dots, no quoted strings or comments, at most 64 octets) and the domain a dotted
 * host name: labels of 1-63 letters, digits and inner hyphens, a TLD of letters, never an IP address
 * or an address literal; at most 254 octets in all.
 *
 * @throws {@link ValidationError} when the value is not such an address.
 */
export function normaliseEmail(value: unknown, field = 'email'): string {
  if (typeof value !== 'string') {
    throw new ValidationError(`${field} must be a string`, [{ path: field, message: 'expected a string' }]);
  }
  const refusal = () =>
    new ValidationError(`${field} is not a valid email address`, [
      { path: field, message: `expected an email address (local@domain.tld) of at most ${maxLength} characters` },
    ]);
  // Lower-casing can leave a sequence NFKC would compose (İ → i + U+0307): normalise again after it.
  const folded = value.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
  const at = folded.indexOf('@');
  if (at <= 0 || at !== folded.lastIndexOf('@')) throw refusal();
  const local = folded.slice(0, at);
  const domain = asciiDomain(folded.slice(at + 1));
  if (domain === undefined || utf8Length(local) > maxLocalLength || !dotAtom.test(local)) throw refusal();
  const address = `${local}@${domain}`;
  if (utf8Length(address) > maxLength) throw refusal();
  return address;
}

/** The domain's ASCII form by the WHATWG host parser (UTS #46), or undefined when it is not a dotted host name. */
function asciiDomain(domain: string): string | undefined {
  if (!domainInput.test(domain)) return undefined;
  let host: string;
  try {
    host = new URL(`http://${domain}/`).hostname;
  } catch {
    return undefined;
  }
  // The parser turns numeric hosts (`1.2.3.4`, `0x7f.1`) into IPv4 addresses: their last label is
  // a number, never a letter TLD, so they are refused here with every other non-host-name.
  const labels = host.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (labels.length < 2 || !labels.every((label) => hostLabel.test(label)) || !letterTld.test(tld)) return undefined;
  return host;
}

function utf8Length(text: string): number {
  let length = 0;
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    length += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return length;
}
