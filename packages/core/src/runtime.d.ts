// The host APIs core uses, present in every JavaScript runtime (Node.js, browsers, Deno, Bun).
// Declared here so that core compiles without Node's or the DOM's type libraries; `btoa` is
// optional (core falls back to its own encoder).
declare function setTimeout(callback: () => void, milliseconds?: number): unknown;
declare var btoa: ((latin1: string) => string) | undefined;
/** The WHATWG URL parser: core uses only its host parser (IDNA, UTS #46) for email domains. */
declare class URL {
  constructor(url: string);
  readonly hostname: string;
}
