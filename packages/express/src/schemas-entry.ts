// `@partner-team/express/schemas`: the zod schemas of the API's requests and answers (the OpenAPI
// document is generated from them), for clients and tests that validate what they receive.
export * from './schemas.js';
export * from './operations-schemas.js';
