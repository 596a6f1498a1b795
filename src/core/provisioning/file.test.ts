import { describe, expect, it } from 'vitest';
import { resolveEnvRefs } from './file.js';

describe('resolveEnvRefs', () => {
  it('replaces {"env": NAME} by the variable, and names the path of one that is not set', () => {
    const problems: string[] = [];
    expect(resolveEnvRefs({ a: [{ env: 'SECRET' }], b: { env: 'MISSING' } }, { SECRET: 's3' }, '', problems)).toEqual({
      a: ['s3'],
      b: '',
    });
    expect(problems).toEqual(['b: environment variable "MISSING" is not set']);
  });

  it('takes a variable name for data: names every object has are not set either', () => {
    const problems: string[] = [];
    const env: Record<string, string | undefined> = { PATH: '/bin' };
    expect(
      resolveEnvRefs({ x: { env: 'toString' }, y: { env: 'hasOwnProperty' }, z: { env: 'PATH' } }, env, '', problems),
    ).toEqual({ x: '', y: '', z: '/bin' });
    expect(problems).toEqual([
      'x: environment variable "toString" is not set',
      'y: environment variable "hasOwnProperty" is not set',
    ]);
  });
});
