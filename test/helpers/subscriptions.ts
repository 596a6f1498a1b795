// profiles/get answers each subscription with its channel's data object (`email_data`,
// `sms_data`, `push_data`) and `is_delete`, as Altcraft's pages show. Tests about what an import
// stored compare the subscription's own fields: `imported` checks those extras against the
// subscription, then leaves them out.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';

export function imported(sub: Record<string, unknown>): Record<string, unknown> {
  const { email_data: emailData, sms_data: smsData, push_data: pushData, is_delete: isDelete, ...rest } = sub;
  expect(isDelete).toBe(false);
  if (rest.channel === 'email') {
    const email = String(rest.email);
    expect(emailData).toEqual({
      email,
      domain: email.slice(email.lastIndexOf('@') + 1).toLowerCase(),
      md5: createHash('md5').update(email.toLowerCase()).digest('hex'),
    });
  } else if (rest.channel === 'sms') expect(smsData).toEqual({ phone: rest.phone });
  else expect(pushData).toEqual({ provider: rest.provider, subscription_id: rest.subscription_id });
  return rest;
}

/** `imported` for each subscription of a profiles/get answer. */
export const importedAll = (subs: unknown): Record<string, unknown>[] =>
  (subs as Record<string, unknown>[]).map(imported);
