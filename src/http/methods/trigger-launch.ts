// campaigns/triggers/import_and_start_batch and import_and_start.
import { importAndStart, importAndStartBatch } from '../../core/imports/import-and-start.js';
import { object } from '../../core/values/schema.js';
import { batchData, importFlagFields, launchFields, matchingFields, profileData } from './params.js';
import { payloads } from './payloads.js';
import { defineMethod } from './types.js';

export const triggerLaunchMethods = [
  defineMethod({
    name: 'campaigns/triggers/import_and_start_batch', payload: payloads.batch, imports: true,
    summary: 'Import or update several profiles, then launch the trigger for each',
    write: true,
    params: object({ ...matchingFields, ...importFlagFields, ...launchFields, data: batchData }),
    handle: (call, p) => importAndStartBatch(call, p),
  }),
  defineMethod({
    name: 'campaigns/triggers/import_and_start', payload: payloads.profileId, imports: true,
    summary: 'Import or update one profile, then launch the trigger for it',
    write: true,
    params: object({ ...matchingFields, ...importFlagFields, ...launchFields, data: profileData }),
    handle: (call, p) => importAndStart(call, p),
  }),
];
