import { describe, expect, it } from 'vitest';
import { object, optional, str } from '../values/schema.js';
import { PLAIN_WIRE } from '../values/wire.js';
import { answersVerb, defineMethod, formOf, methodsByName } from './define.js';

const declare = (get: boolean) =>
  defineMethod({
    name: get ? 'example/get_too' : 'example/post_only',
    summary: 'x',
    write: false,
    params: object({ email: optional(str()) }),
    payload: {},
    ...(get ? { get: true as const } : {}),
    handle: async (_call, params) => ({ data: params }),
  });

describe('the HTTP verbs a method answers', () => {
  it('POST always; GET only when the declaration says so', () => {
    const postOnly = declare(false);
    const getToo = declare(true);
    expect([postOnly.get, getToo.get]).toEqual([false, true]);
    expect(['POST', 'GET', 'PUT'].map((v) => answersVerb(postOnly, v))).toEqual([true, false, false]);
    expect(['POST', 'GET', 'PUT', 'get'].map((v) => answersVerb(getToo, v))).toEqual([true, true, false, false]);
  });
});

describe('a declaration', () => {
  const params = object({ email: optional(str()) });
  it('keeps its flags, false unless declared', () => {
    const plain = defineMethod({
      name: 'x/read',
      summary: 's',
      write: false,
      params,
      payload: {},
      handle: async () => ({}),
    });
    expect([plain.write, plain.imports, plain.batchItems, plain.get]).toEqual([false, false, false, false]);
    const write = defineMethod({
      name: 'x/write',
      summary: 's',
      write: true,
      imports: true,
      batchItems: true,
      params,
      payload: {},
      handle: async () => ({}),
    });
    expect([write.write, write.config, write.imports, write.batchItems]).toEqual([true, false, true, true]);
  });

  it('decodes a request into the run of its handler with the decoded parameters', async () => {
    const read = defineMethod({
      name: 'x/echo',
      summary: 's',
      write: false,
      params,
      payload: {},
      handle: async (_call, p) => ({ got: p }),
    });
    const run = read.decode({ email: 'a@b.c' }, { wire: PLAIN_WIRE });
    expect(await run({} as never)).toEqual({ got: { email: 'a@b.c' } });
  });

  it('refuses a name declared twice, and a write form that is no write method', () => {
    const a = declare(false);
    expect(() => methodsByName([a, a])).toThrow('method example/post_only is declared twice');
    const reader = defineMethod({
      name: 'x/preview',
      summary: 's',
      write: false,
      writeForm: { params: ['test_email'], method: 'x/other' },
      params,
      payload: {},
      handle: async () => ({}),
    });
    const registry = methodsByName([reader, declare(true)]);
    expect(formOf(reader, {}, registry)).toBe(reader);
    expect(() => formOf(reader, { test_email: 'a@b.c' }, registry)).toThrow(
      'the write form x/other of x/preview is not a write method',
    );
  });
});
