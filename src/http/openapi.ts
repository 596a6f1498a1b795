// The OpenAPI 3.1 document of the API, built from the method registry (core/methods.ts): each
// method's parameter schema (the one that validates requests), its payload schema, its kind
// (read/write), and the envelope and error codes of spec 01. Built once when the HTTP front
// starts; never kept by hand. The client's types are generated from it (npm run generate:client).
import { errorTexts, TOKEN_REQUIRED_TEXT, type ErrorCode } from '../core/base/errors.js';
import { ONE_OR_MANY, type JsonSchema } from '../core/values/schema.js';
import { ATTACH_METHODS, API_PREFIX } from './routes.js';
import type { ApiMethod } from '../core/methods.js';

export type OpenApiDocument = Record<string, unknown>;

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });
/** A component name for a method: `campaigns/triggers/start` → `campaigns.triggers.start`. */
const componentName = (method: string) => method.replace(/\//g, '.');

const DESCRIPTION = `Herald speaks the Altcraft Platform API v1.1 (trigger campaigns, profiles, objects).

**Calls.** Every method is \`POST ${API_PREFIX}<method>\` (a trailing slash is accepted). The body is JSON
(\`application/json\`) or XML (\`application/xml\` or \`text/xml\`); without either content type a body whose first
non-blank character is \`<\` is XML. The \`format\` parameter (\`json\` or \`xml\`, in the body or the query string)
chooses the answer's format; without it the answer uses the request's.

**Token.** The API token is read from, in this order: the body parameter \`token\`, the header
\`Authorization: Bearer <token>\`, the query parameter \`token\`. \`read\` tokens call read methods; \`write\` tokens
call every method. A token sees only its own account's objects (another account's object is a 404).

**XML.** The root element is \`<xml>\` in requests and answers. Parameters are child elements
(\`<trigger_id>96</trigger_id>\`); an array is the element repeated (\`<data>…</data><data>…</data>\`), and the
attribute \`array='true'\` makes a single element an array. Parameters the schema declares as arrays are arrays
even when they occur once. No DOCTYPE, no entities, at most 32 levels.

**Values.** One coercion rule for every typed value: an integer may be given as a string of digits, a boolean as
\`true\`/\`false\`, \`"true"\`/\`"false"\`, 1/0 or \`"1"\`/\`"0"\`, a number where a string is expected becomes its
text. Unknown parameters are ignored. Times are RFC 3339 in UTC.

**Answers.** A success is HTTP 200 with \`{"error": 0, "error_text": "Successful operation", …payload}\`. A failure
uses the HTTP status equal to its \`error\` code, with \`error_debug\` saying precisely what was wrong. Every answer
carries \`X-Herald-Log-Id\`, the id of its log line (also in the \`error_debug\` of a 500).

**Request keys.** Write methods honour \`Request-ID\` (or \`X-Request-ID\`, or the query parameter \`request_id\`):
within 24 hours a repeat gets the first answer again, with \`Duplicate-Request: true\`.

**Size.** Bodies up to 10 MB; methods that take \`attach\` up to 100 MB, of which all but the attachments' data must
fit in 10 MB.`;

const ERROR_WHEN: Record<ErrorCode, string> = {
  400: 'Invalid request: an unparsable or too large body, a missing or ill-typed parameter (error_debug names its path), a failed validation, an inactive trigger. A too large body is answered with `Connection: close`.',
  401: `No token ("${TOKEN_REQUIRED_TEXT}"), or an unknown or revoked one ("${errorTexts[401]}").`,
  403: 'The token is a read token and the method writes.',
  404: "A database, resource, template, trigger, profile or task the request names is absent in the token's account.",
  408: 'The request body arrived slower than the minimum rate; the connection is closed.',
  409: 'The request key was used with another body, or its first request is still being processed.',
  429: "The token's rate limit is exceeded; retry after `Retry-After` seconds.",
  500: 'An unexpected fault; nothing of the request was written. error_debug carries the log id.',
  503: 'The server is shutting down, the storage is unreachable, or the memory for request bodies is in use by other large requests (with `Retry-After`): retry later.',
};

function errorComponents(): { responses: Record<string, unknown>; schemas: Record<string, JsonSchema> } {
  const responses: Record<string, unknown> = {};
  for (const code of Object.keys(ERROR_WHEN).map(Number) as ErrorCode[]) {
    const texts = code === 401 ? [TOKEN_REQUIRED_TEXT, errorTexts[401]] : [errorTexts[code]];
    const schema = {
      allOf: [ref('schemas', 'ErrorEnvelope')],
      properties: { error: { const: code }, error_text: { enum: texts } },
      xml: { name: 'xml' },
    };
    responses[`Error${code}`] = {
      description: ERROR_WHEN[code],
      headers: {
        'X-Herald-Log-Id': ref('headers', 'LogId'),
        ...(code === 429 || code === 503 ? { 'Retry-After': ref('headers', 'RetryAfter') } : {}),
      },
      content: { 'application/json': { schema }, 'application/xml': { schema } },
    };
  }
  const schemas: Record<string, JsonSchema> = {
    ErrorEnvelope: {
      type: 'object',
      xml: { name: 'xml' },
      properties: {
        error: {
          type: 'integer',
          enum: Object.keys(ERROR_WHEN).map(Number),
          description: 'the error code; also the HTTP status',
        },
        error_debug: { type: 'string', description: 'what was wrong, precisely (parameter, item, value)' },
        error_text: { type: 'string', description: 'the fixed text of the code' },
      },
      required: ['error', 'error_debug', 'error_text'],
    },
  };
  return { responses, schemas };
}

/** `schema` with every array that also takes a single value written as `anyOf: [array, item]`. */
function oneOrMany(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(oneOrMany);
  if (schema === null || typeof schema !== 'object') return schema;
  const { [ONE_OR_MANY]: single, ...rest } = schema as JsonSchema;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, oneOrMany(v)]));
  if (single !== true) return out;
  const { description, ...array } = out;
  return { anyOf: [array, array.items], ...(description !== undefined ? { description } : {}) };
}

/** The request body schema: the method's parameters, plus the token and format every method takes. */
function requestSchema(m: ApiMethod): JsonSchema {
  const params = oneOrMany(m.params.json()) as JsonSchema;
  const properties = { ...((params.properties as Record<string, JsonSchema> | undefined) ?? {}) };
  properties.token = {
    type: 'string',
    description: 'the API token (or a Bearer header, or the token query parameter)',
  };
  properties.format = { type: 'string', description: 'the answer format: json or xml (other values are ignored)' };
  return {
    ...params,
    properties,
    xml: { name: 'xml' },
    description: `Parameters of ${m.name}. In XML, the children of <xml>.`,
  };
}

/** The success answer: the envelope's error and error_text, then the method's payload. */
function responseSchema(m: ApiMethod): JsonSchema {
  const payload = m.payload;
  const properties = (payload.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = (payload.required as string[] | undefined) ?? [];
  return {
    type: 'object',
    xml: { name: 'xml' },
    ...(payload.description ? { description: payload.description } : {}),
    properties: { error: { const: 0 }, error_text: { const: 'Successful operation' }, ...properties },
    required: ['error', 'error_text', ...required],
  };
}

function operation(m: ApiMethod): Record<string, unknown> {
  const name = componentName(m.name);
  const body = { schema: ref('schemas', `${name}.request`) };
  const answer = { schema: ref('schemas', `${name}.response`) };
  const required = ((m.params.json().required as string[] | undefined) ?? []).length > 0;
  const notes = [
    m.write ? 'Needs a **write** token; honours request keys (`Request-ID`).' : 'A **read** or write token.',
    ATTACH_METHODS.has(m.name) ? 'Takes `attach`: bodies up to 100 MB.' : '',
  ].filter(Boolean);
  const codes: ErrorCode[] = m.write ? [400, 401, 403, 404, 409, 429, 500, 503] : [400, 401, 404, 429, 500, 503];
  return {
    operationId: name.replace(/\./g, '_'),
    summary: m.summary,
    description: notes.join(' '),
    tags: [m.name.split('/')[0]],
    parameters: [
      ref('parameters', 'format'),
      ...(m.write
        ? [ref('parameters', 'RequestId'), ref('parameters', 'XRequestId'), ref('parameters', 'request_id')]
        : []),
    ],
    requestBody: { required, content: { 'application/json': body, 'application/xml': body, 'text/xml': body } },
    responses: {
      200: {
        description: 'Success',
        headers: {
          'X-Herald-Log-Id': ref('headers', 'LogId'),
          ...(m.write
            ? {
                'Duplicate-Request': ref('headers', 'DuplicateRequest'),
                'Duplicate-Key': ref('headers', 'DuplicateKey'),
              }
            : {}),
        },
        content: { 'application/json': answer, 'application/xml': answer },
      },
      ...Object.fromEntries(codes.map((c) => [c, ref('responses', `Error${c}`)])),
    },
  };
}

/** The GET form of a method declared so: the same parameters, in the query string. */
function getOperation(m: ApiMethod): Record<string, unknown> {
  const { requestBody: _body, operationId, description, ...rest } = operation(m);
  return {
    ...rest,
    operationId: `${String(operationId)}_get`,
    description: `${String(description)} Also as GET, with the parameters in the query string.`,
  };
}

const text = (description: string, type = 'text/plain') => ({
  description,
  content: { [type]: { schema: { type: 'string' } } },
});
const status = (description: string, values: string[], extra: Record<string, JsonSchema> = {}) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { status: { type: 'string', enum: values }, ...extra },
        required: ['status'],
      },
    },
  },
});

/** The routes outside the API: health, metrics, this document, the docs page, unsubscribe links. */
function operatorPaths(): Record<string, unknown> {
  const get = (summary: string, responses: Record<string, unknown>) => ({
    get: { tags: ['operations'], summary, security: [], responses },
  });
  return {
    '/healthz': get('The process is up', { 200: status('Up', ['ok']) }),
    '/readyz': get('Ready: the storage is reachable and its migrations are current', {
      200: status('Ready', ['ready']),
      503: status('Not ready, with the reason', ['unavailable'], { reason: { type: 'string' } }),
    }),
    '/metrics': get('Prometheus metrics of the HTTP front and the engine', {
      200: text('Prometheus text format 0.0.4'),
    }),
    '/api/openapi.json': get('This document', {
      200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
    }),
    '/docs': get('A page that renders this document', { 200: text('HTML', 'text/html') }),
    '/u/{token}': {
      parameters: [
        {
          name: 'token',
          in: 'path',
          required: true,
          schema: { type: 'string' },
          description: 'the signed token of an unsubscribe link',
        },
      ],
      get: {
        tags: ['unsubscribe'],
        summary: 'The confirmation page of an unsubscribe link',
        security: [],
        responses: { 200: text('HTML page', 'text/html'), 404: text('Unknown or forged link', 'text/html') },
      },
      post: {
        tags: ['unsubscribe'],
        summary: 'Unsubscribe (also List-Unsubscribe-Post one-click)',
        security: [],
        responses: { 200: text('HTML page', 'text/html'), 404: text('Unknown or forged link', 'text/html') },
      },
    },
  };
}

/** How a request gives its token. */
const SECURITY_SCHEMES = {
  bearerToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'Authorization: Bearer <token>. The body parameter `token`, when given, wins.',
  },
  queryToken: {
    type: 'apiKey',
    in: 'query',
    name: 'token',
    description: 'The token query parameter (used when neither the body nor a Bearer header gives one).',
  },
};

/** The parameters every method takes besides its own: the answer format and the request key. */
const COMMON_PARAMETERS = {
  format: {
    name: 'format',
    in: 'query',
    required: false,
    schema: { type: 'string', enum: ['json', 'xml'] },
    description: 'the answer format (the body parameter wins)',
  },
  RequestId: {
    name: 'Request-ID',
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description: 'request key: a repeat within 24 hours gets the first answer',
  },
  XRequestId: {
    name: 'X-Request-ID',
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description: 'request key (when Request-ID is absent)',
  },
  request_id: {
    name: 'request_id',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'request key (when no header gives one)',
  },
};

/** The headers of the answers. */
const ANSWER_HEADERS = {
  LogId: {
    description: 'the id of the log line of this request',
    schema: { type: 'string', pattern: '^[0-9a-f]{16}$' },
  },
  RetryAfter: { description: 'seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
  DuplicateRequest: {
    description: '`true` on the stored answer to a repeated request key (also X-Duplicate-Request)',
    schema: { type: 'string', enum: ['true'] },
  },
  DuplicateKey: { description: 'the repeated request key (also X-Duplicate-Key)', schema: { type: 'string' } },
};

export function buildOpenApi(methods: Iterable<ApiMethod>, version: string): OpenApiDocument {
  const list = [...methods];
  const errors = errorComponents();
  const schemas: Record<string, JsonSchema> = { ...errors.schemas };
  const paths: Record<string, unknown> = {};
  for (const m of list) {
    schemas[`${componentName(m.name)}.request`] = requestSchema(m);
    schemas[`${componentName(m.name)}.response`] = responseSchema(m);
    paths[`${API_PREFIX}${m.name}`] = { post: operation(m), ...(m.get ? { get: getOperation(m) } : {}) };
  }
  const tags = [...new Set(list.map((m) => m.name.split('/')[0]))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Herald — Altcraft Platform API v1.1',
      version,
      description: DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      ...tags,
      { name: 'operations', description: 'health, readiness, metrics and documentation' },
      { name: 'unsubscribe' },
    ],
    security: [{ bearerToken: [] }, { queryToken: [] }],
    paths: { ...paths, ...operatorPaths() },
    components: {
      schemas,
      responses: errors.responses,
      securitySchemes: SECURITY_SCHEMES,
      parameters: COMMON_PARAMETERS,
      headers: ANSWER_HEADERS,
    },
  };
}
