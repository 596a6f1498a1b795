// The typed client of the Herald API (spec 05): `new HeraldClient({baseUrl, token}).call(method,
// params)`. Only `fetch`: it runs in Node 20 and in browsers; the web console is built on it.
export { HeraldClient, type CallOptions, type ClientOptions, type WaitOptions } from './client.js';
export { HeraldError, isHeraldError, type HeraldErrorInit } from './errors.js';
export { METHOD_NAMES, METHODS, type MethodMap, type MethodName, type ParamsOf, type ResultOf } from './method-map.js';
export * from './types.js';
export type { components } from './openapi-types.js';
