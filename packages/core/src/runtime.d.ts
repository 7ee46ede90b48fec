// The one host API core uses, present in every JavaScript runtime (Node.js, browsers, Deno, Bun).
// Declared here so that core compiles without Node's or the DOM's type libraries.
declare function setTimeout(callback: () => void, milliseconds?: number): unknown;
