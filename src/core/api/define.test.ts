import { describe, expect, it } from 'vitest';
import { object, optional, str } from '../values/schema.js';
import { answersVerb, defineMethod } from './define.js';

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
