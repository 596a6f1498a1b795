// Every method of the API with its parameter and result types, taken from the types generated
// from the server's OpenAPI document (openapi-types.ts), and a runtime table of the names and
// whether each one writes (needs a write token, honours Request-ID).
import type { components } from './openapi-types.js';

type Schemas = components['schemas'];
/** `campaigns/triggers/start` → `campaigns.triggers.start`, the method's name in the document's components. */
type Dotted<S extends string> = S extends `${infer A}/${infer B}` ? `${A}.${Dotted<B>}` : S;
type Slashed<S extends string> = S extends `${infer A}.${infer B}` ? `${A}/${Slashed<B>}` : S;

/** Every method of the API: those whose request the document's components declare. */
export type MethodName = keyof Schemas extends infer K ? (K extends `${infer D}.request` ? Slashed<D> : never) : never;

/** A method's parameters: its request body, without the token and format that every method takes (the client sends neither). */
type RequestOf<N extends MethodName> = Omit<Schemas[`${Dotted<N>}.request`], 'token' | 'format'>;
/** A method's payload: its success answer without the envelope's error and error_text. */
type PayloadOf<N extends MethodName> = Omit<Schemas[`${Dotted<N>}.response`], 'error' | 'error_text'>;

type MethodTable = { [N in MethodName]: { params: RequestOf<N>; result: PayloadOf<N> } };

/** Method name → `{params, result}`. An interface, so that editors list the method names. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MethodMap extends MethodTable {}

export type ParamsOf<N extends MethodName> = MethodMap[N]['params'];
export type ResultOf<N extends MethodName> = MethodMap[N]['result'];

/** Every method, and whether it writes. The mapped type makes the table list exactly the document's methods. */
export const METHODS: { readonly [N in MethodName]: { readonly write: boolean } } = {
  'campaigns/triggers/import_and_start_batch': { write: true },
  'campaigns/triggers/import_and_start': { write: true },
  'campaigns/triggers/start': { write: true },
  'campaigns/triggers/start_batch': { write: true },
  'campaigns/triggers/import_and_start_batch_task': { write: true },
  'campaigns/triggers/start_batch_task': { write: true },
  'tasks/status': { write: false },
  'campaigns/triggers/add': { write: true },
  'campaigns/triggers/update': { write: true },
  'campaigns/triggers/get': { write: false },
  'campaigns/triggers/list': { write: false },
  'campaigns/triggers/clone': { write: true },
  'campaigns/triggers/delete': { write: true },
  'campaigns/activate': { write: true },
  'campaigns/deactivate': { write: true },
  'campaigns/status': { write: false },
  'campaigns/get_status': { write: false },
  'campaigns/log_v2': { write: false },
  'campaigns/triggers/stats': { write: false },
  'account/stats': { write: false },
  'suppresses/add': { write: true },
  'suppresses/update': { write: true },
  'suppresses/get': { write: false },
  'suppresses/list': { write: false },
  'suppresses/entries': { write: false },
  'suppresses/delete': { write: true },
  'suppresses/email_check': { write: false },
  'suppresses/email_add': { write: true },
  'suppresses/emails_add': { write: true },
  'suppresses/email_remove': { write: true },
  'suppresses/email_clear': { write: true },
  'suppresses/domain_check': { write: false },
  'suppresses/domain_add': { write: true },
  'suppresses/domains_add': { write: true },
  'suppresses/domain_remove': { write: true },
  'suppresses/domain_clear': { write: true },
  'suppresses/phone_check': { write: false },
  'suppresses/phone_add': { write: true },
  'suppresses/phones_add': { write: true },
  'suppresses/phone_remove': { write: true },
  'suppresses/phone_clear': { write: true },
  'messages/list': { write: false },
  'profiles/import': { write: true },
  'profiles/import_batch': { write: true },
  'profiles/update': { write: true },
  'profiles/get': { write: false },
  'profiles/delete': { write: true },
  'databases/add': { write: true },
  'databases/update': { write: true },
  'databases/get': { write: false },
  'databases/list': { write: false },
  'databases/delete': { write: true },
  'databases/fields_get': { write: false },
  'resources/add': { write: true },
  'resources/update': { write: true },
  'resources/get': { write: false },
  'resources/list': { write: false },
  'resources/delete': { write: true },
  'templates/add': { write: true },
  'templates/update': { write: true },
  'templates/get': { write: false },
  'templates/list': { write: false },
  'templates/delete': { write: true },
  'templates/preview': { write: false },
  'templates/test_send': { write: true },
  'templates/tests': { write: false },
  'account/get': { write: false },
  'senders/list': { write: false },
  'profiles/list': { write: false },
};

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
