// UTF-8 + base64url without platform APIs (core has no dependencies, not even Node's Buffer).
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const lookup = new Map(Array.from({ length: alphabet.length }, (_, i) => [alphabet.charAt(i), i]));

function utf8Bytes(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return bytes;
}

function utf8Text(bytes: readonly number[]): string | undefined {
  let text = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] ?? 0;
    const need = b < 0x80 ? 0 : b >= 0xf0 && b < 0xf8 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : -1;
    if (need < 0 || i + need >= bytes.length) return undefined;
    let cp = need === 0 ? b : b & (0x3f >> need);
    for (let k = 1; k <= need; k += 1) {
      const c = bytes[i + k] ?? 0;
      if ((c & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (c & 63);
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    text += String.fromCodePoint(cp);
    i += need + 1;
  }
  return text;
}

/** Encodes text as unpadded base64url of its UTF-8 bytes. */
export function encodeBase64Url(text: string): string {
  // ASCII text through the runtime's native btoa (in every runtime core targets) when present.
  // eslint-disable-next-line no-control-regex -- ASCII is exactly what btoa takes as-is
  if (typeof globalThis.btoa === 'function' && /^[\u0000-\u007f]*$/.test(text)) {
    return globalThis.btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  const bytes = utf8Bytes(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let k = 0; k < chars; k += 1) out += alphabet.charAt((n >> (18 - 6 * k)) & 63);
  }
  return out;
}

/** Decodes {@link encodeBase64Url} output; undefined for anything that is not valid base64url UTF-8. */
export function decodeBase64Url(encoded: string): string | undefined {
  if (encoded.length % 4 === 1) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i += 4) {
    const chunk = encoded.slice(i, i + 4);
    let n = 0;
    for (let k = 0; k < 4; k += 1) {
      const c = chunk[k];
      const v = c === undefined ? 0 : lookup.get(c);
      if (v === undefined) return undefined;
      n = (n << 6) | v;
    }
    bytes.push((n >> 16) & 255);
    if (chunk.length > 2) bytes.push((n >> 8) & 255);
    if (chunk.length > 3) bytes.push(n & 255);
  }
  return utf8Text(bytes);
}

/**
 * The JSON value a cursor of at most `maxLength` characters encodes (base64url of JSON), or
 * undefined when it is longer, not base64url, or not JSON. Callers then check its shape.
 */
export function decodeJsonCursor(cursor: string, maxLength: number): unknown {
  const text = cursor.length <= maxLength ? decodeBase64Url(cursor) : undefined;
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}
