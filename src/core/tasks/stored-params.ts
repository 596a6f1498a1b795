// A task's stored parameters, read back typed: the *_task method's parameters as its schema decoded
// them at submission (task-request.ts keeps them as JSON, the attachments' bytes as base64). The
// method's own schema cannot read them again: it decoded the timeout to milliseconds, the
// attachments to bytes and the subscription filter to its keys. These schemas are the method's
// with those three fields as decoding left them; parameters that do not read back are no task
// this version can run (500).
import { ApiError, DecodeError, within } from '../base/errors.js';
import { importAndStartBatchParams } from '../imports/import-and-start.js';
import { startBatchParams } from '../launches/start-batch.js';
import type { SubscriptionFilter } from '../triggers/launch-params.js';
import { describe, toBool, toObject, toStr } from '../values/coerce.js';
import { arrayOf, int, object, optional, required, str, type Decoded, type Schema } from '../values/schema.js';
import { PLAIN_WIRE } from '../values/wire.js';
import type { TaskRequest } from './task-request.js';

const bytes: Schema<Buffer> = {
  decode(value) {
    if (!Buffer.isBuffer(value)) throw new DecodeError(`expected bytes, got ${describe(value)}`);
    return value;
  },
  json: () => ({}),
};

const storedAttachment = object({ name: required(str()), mime: required(str()), data: required(bytes) });

/** The filter's keys as subscriptionFilterSchema set them (only those it found). */
const storedFilter: Schema<SubscriptionFilter> = {
  decode(value) {
    const v = toObject(value);
    const filter: SubscriptionFilter = { notStrict: within('notStrict', () => toBool(v.notStrict)) };
    for (const key of ['email', 'phone', 'push'] as const)
      if (v[key] !== undefined) filter[key] = within(key, () => toStr(v[key]));
    return filter;
  },
  json: () => ({}),
};

const decodedLaunchFields = {
  timeout: optional(int({ min: 0 }), 0),
  attach: optional(arrayOf(storedAttachment)),
  subscription_filter: optional(storedFilter),
};

const storedImportAndStartBatch = object({ ...importAndStartBatchParams.shape, ...decodedLaunchFields });
const storedStartBatch = object({ ...startBatchParams.shape, ...decodedLaunchFields });

function readBack<T>(schema: Schema<T>, request: TaskRequest): T {
  try {
    return schema.decode(request.params, { wire: PLAIN_WIRE });
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    throw new ApiError(500, `the task's stored parameters do not read back: ${err.toApiError().debug}`);
  }
}

export const importAndStartBatchRequest = (request: TaskRequest): Decoded<typeof importAndStartBatchParams> =>
  readBack(storedImportAndStartBatch, request);

export const startBatchRequest = (request: TaskRequest): Decoded<typeof startBatchParams> =>
  readBack(storedStartBatch, request);
