// The host APIs core uses, present in every JavaScript runtime (Node.js, browsers, Deno, Bun).
// Declared here so that core compiles without Node's or the DOM's type libraries; `btoa` is
// optional (core falls back to its own encoder).
declare function setTimeout(callback: () => void, milliseconds?: number): unknown;
declare var btoa: ((latin1: string) => string) | undefined;
